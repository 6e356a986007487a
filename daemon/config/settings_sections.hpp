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

// The `auth:` section into out.auth (set even with errors, like the rest of
// the settings; use it only when the diagnostics have no error).
void read_auth(policy::yaml_reader& r,
               const policy::yaml_node& node,
               const std::string& base_dir,
               settings& out);

} // namespace sekisho::config::detail
