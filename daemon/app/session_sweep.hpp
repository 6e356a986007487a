#pragma once
// Ending telework sessions that may not go on. A session lives until logout,
// its idle timeout or its maximum length (the state store drops those), but
// also ends when what allowed it is withdrawn: the user is locked by an
// operator or removed from the secrets file, the device is lost or retired,
// the user or device expires, or the user's roles on that layer are outside
// their hours. The server sweeps after every reload and every
// timeouts.policy_recheck, and closes the tunnels of the sessions it ends.

#include "daemon/auth/authenticator.hpp"
#include "policy/snapshot.hpp"

#include <string>
#include <vector>

namespace sekisho::app {

struct ended_session
{
    auth::session_info session;
    std::string cause; // "user_locked", "user_not_in_secrets", or a policy reason ("outside_hours", ...)
};

std::vector<ended_session>
sweep_sessions(auth::authenticator& auth, const policy::snapshot& snap, auth::clock::time_point now);

} // namespace sekisho::app
