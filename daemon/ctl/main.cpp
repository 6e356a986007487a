// sekishoctl: the operators' command. This version works offline on a policy
// file, with no daemon needed (docs/sekishoctl.md):
//
//   sekishoctl policy check FILE [--json]     validate, compile, run the policy tests
//   sekishoctl policy test FILE [--json]      the same, one line per test
//   sekishoctl policy explain FILE --layer L --target HOST:PORT [--user ID] [--device ID]
//              [--mfa] [--resolves A[,B...]] [--at TIME] [--json]
//                                             "why was I blocked?": the decision and its reasons
//   sekishoctl policy diff OLD NEW [--at TIME] [--json]
//                                             which decisions the change flips, per user
//   sekishoctl policy matrix FILE [--html | --json]
//                                             roles × layers × what they reach, for audits
//   sekishoctl user passwd | totp-enroll | list | remove --secrets FILE ...
//                                             the users' passwords and TOTP keys (user_cmd.cpp)
//   sekishoctl device add | lost | retire | list --inventory FILE ...
//                                             the device inventory (device_cmd.cpp)
//   sekishoctl doctor [--config FILE] [--admin-socket PATH] [--warn-days N] [--strict]
//                                             checks of an installed gateway (doctor_cmd.cpp)
//   sekishoctl metrics | policy status [--admin-socket PATH]
//                                             the running sekishod's metrics, its policy (metrics_cmd.cpp)
//
// Every command takes --lang en|ja (else LC_ALL / LC_MESSAGES / LANG):
// messages, diagnostics and doctor's lines in Japanese (daemon/i18n).
//
// Exit codes: 0 ok, 1 the policy has errors or a test failed (user, device:
// the change was refused or could not be written), 2 usage.

#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/doctor.hpp"
#include "daemon/i18n/lang.hpp"

#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace sekisho::ctl;

const std::set<std::string> flags = {"--json", "--html", "--mfa"};
const std::set<std::string> valued = {"--layer", "--target", "--resolves", "--at", "--user", "--device"};

// What each command accepts beyond its files.
const std::set<std::string>& accepted(const std::string& command)
{
    static const std::set<std::string> check = {"--json"};
    static const std::set<std::string> diff = {"--json", "--at"};
    static const std::set<std::string> explain = {
        "--json", "--mfa", "--layer", "--target", "--resolves", "--at", "--user", "--device"};
    static const std::set<std::string> matrix = {"--json", "--html"};
    static const std::set<std::string> none;
    if (command == "check" || command == "test")
    {
        return check;
    }
    if (command == "diff")
    {
        return diff;
    }
    if (command == "explain")
    {
        return explain;
    }
    return command == "matrix" ? matrix : none;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    // --lang en|ja anywhere, else the locale: the language of what people
    // read (--json stays English).
    if (const auto bad = sekisho::i18n::choose(args); !bad.empty())
    {
        return usage(bad.c_str());
    }
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help"))
    {
        std::fputs(usage_text(), stdout);
        return exit_ok;
    }
    if (!args.empty() && (args[0] == "user" || args[0] == "device"))
    {
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        if (rest.size() == 1 && (rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help"))
        {
            std::fputs(usage_text(), stdout);
            return exit_ok;
        }
        return args[0] == "user" ? user_main(rest) : device_main(rest);
    }
    if (!args.empty() && args[0] == "catalog")
    {
        return catalog_main(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (!args.empty() && args[0] == "doctor")
    {
        return doctor::doctor_main(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (!args.empty() && args[0] == "metrics")
    {
        return metrics_main(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (args.size() >= 2 && args[0] == "policy" && args[1] == "status")
    {
        return policy_status_main(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (!args.empty() && (args[0] == "status" || args[0] == "reload" || args[0] == "session"))
    {
        return daemon_main(args[0], std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (args.size() < 3 || args[0] != "policy")
    {
        return usage();
    }
    const auto& command = args[1];
    if (command != "check" && command != "test" && command != "diff" && command != "explain" &&
        command != "matrix")
    {
        return usage(("unknown command policy " + command).c_str());
    }
    // diff takes two files before its options.
    const std::size_t first_option = command == "diff" ? 4 : 3;
    if (args.size() < first_option)
    {
        return usage("diff takes OLD NEW");
    }
    options o;
    for (std::size_t i = first_option; i < args.size(); ++i)
    {
        const auto& a = args[i];
        if (!accepted(command).count(a))
        {
            const bool known = flags.count(a) || valued.count(a);
            return usage(
                ((known ? "policy " + command + " does not take " : "unknown argument ") + a).c_str());
        }
        if (flags.count(a))
        {
            (a == "--json" ? o.json : a == "--html" ? o.html : o.mfa) = true;
            continue;
        }
        if (i + 1 >= args.size())
        {
            return usage((a + " needs a value").c_str());
        }
        o.values[a] = args[++i];
    }
    if (command == "check" || command == "test")
    {
        return check_cmd(args[2], command == "test", o);
    }
    if (command == "diff")
    {
        return diff_cmd(args[2], args[3], o);
    }
    if (command == "explain")
    {
        return explain_cmd(args[2], o);
    }
    return matrix_cmd(args[2], o);
}
