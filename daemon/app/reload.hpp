#pragma once
// Reloading the policy: read, validate and compile the policy file into a new
// snapshot. Runs on the reload thread, never on an I/O thread; the server then
// swaps the snapshot on thread 0 and has every I/O thread re-check its open
// tunnels. On any error the result has no snapshot and the old one stays.
//
// Scope: the policy file only. Listeners, TLS files, the hosts map, timeouts
// and limits are read at start-up; changing them needs a restart.

#include "policy/diagnostics.hpp"
#include "policy/snapshot.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::app {

struct reload_result
{
    std::shared_ptr<const policy::snapshot> snapshot; // null: rejected
    policy::diagnostics diags;
};

// What one reload did, for the admin API's `reload` (and `status`).
struct reload_report
{
    bool policy_ok = false;                      // a valid policy was read (changed or not)
    bool policy_changed = false;                 // ... and it differs from the one in force
    std::string policy_hash;                     // the policy in force afterwards
    std::vector<std::string> policy_diagnostics; // file:line: error|warning: ...
    bool secrets_configured = false;             // auth.secrets is set
    bool secrets_ok = true;
    std::vector<std::string> secrets_diagnostics;
    std::chrono::system_clock::time_point finished{};
};

reload_result load_policy_snapshot(const std::string& policy_file, const policy::compile_inputs& inputs);

} // namespace sekisho::app
