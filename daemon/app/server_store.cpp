// The server's side of a shared session store (auth.store, type: redis):
// sessions ended at another instance close their tunnels here, and the
// store becoming unreachable or reachable again is logged and audited
// (store_unavailable / store_recovered, docs/audit-events.md).

#include "daemon/app/server.hpp"
#include "daemon/log/logger.hpp"

#include <array>

namespace sekisho::app {

namespace {

// Tunnel end causes outlive the call (they are posted to every I/O thread):
// the causes instances send are mapped onto these, anything else onto the
// last. A message from Redis cannot grow this set.
const char* cause_text(const std::string& cause)
{
    static constexpr std::array<const char*, 8> known{"session_killed",
                                                      "user_locked",
                                                      "user_not_in_secrets",
                                                      "device_revoked",
                                                      "store_reconciled",
                                                      "idle",
                                                      "max_duration",
                                                      "session_ended_elsewhere"};
    for (const char* k : known)
    {
        if (cause == k)
        {
            return k;
        }
    }
    return known.back();
}

} // namespace

void server::watch_store()
{
    if (!state_.auth || !state_.auth->store().health().shared)
    {
        return;
    }
    auto& store = state_.auth->store();
    const auto h = store.health();
    const bool fallback = state_.settings.auth && state_.settings.auth->store.local_fallback;
    auth::store_events events;
    events.ended_elsewhere = [this](std::vector<std::string> ids, std::string cause) {
        log::info("sessions_ended_elsewhere", {{"sessions", std::to_string(ids.size())}, {"cause", cause}});
        close_session_tunnels(std::set<std::string, std::less<>>(ids.begin(), ids.end()), cause_text(cause));
    };
    events.reachability = [this, fallback, kind = h.kind](bool reachable, std::string detail) {
        const char* behaviour = fallback ? "local_fallback" : "fail_closed";
        if (reachable)
        {
            log::info("store_recovered", {{"store", kind}, {"server", detail}});
            state_.audit_event("store_recovered", {{"store", kind}, {"server", detail}});
            return;
        }
        // Loud on purpose: with fail_closed nobody can start a session; with
        // local_fallback the invariants hold per instance only.
        log::error("store_unavailable", {{"store", kind}, {"detail", detail}, {"behaviour", behaviour}});
        if (fallback)
        {
            log::warning("store_fallback",
                         {{"store", kind},
                          {"detail",
                           "sign-ins are decided from this instance's memory until the store is back: one "
                           "device one layer, lockouts and used codes hold per instance only"}});
        }
        state_.audit_event("store_unavailable",
                           {{"store", kind}, {"detail", detail}, {"behaviour", behaviour}});
    };
    store.watch(std::move(events));
}

void server::unwatch_store()
{
    if (state_.auth)
    {
        state_.auth->store().watch({});
    }
}

} // namespace sekisho::app
