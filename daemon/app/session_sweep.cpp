#include "daemon/app/session_sweep.hpp"

#include "policy/decide.hpp"

namespace sekisho::app {

std::vector<ended_session>
sweep_sessions(auth::authenticator& auth, const policy::snapshot& snap, auth::clock::time_point now)
{
    std::vector<ended_session> ended;
    for (auto& s : auth.store().sessions(auth.options().session, now))
    {
        std::string cause;
        if (auth.locked_by_operator(s.user))
        {
            cause = "user_locked";
        }
        else if (!auth.may_keep_session(s.user))
        {
            cause = "user_not_in_secrets";
        }
        else if (const auto why = policy::session_standing(snap, s.user, s.device, s.on, now);
                 why != policy::reason::allowed)
        {
            cause = std::string(policy::to_string(why));
        }
        // end_session() is false when the session ended meanwhile (logout,
        // another sweep): then it is not reported twice.
        if (!cause.empty() && auth.store().end_session(s.id, cause))
        {
            ended.push_back({std::move(s), std::move(cause)});
        }
    }
    return ended;
}

} // namespace sekisho::app
