#pragma once
// Text from logs and policies placed in an HTML page (sekishoctl policy
// matrix --html, sekisho-audit report): it may come from an attacker (user
// names, targets, certificate subjects), so it is always escaped.

#include <string>
#include <string_view>

namespace sekisho::util {

// &, <, >, " and ' as entities; control characters other than tab and
// newline as U+FFFD.
std::string html_escape(std::string_view s);

} // namespace sekisho::util
