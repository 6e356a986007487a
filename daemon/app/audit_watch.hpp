#pragma once
// Audit events that no request triggers, found by looking every
// timeouts.policy_recheck: telework sessions that ended by time alone (idle
// or maximum length), and catalogued services whose certification crossed
// its expiry while the daemon ran (catalog_expired). Thread 0 only.

#include "daemon/auth/state_store.hpp"
#include "daemon/runtime/runtime.hpp"
#include "policy/snapshot.hpp"

#include <map>
#include <string>

namespace sekisho::app {

class audit_watch
{
public:
    explicit audit_watch(runtime::shared_state& state) : state_(state) {}

    void tick(const policy::snapshot& snap, auth::clock::time_point now);

private:
    void sessions(const policy::snapshot& snap, auth::clock::time_point now);
    void catalog(const policy::snapshot& snap, auth::clock::time_point now);

    runtime::shared_state& state_;
    std::map<std::string, auth::session_info, std::less<>> known_sessions_;
    std::map<std::string, bool, std::less<>> expired_; // service id → certification expired at the last look
    bool first_ = true;
};

// session_closed: a session ended, by time or on purpose (`cause`).
void audit_session_closed(runtime::shared_state& state,
                          const policy::snapshot& snap,
                          const auth::session_info& s,
                          std::string_view cause,
                          auth::clock::time_point now);

} // namespace sekisho::app
