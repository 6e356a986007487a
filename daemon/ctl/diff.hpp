#pragma once
// `sekishoctl policy diff OLD NEW`: which decisions a policy change flips.
//
// The same requests are decided under both policies: every user of either
// policy (on one device of theirs, with a second factor) and nobody at all
// (what an unregistered device gets), times every destination either policy
// names (exact service names, a name under each wildcard, screen-transfer
// hosts, the targets of policy tests), on both listener layers.

#include "policy/decide.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace sekisho::ctl {

// Above this many requests ((users + 1) × destinations × 2 layers) the diff
// refuses to run: each is decided twice and the output could not be read.
inline constexpr std::size_t max_diff_requests = 2'000'000;

struct diff_subject
{
    std::string user;   // empty: nobody identified
    std::string device; // empty: no device (the user has none in either inventory)
};

struct diff_plan
{
    std::vector<diff_subject> subjects; // nobody first, then users by id
    std::vector<std::string> targets;   // host:port, sorted
    std::size_t requests() const { return subjects.size() * targets.size() * 2; }
};

// A user's device is their first active device in NEW's inventory, else in
// OLD's, else their first device of any status (new, then old): the same
// device is asked about under both policies, so that a device reported lost
// in NEW shows as device_lost.
diff_plan plan_diff(const policy::snapshot& before,
                    const std::vector<policy::policy_test>& before_tests,
                    const policy::snapshot& after,
                    const std::vector<policy::policy_test>& after_tests);

struct decision_change
{
    const diff_subject* who = nullptr; // points into the plan
    policy::layer on;
    std::string target; // host:port
    policy::decision before;
    policy::decision after;
};

std::vector<decision_change> diff_policies(const diff_plan& plan,
                                           const policy::snapshot& before,
                                           const policy::snapshot& after,
                                           policy::clock::time_point at);

} // namespace sekisho::ctl
