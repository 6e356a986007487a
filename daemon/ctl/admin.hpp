#pragma once
// `sekishoctl user ...` and `sekishoctl device ...`: the operators' commands
// that change files sekishod reads (the secrets file, the device inventory).
// main.cpp hands them argv after the group word; each returns the process
// exit code (common.hpp: 0 ok, 1 failed, 2 usage).
//
// Arguments are parsed here rather than in main.cpp because these commands
// take positional ids after their options as well as before, and each has
// its own required options.

#include "policy/diagnostics.hpp"

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sekisho::ctl {

struct admin_args
{
    std::string command;                       // "passwd", "add", ...
    std::vector<std::string> positional;       // USER or ID
    std::map<std::string, std::string> values; // "--secrets" → "/etc/sekisho/secrets.yaml"
    std::set<std::string> flags;               // "--json", ...

    const std::string* get(const std::string& name) const
    {
        auto it = values.find(name);
        return it == values.end() ? nullptr : &it->second;
    }
    bool has(const std::string& flag) const { return flags.count(flag) != 0; }
    bool json() const { return has("--json"); }
};

struct admin_command
{
    const char* name;
    const char* positional; // "USER", "ID", "[ID]" (optional), or nullptr for none
    std::set<std::string> valued;
    std::set<std::string> required;
    std::set<std::string> flags; // besides --json, which every command takes
};

// Parses `args` (argv after "user" or "device") against `commands`; on a
// usage error prints it with the usage text and returns nullopt.
std::optional<admin_args> parse_admin_args(const char* group,
                                           const std::vector<std::string>& args,
                                           const std::vector<admin_command>& commands);

// Output shared by the user and device commands.
void print_json(const boost::json::object& o);
// Every diagnostic to stderr, one per line.
void print_diagnostics(const policy::diagnostics& d);
// Columns separated by two spaces; every column but the last is padded (the
// last may hold Japanese names, twice as wide per character).
void print_table(const std::vector<std::vector<std::string>>& rows);

int user_main(const std::vector<std::string>& args);
int user_list_cmd(const admin_args& a);
int user_lock_cmd(const admin_args& a); // lock and unlock
int device_main(const std::vector<std::string>& args);
// `sekishoctl status | reload | session list | session kill`: the running
// sekishod through its admin API (daemon_cmd.cpp); `group` is "status",
// "reload" or "session", `args` what follows it.
int daemon_main(const std::string& group, const std::vector<std::string>& args);
// `sekishoctl metrics` and `sekishoctl policy status` (metrics_cmd.cpp): the
// running sekishod's metrics and the policy in force; `args` follows
// "metrics" or "policy" ("status" first).
int metrics_main(const std::vector<std::string>& args);
int policy_status_main(const std::vector<std::string>& args);
// `sekishoctl catalog status` (catalog_cmd.cpp).
int catalog_main(const std::vector<std::string>& args);
int catalog_import_cmd(const admin_args& a); // catalog import-ismap (catalog_import.cpp)

// Printed after a change to a file sekishod reads.
inline constexpr const char* reload_hint =
    "sekishod applies it at the next reload: systemctl reload sekishod "
    "(or kill -HUP <pid>)";

} // namespace sekisho::ctl
