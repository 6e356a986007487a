#pragma once
// `sekishoctl policy diff OLD NEW`: which decisions a policy change flips.
// The destinations compared are every name and port either policy mentions
// (exact service names, a name under each wildcard, screen-transfer hosts,
// the targets of policy tests), on both listener layers.

#include "policy/decide.hpp"

#include <string>
#include <vector>

namespace sekisho::ctl {

struct decision_change
{
    policy::layer on;
    std::string target; // host:port
    policy::decision before;
    policy::decision after;
};

std::vector<decision_change> diff_policies(const policy::snapshot& before,
                                           const std::vector<policy::policy_test>& before_tests,
                                           const policy::snapshot& after,
                                           const std::vector<policy::policy_test>& after_tests,
                                           policy::clock::time_point at);

} // namespace sekisho::ctl
