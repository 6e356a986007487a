#pragma once
// Plain-language explanations of policy decisions, for `sekishoctl policy
// explain`: what each reason code means and what the operator can do.

#include "policy/decide.hpp"

#include <string_view>

namespace sekisho::ctl {

struct explanation
{
    std::string_view meaning; // why the gateway answers this way
    std::string_view action;  // what to do if the answer is wrong
};

explanation explain(policy::reason r);

} // namespace sekisho::ctl
