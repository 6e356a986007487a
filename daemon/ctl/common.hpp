#pragma once
// What the sekishoctl commands share: exit codes, usage, loading a policy the
// way the commands need it, and the formats they all print (times in
// Asia/Tokyo, durations, decisions as text and JSON).

#include "policy/decide.hpp"
#include "policy/snapshot.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::ctl {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1; // the policy has errors, a test failed
inline constexpr int exit_usage = 2;

// Prints `problem` (if any) and the usage text to stderr; returns exit_usage.
int usage(const char* problem = nullptr);
// An error line on stderr ("sekishoctl: ..."), printf-style, in the chosen
// language (daemon/i18n): written in English here, translated when a
// translation is known.
[[gnu::format(printf, 1, 2)]] void print_error(const char* format, ...);
// The usage text (also printed by --help).
const char* usage_text();

struct loaded_policy
{
    std::shared_ptr<const policy::snapshot> snap; // compiled without its tests
    policy::diagnostics diags;                    // load and compile findings
    std::vector<policy::policy_test> test_defs;
    std::vector<policy::test_result> tests; // point into test_defs
};

// The policy compiled *without* its tests, so that explain, diff and matrix
// work on a policy whose tests fail; the tests are then evaluated one by one.
loaded_policy load(const std::string& file);

// True when the policy compiled. Otherwise prints its diagnostics and
// "FILE has errors; nothing to <what>" to stderr.
bool usable(const loaded_policy& p, const std::string& file, const char* what);

boost::json::array diagnostics_json(const policy::diagnostics& d);

// "allow (allowed) by service:groupware" (check, test, and diff's JSON).
std::string verdict_text(const policy::decision& d);
// What a teleworker would be told, short: "allow (service:groupware via role
// staff)", "deny (outside_hours, role:staff)".
std::string decision_text(const policy::decision& d);
boost::json::object decision_json(const policy::decision& d);

// "2027-04-07 22:00 JST (wed)"
std::string tokyo_time(policy::clock::time_point t);
// "2027-04-07T22:00:00+09:00"
std::string iso_time(policy::clock::time_point t);
// The last day (Tokyo) of an exclusive end: "2027-03-31" for 2027-04-01 00:00 JST.
std::string last_day(policy::clock::time_point end);
// A value of an admin API answer as text: strings as they are, other values
// as JSON, "-" when missing or null.
std::string json_text(const boost::json::value* v);
inline std::string json_text(const boost::json::object& o, const char* key)
{
    return json_text(o.if_contains(key));
}
// Unix seconds of an admin API answer as "2026-11-22 09:00:00 JST"; "-" when missing.
std::string json_time_jst(const boost::json::value* v);
// "7d", "36h" → "1d 12h", "90m" → "1h 30m"; the two largest units only.
std::string duration_text(std::chrono::seconds s);
// Every window through policy::describe(), "; " between; "any time" when none.
std::string hours_text(const std::vector<policy::hours_window>& hours);
// "lgwan, internet"
std::string layers_text(const policy::role& r);
bool on_layer(const policy::role& r, policy::layer l);
std::string join(const std::vector<std::string>& items, std::string_view separator);

} // namespace sekisho::ctl
