// `sekishoctl policy check | test`: validate, compile, run the policy tests.

#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/common.hpp"
#include "policy/load.hpp"

#include <cstdio>

namespace sekisho::ctl {

int check_cmd(const std::string& file, bool per_test, const options& o)
{
    auto p = load(file);
    std::size_t failed = 0;
    for (const auto& r : p.tests)
    {
        failed += r.passed ? 0U : 1U;
    }
    const bool ok = !p.diags.has_errors() && p.snap && failed == 0;
    if (o.json)
    {
        boost::json::object out{{"file", file},
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
        out["tests"] = std::move(tests);
        std::printf("%s\n", boost::json::serialize(out).c_str());
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

} // namespace sekisho::ctl
