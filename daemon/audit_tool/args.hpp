#pragma once
// Command-line arguments of sekisho-audit: `--name value` options, `--flag`
// switches and positional files, checked against what the command accepts.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sekisho::audit_tool {

// Exit code for a command that could not run (usage, unreadable input).
inline constexpr int exit_cannot_run = 1;

struct args
{
    std::map<std::string, std::string> options;
    std::set<std::string> flags;
    std::vector<std::string> files;

    std::optional<std::string> get(const std::string& name) const
    {
        const auto it = options.find(name);
        return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    bool has(const std::string& flag) const { return flags.count(flag) != 0; }
};

// Parses argv[from..]; on an unknown or incomplete argument, a message in
// `error` and nullopt.
inline std::optional<args> parse_args(int argc,
                                      char** argv,
                                      int from,
                                      const std::set<std::string>& valued,
                                      const std::set<std::string>& switches,
                                      std::string& error)
{
    args a;
    for (int i = from; i < argc; ++i)
    {
        const std::string arg = argv[i];
        if (valued.count(arg) != 0)
        {
            if (i + 1 >= argc)
            {
                error = arg + " needs a value";
                return std::nullopt;
            }
            a.options[arg] = argv[++i];
        }
        else if (switches.count(arg) != 0)
        {
            a.flags.insert(arg);
        }
        else if (arg.size() > 1 && arg[0] == '-')
        {
            error = "unknown option " + arg;
            return std::nullopt;
        }
        else
        {
            a.files.push_back(arg);
        }
    }
    return a;
}

} // namespace sekisho::audit_tool
