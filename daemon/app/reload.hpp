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

#include <memory>
#include <string>

namespace sekisho::app {

struct reload_result
{
    std::shared_ptr<const policy::snapshot> snapshot; // null: rejected
    policy::diagnostics diags;
};

reload_result load_policy_snapshot(const std::string& policy_file, const policy::compile_inputs& inputs);

} // namespace sekisho::app
