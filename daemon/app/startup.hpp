#pragma once
// Start-up as a sequence that collects every error: settings → policy →
// compile (with the listeners as self endpoints) → TLS contexts → tunnel log.
// Used by the daemon and by `sekishod --check-config`.

#include "daemon/runtime/runtime.hpp"
#include "policy/diagnostics.hpp"

#include <memory>
#include <string>

namespace sekisho::app {

struct startup_result
{
    std::unique_ptr<runtime::shared_state> state; // null when there are errors
    policy::diagnostics diags;
};

// With open_log false the tunnel log is not opened (check-config).
startup_result load_everything(const std::string& config_path, bool open_log);

// The `host` of audit records: audit.instance, else the host name.
std::string audit_instance(const config::audit_settings& a);

} // namespace sekisho::app
