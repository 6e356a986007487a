#pragma once
// Who may telework and to what: roles, users, devices, data classes and the
// hours a role may work (Asia/Tokyo). Plain validated data; compile() indexes
// it and decide() applies it (docs/policy-reference.md).

#include "diagnostics.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy {

using clock = std::chrono::system_clock;

// 自治体機密性, ordered from public to secret (DOMAIN.md §3). 3A and 3B data
// is never handled by telework: no role and no service may carry it.
enum class data_class : std::uint8_t
{
    c1,
    c2,
    c3c,
    c3b,
    c3a
};
std::string_view to_string(data_class c);
// "1", "2", "3C", "3B", "3A" (also lower case, and numbers written unquoted).
std::optional<data_class> parse_data_class(std::string_view text);

// One window of the week in Asia/Tokyo (UTC+9 all year: no daylight saving
// time). `days` bit d is set for weekday d (0 = Sunday). The window runs from
// `from` to `to` minutes after midnight; when to <= from it runs past
// midnight and ends on the next day, still belonging to the day it began.
struct hours_window
{
    std::uint8_t days = 0x7f;
    int from = 0;     // minutes, 0..1439
    int to = 24 * 60; // minutes, 1..1440
    source_location where;
};
// True when `t` falls in any window; an empty list means "at any time".
bool within_hours(const std::vector<hours_window>& windows, clock::time_point t);
// "mon-fri 08:00-20:00"
std::string describe(const hours_window& w);

enum class enforcement : std::uint8_t
{
    enforce, // deny what the role does not allow
    report   // allow, but record what would have been denied (never for invariants)
};

struct role
{
    std::string id;
    std::string description;
    bool lgwan = false;    // may use the LGWAN listener
    bool internet = false; // may use the internet listener
    // As written: ids, or "tag:<tag>" for every entry with that tag.
    std::vector<std::string> services;
    std::vector<std::string> screen_transfer;
    data_class max_class = data_class::c1;               // the highest class of service it may reach
    std::vector<hours_window> hours;                     // empty: any time
    bool mfa = true;                                     // sessions need a second factor
    std::optional<std::chrono::seconds> posture_max_age; // device posture report no older than this
    std::uint32_t tunnels_per_user = 0;                  // 0: the daemon's per-device limit only
    std::uint32_t sessions_per_user = 0;                 // 0: unlimited (enforced with telework sessions)
    enforcement mode = enforcement::enforce;
    // The business categories of the role's work (業務): an ISMAP-LIU
    // service is reached only for a category it was assessed for.
    std::vector<std::string> business;
    source_location where;
};

struct user
{
    std::string id;
    std::string name;
    std::string department;
    std::vector<std::string> roles;
    std::optional<clock::time_point> expires; // e.g. a contractor's last day
    source_location where;
};

enum class device_kind : std::uint8_t
{
    lent, // 貸与端末
    byod
};
enum class device_status : std::uint8_t
{
    active,
    lost,
    retired
};
std::string_view to_string(device_kind k);
std::string_view to_string(device_status s);

struct device
{
    std::string id;
    std::string fingerprint; // SHA-256 of the DER certificate, lower-case hex, no colons
    std::string serial;      // certificate serial, lower-case hex, no leading zeros
    std::string owner;       // user id
    device_kind kind = device_kind::lent;
    device_status status = device_status::active;
    std::optional<clock::time_point> posture_verified; // the last endpoint-posture check it passed
    std::optional<clock::time_point> expires;
    source_location where;
};

// "AB:CD:..." / "sha256:abcd..." → 64 lower-case hex digits, or nullopt.
std::optional<std::string> normalise_fingerprint(std::string_view text);
// "0A:1B" / "0x0a1b" / "a1b" → "a1b", or nullopt.
std::optional<std::string> normalise_serial(std::string_view text);

} // namespace sekisho::policy
