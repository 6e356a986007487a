// `sekishoctl policy check | test`: validate, compile, run the policy tests.

#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/i18n/catalog.hpp"
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
        std::printf("%s\n", i18n::format(item).c_str());
    }
    for (const auto& r : p.tests)
    {
        if (per_test || !r.passed)
        {
            std::printf("%s:%d: %s  %s  %s\n",
                        r.test->where.file.c_str(),
                        r.test->where.line,
                        r.passed ? "PASS" : "FAIL",
                        r.test->name.c_str(),
                        i18n::message("(got " + verdict_text(r.got) + ")").c_str());
        }
    }
    if (ok)
    {
        const auto line = file + ": OK (policy " + p.snap->hash().substr(0, 16) + ", " +
                          std::to_string(p.snap->document().services.size()) + " service(s), " +
                          std::to_string(p.snap->document().screen_transfer.size()) +
                          " screen-transfer endpoint(s), " + std::to_string(p.tests.size()) +
                          " test(s) passed)";
        std::printf("%s\n", i18n::message(line).c_str());
    }
    else
    {
        const auto line = file + ": NOT OK (" + std::to_string(p.diags.error_count()) + " error(s), " +
                          std::to_string(failed) + " failed test(s))";
        std::printf("%s\n", i18n::message(line).c_str());
    }
    return ok ? exit_ok : exit_failed;
}

} // namespace sekisho::ctl
