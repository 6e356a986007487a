// sekisho-audit verify: checks copied audit files offline and says, for the
// first problem, which line and what class of tampering it shows. The exit
// code is the class (audit::verdict), so scripts can tell them apart.

#include "daemon/audit/verify.hpp"
#include "daemon/audit_tool/args.hpp"
#include "daemon/audit_tool/commands.hpp"
#include "policy/yaml_reader.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>

namespace sekisho::audit_tool {

int verify_command(int argc, char** argv, int from)
{
    std::string error;
    const auto a = parse_args(argc, argv, from, {"--key", "--anchor"}, {"--json"}, error);
    if (!a || !a->get("--key") || a->files.empty())
    {
        std::fprintf(stderr,
                     "sekisho-audit verify: %s\n"
                     "usage: sekisho-audit verify --key PUB [--anchor COLLECTED] [--json] FILES|FOLDERS...\n",
                     !error.empty() ? error.c_str()
                                    : (!a || !a->get("--key") ? "--key is required" : "no files given"));
        return exit_cannot_run;
    }
    const auto key = audit::load_public_key(*a->get("--key"), error);
    if (!key)
    {
        std::fprintf(stderr, "sekisho-audit verify: %s\n", error.c_str());
        return exit_cannot_run;
    }
    audit::verify_options options{*key, std::nullopt};
    if (const auto anchor = a->get("--anchor"))
    {
        std::string why;
        auto text = policy::read_text_file(*anchor, &why);
        if (!text)
        {
            std::fprintf(stderr, "sekisho-audit verify: cannot read %s: %s\n", anchor->c_str(), why.c_str());
            return exit_cannot_run;
        }
        options.anchor_text = std::move(*text);
    }
    std::vector<audit::log_file> files;
    if (!audit::read_log_files(a->files, files, error))
    {
        std::fprintf(stderr, "sekisho-audit verify: %s\n", error.c_str());
        return exit_cannot_run;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = audit::verify_files(files, options);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a->has("--json"))
    {
        boost::json::object o;
        o["result"] = audit::to_string(r.result);
        o["exit_code"] = static_cast<int>(r.result);
        o["message"] = r.message;
        o["records"] = r.lines;
        o["checkpoints"] = r.checkpoints;
        o["first_seq"] = r.first_seq;
        o["last_seq"] = r.last_seq;
        o["sealed_seq"] = r.sealed_seq;
        o["first_ts"] = r.first_ts;
        o["last_ts"] = r.last_ts;
        o["sealed_ts"] = r.sealed_ts;
        o["from_genesis"] = r.from_genesis;
        o["anchor_seq"] = r.anchor_seq;
        o["anchor_compared"] = r.anchor_compared;
        o["key_id"] = key->id();
        o["files"] = files.size();
        o["seconds"] = seconds;
        std::printf("%s\n", boost::json::serialize(o).c_str());
        return static_cast<int>(r.result);
    }
    if (r.result == audit::verdict::ok)
    {
        std::printf(
            "OK: %llu records in %zu file(s), seq %llu–%llu (%s – %s), %llu checkpoints signed by key %s\n",
            static_cast<unsigned long long>(r.lines),
            files.size(),
            static_cast<unsigned long long>(r.first_seq),
            static_cast<unsigned long long>(r.last_seq),
            r.first_ts.c_str(),
            r.last_ts.c_str(),
            static_cast<unsigned long long>(r.checkpoints),
            key->id().c_str());
        if (!r.from_genesis)
        {
            std::printf("note: the chain starts at seq %llu; earlier files were not given\n",
                        static_cast<unsigned long long>(r.first_seq));
        }
        if (r.anchor_compared)
        {
            std::printf("the collector's last checkpoint (seq %llu) is present and identical\n",
                        static_cast<unsigned long long>(r.anchor_seq));
        }
        return 0;
    }
    std::printf("FAILED (%s, exit %d): %s\n",
                std::string(audit::to_string(r.result)).c_str(),
                static_cast<int>(r.result),
                r.message.c_str());
    if (r.sealed_seq != 0)
    {
        std::printf("verified up to seq %llu (%s), the last good checkpoint before the failure\n",
                    static_cast<unsigned long long>(r.sealed_seq),
                    r.sealed_ts.c_str());
    }
    return static_cast<int>(r.result);
}

} // namespace sekisho::audit_tool
