// sekishoctl: the operators' command. This first version works offline on a
// policy file, with no daemon needed:
//
//   sekishoctl policy check FILE [--json]     validate, compile, run the policy tests
//   sekishoctl policy test FILE [--json]      the same, one line per test
//   sekishoctl policy diff OLD NEW [--json]   which decisions the change flips
//   sekishoctl policy explain FILE --layer L --target HOST:PORT
//              [--resolves A[,B...]] [--at TIME] [--json]
//                                             "why was I blocked?": the decision and its reasons
//
// Exit codes: 0 valid / explained, 1 the policy has errors or a test failed,
// 2 usage.

#include "daemon/ctl/diff.hpp"
#include "daemon/ctl/explain.hpp"
#include "policy/decide.hpp"
#include "policy/load.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace sekisho;
constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

constexpr const char* usage_text =
    "usage: sekishoctl policy check FILE [--json]\n"
    "       sekishoctl policy test FILE [--json]\n"
    "       sekishoctl policy diff OLD NEW [--json]\n"
    "       sekishoctl policy explain FILE --layer lgwan|internet --target HOST:PORT\n"
    "                  [--resolves ADDR[,ADDR...]] [--at 2027-04-01T09:00+09:00] [--json]\n";

int usage(const char* problem = nullptr)
{
    if (problem != nullptr)
    {
        std::fprintf(stderr, "sekishoctl: %s\n", problem);
    }
    std::fputs(usage_text, stderr);
    return exit_usage;
}

struct loaded_policy
{
    std::shared_ptr<const policy::snapshot> snap; // compiled without its tests
    policy::diagnostics diags;                    // load and compile findings
    std::vector<policy::policy_test> test_defs;
    std::vector<policy::test_result> tests; // point into test_defs
};

// The policy compiled *without* its tests, so that explain and test can run
// on a policy whose tests fail; the tests are then evaluated one by one.
loaded_policy load(const std::string& file)
{
    loaded_policy out;
    auto loaded = policy::load_policy_file(file);
    out.diags.append(loaded.diags);
    if (!loaded.document)
    {
        return out;
    }
    auto doc = std::move(*loaded.document);
    out.test_defs = std::move(doc.tests);
    doc.tests.clear();
    auto snap = policy::compile(std::move(doc), {}, out.diags);
    if (out.diags.has_errors() || !snap)
    {
        return out;
    }
    out.snap = snap;
    out.tests = policy::evaluate_policy_tests(*snap, out.test_defs);
    return out;
}

boost::json::array diagnostics_json(const policy::diagnostics& d)
{
    boost::json::array a;
    for (const auto& item : d.items())
    {
        a.push_back({{"file", item.where.file},
                     {"line", item.where.line},
                     {"column", item.where.column},
                     {"severity", item.level == policy::severity::error ? "error" : "warning"},
                     {"message", item.message},
                     {"hint", item.hint}});
    }
    return a;
}

std::string verdict_text(const policy::decision& d)
{
    return std::string(d.allowed() ? "allow" : "deny") + " (" + std::string(policy::to_string(d.why)) +
           ") by " + d.rule_id;
}

int check_or_test(const std::string& file, bool per_test, bool json)
{
    auto p = load(file);
    std::size_t failed = 0;
    for (const auto& r : p.tests)
    {
        failed += r.passed ? 0U : 1U;
    }
    const bool ok = !p.diags.has_errors() && p.snap && failed == 0;
    if (json)
    {
        boost::json::object o{{"file", file},
                              {"ok", ok},
                              {"policy", p.snap ? p.snap->hash() : std::string()},
                              {"diagnostics", diagnostics_json(p.diags)}};
        boost::json::array tests;
        for (const auto& r : p.tests)
        {
            tests.push_back({{"name", r.test->name},
                             {"file", r.test->where.file},
                             {"line", r.test->where.line},
                             {"passed", r.passed},
                             {"got", verdict_text(r.got)}});
        }
        o["tests"] = std::move(tests);
        std::printf("%s\n", boost::json::serialize(o).c_str());
        return ok ? exit_ok : exit_failed;
    }
    for (const auto& item : p.diags.items())
    {
        std::printf("%s\n", policy::format(item).c_str());
    }
    for (const auto& r : p.tests)
    {
        if (per_test || !r.passed)
        {
            std::printf("%s:%d: %s  %s  (got %s)\n",
                        r.test->where.file.c_str(),
                        r.test->where.line,
                        r.passed ? "PASS" : "FAIL",
                        r.test->name.c_str(),
                        verdict_text(r.got).c_str());
        }
    }
    if (ok)
    {
        std::printf(
            "%s: OK (policy %s, %zu service(s), %zu screen-transfer endpoint(s), %zu test(s) passed)\n",
            file.c_str(),
            p.snap->hash().substr(0, 16).c_str(),
            p.snap->document().services.size(),
            p.snap->document().screen_transfer.size(),
            p.tests.size());
    }
    else
    {
        std::printf(
            "%s: NOT OK (%zu error(s), %zu failed test(s))\n", file.c_str(), p.diags.error_count(), failed);
    }
    return ok ? exit_ok : exit_failed;
}

int diff_cmd(const std::string& old_file, const std::string& new_file, bool json)
{
    auto before = load(old_file);
    auto after = load(new_file);
    for (const auto* p : {&before, &after})
    {
        if (!p->snap)
        {
            for (const auto& item : p->diags.items())
            {
                std::fprintf(stderr, "%s\n", policy::format(item).c_str());
            }
            std::fprintf(stderr,
                         "sekishoctl: %s has errors; nothing to compare\n",
                         (p == &before ? old_file : new_file).c_str());
            return exit_failed;
        }
    }
    const auto changes = ctl::diff_policies(
        *before.snap, before.test_defs, *after.snap, after.test_defs, policy::clock::now());
    if (json)
    {
        boost::json::array a;
        for (const auto& c : changes)
        {
            a.push_back({{"layer", std::string(policy::to_string(c.on))},
                         {"target", c.target},
                         {"before", verdict_text(c.before)},
                         {"after", verdict_text(c.after)}});
        }
        boost::json::object o{
            {"old", before.snap->hash()}, {"new", after.snap->hash()}, {"changes", std::move(a)}};
        std::printf("%s\n", boost::json::serialize(o).c_str());
        return exit_ok;
    }
    std::printf("%s (%s) -> %s (%s): %zu decision(s) change\n",
                old_file.c_str(),
                before.snap->hash().substr(0, 16).c_str(),
                new_file.c_str(),
                after.snap->hash().substr(0, 16).c_str(),
                changes.size());
    for (const auto& c : changes)
    {
        const char* mark = c.after.allowed() && !c.before.allowed()   ? "+ now allowed "
                           : !c.after.allowed() && c.before.allowed() ? "- now denied  "
                                                                      : "~ changed     ";
        std::printf("%s %-8s %-40s %s  ->  %s\n",
                    mark,
                    std::string(policy::to_string(c.on)).c_str(),
                    c.target.c_str(),
                    verdict_text(c.before).c_str(),
                    verdict_text(c.after).c_str());
    }
    return exit_ok;
}

int explain_cmd(const std::string& file, const std::map<std::string, std::string>& opt, bool json)
{
    if (!opt.count("--layer") || !opt.count("--target"))
    {
        return usage("explain needs --layer and --target");
    }
    const auto l = policy::parse_layer(opt.at("--layer"));
    if (!l)
    {
        return usage("--layer is lgwan or internet");
    }
    std::string why;
    const auto dest = policy::parse_authority(opt.at("--target"), &why);
    if (!dest)
    {
        std::fprintf(stderr,
                     "sekishoctl: --target %s: %s (the gateway answers 400 invalid_target)\n",
                     opt.at("--target").c_str(),
                     why.c_str());
        return exit_failed;
    }
    std::vector<policy::ip_address> resolves;
    if (auto it = opt.find("--resolves"); it != opt.end())
    {
        std::size_t start = 0;
        while (start <= it->second.size())
        {
            const auto comma = it->second.find(',', start);
            const auto part =
                it->second.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            auto a = policy::ip_address::parse(part);
            if (!a)
            {
                return usage("--resolves takes IP addresses separated by commas");
            }
            resolves.push_back(*a);
            if (comma == std::string::npos)
            {
                break;
            }
            start = comma + 1;
        }
    }
    auto at = policy::clock::now();
    if (auto it = opt.find("--at"); it != opt.end())
    {
        auto t = policy::parse_time(it->second);
        if (!t)
        {
            return usage("--at takes a time like 2027-04-01T09:00+09:00");
        }
        at = *t;
    }
    auto p = load(file);
    if (!p.snap)
    {
        for (const auto& item : p.diags.items())
        {
            std::fprintf(stderr, "%s\n", policy::format(item).c_str());
        }
        std::fprintf(stderr, "sekishoctl: %s has errors; nothing to explain\n", file.c_str());
        return exit_failed;
    }
    const auto d = policy::decide_resolved(*p.snap, {*l, *dest, {}, {}, false}, at, resolves);
    const auto zone = dest->type == policy::target::kind::ip ? p.snap->classify(dest->address)
                                                             : p.snap->classify(std::string_view(dest->host));
    const auto text = ctl::explain(d.why);
    const unsigned status = d.allowed() ? 200U : 403U;
    if (json)
    {
        boost::json::array addrs;
        for (const auto& a : resolves)
        {
            addrs.push_back(
                {{"address", a.to_string()}, {"zone", std::string(policy::to_string(p.snap->classify(a)))}});
        }
        boost::json::object o{{"policy", p.snap->hash()},
                              {"layer", std::string(policy::to_string(*l))},
                              {"target", opt.at("--target")},
                              {"zone", std::string(policy::to_string(zone))},
                              {"addresses", std::move(addrs)},
                              {"status", status},
                              {"result", d.allowed() ? "allow" : "deny"},
                              {"reason", std::string(policy::to_string(d.why))},
                              {"rule", d.rule_id},
                              {"service", d.service_id},
                              {"detail", d.detail},
                              {"meaning", std::string(text.meaning)},
                              {"action", std::string(text.action)}};
        std::printf("%s\n", boost::json::serialize(o).c_str());
        return exit_ok;
    }
    std::printf("policy      %s (%s)\n", file.c_str(), p.snap->hash().substr(0, 16).c_str());
    std::printf(
        "request     CONNECT %s on the %s listener\n", opt.at("--target").c_str(), opt.at("--layer").c_str());
    std::printf("zone        %s\n", std::string(policy::to_string(zone)).c_str());
    for (const auto& a : resolves)
    {
        std::printf("address     %s -> zone %s\n",
                    a.to_string().c_str(),
                    std::string(policy::to_string(p.snap->classify(a))).c_str());
    }
    std::printf("answer      %u %s: reason %s, rule %s%s%s\n",
                status,
                d.allowed() ? "allow" : "deny",
                std::string(policy::to_string(d.why)).c_str(),
                d.rule_id.c_str(),
                d.detail.empty() ? "" : ", ",
                d.detail.c_str());
    std::printf("why         %s\n", std::string(text.meaning).c_str());
    std::printf("what to do  %s\n", std::string(text.action).c_str());
    if (d.allowed() && dest->type == policy::target::kind::name && resolves.empty())
    {
        std::printf("note        the name is allowed; sekishod still vets every address DNS returns for it "
                    "(check them with --resolves)\n");
    }
    return exit_ok;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 3 || args[0] != "policy")
    {
        return usage();
    }
    const auto& command = args[1];
    const auto& file = args[2];
    bool json = false;
    std::map<std::string, std::string> opt;
    // diff takes two files before its options.
    const std::size_t first_option = command == "diff" ? 4 : 3;
    for (std::size_t i = first_option; i < args.size(); ++i)
    {
        if (args[i] == "--json")
        {
            json = true;
        }
        else if ((args[i] == "--layer" || args[i] == "--target" || args[i] == "--resolves" ||
                  args[i] == "--at") &&
                 i + 1 < args.size())
        {
            opt[args[i]] = args[i + 1];
            ++i;
        }
        else
        {
            return usage(("unknown argument " + args[i]).c_str());
        }
    }
    if (command == "check" || command == "test")
    {
        if (!opt.empty())
        {
            return usage("check and test take only FILE and --json");
        }
        return check_or_test(file, command == "test", json);
    }
    if (command == "diff")
    {
        if (args.size() < 4 || !opt.empty())
        {
            return usage("diff takes OLD NEW [--json]");
        }
        return diff_cmd(file, args[3], json);
    }
    if (command == "explain")
    {
        return explain_cmd(file, opt, json);
    }
    return usage(("unknown command policy " + command).c_str());
}
