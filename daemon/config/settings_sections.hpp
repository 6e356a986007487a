#pragma once
// Readers shared by settings_load.cpp and the files that read one section of
// sekisho.yaml each (auth_settings_load.cpp). Internal to daemon/config/.

#include "daemon/config/settings.hpp"
#include "policy/yaml_reader.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sekisho::config::detail {

// A path value: ${VAR} expanded, relative to base_dir, normalised. Reports
// and returns nullopt when a variable is unset or the path is empty.
std::optional<std::string> read_path(policy::yaml_reader& r,
                                     const policy::yaml_node& node,
                                     std::string_view what,
                                     const std::string& base_dir);

// A bounded duration or count at map[key], if present, into `out`; an
// out-of-range or malformed value is reported as "<section>.<key>".
inline void read_duration(policy::yaml_reader& r,
                          const policy::yaml_node& map,
                          const char* key,
                          const std::string& section,
                          const bounded<milliseconds>& b,
                          milliseconds& out)
{
    if (auto n = map[key])
    {
        if (auto v = r.duration(n, section + "." + key, b.min, b.max))
        {
            out = *v;
        }
    }
}

inline void read_count(policy::yaml_reader& r,
                       const policy::yaml_node& map,
                       const char* key,
                       const std::string& section,
                       const bounded<std::uint32_t>& b,
                       std::uint32_t& out)
{
    if (auto n = map[key])
    {
        if (auto v = r.integer(n, section + "." + key, b.min, b.max))
        {
            out = static_cast<std::uint32_t>(*v);
        }
    }
}

// The `egress:` section into out.egress_lgwan / out.egress_internet
// (egress_settings_load.cpp; reads proxy password files).
void read_egress(policy::yaml_reader& r,
                 const policy::yaml_node& node,
                 const std::string& base_dir,
                 settings& out);

// The `admin:` section into out.admin.
void read_admin(policy::yaml_reader& r,
                const policy::yaml_node& node,
                const std::string& base_dir,
                settings& out);

// The `audit:` section into out.audit.
void read_audit(policy::yaml_reader& r,
                const policy::yaml_node& node,
                const std::string& base_dir,
                settings& out);

// The `metrics:` section into out.metrics.
void read_metrics(policy::yaml_reader& r, const policy::yaml_node& node, settings& out);

// The `session_tickets:` section into out.session_tickets.
void read_session_tickets(policy::yaml_reader& r,
                          const policy::yaml_node& node,
                          const std::string& base_dir,
                          settings& out);

// listeners[i].proxy_protocol into l.proxy_protocol; false on an error.
bool read_proxy_protocol(policy::yaml_reader& r,
                         const policy::yaml_node& node,
                         const std::string& what,
                         listener_settings& l);

// A password in a file of its own (`what`: the key, for messages): a regular
// file with no permission for group or others, its last line ending
// dropped. nullopt (reported) when it cannot be used.
std::optional<std::string> read_password_file(policy::yaml_reader& r,
                                              const policy::yaml_node& node,
                                              const std::string& what,
                                              const std::string& base_dir);

// auth.store into `out`.
void read_store(policy::yaml_reader& r,
                const policy::yaml_node& node,
                const std::string& base_dir,
                store_settings& out);

// The `auth:` section into out.auth (set even with errors, like the rest of
// the settings; use it only when the diagnostics have no error).
void read_auth(policy::yaml_reader& r,
               const policy::yaml_node& node,
               const std::string& base_dir,
               settings& out);

} // namespace sekisho::config::detail
