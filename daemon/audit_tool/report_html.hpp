#pragma once
// The page of `sekisho-audit report`: what was counted over the period
// (report_cmd.cpp fills report_data) and its rendering as one
// self-contained HTML document in Japanese and English: inline CSS, charts
// as inline SVG, no script, nothing fetched. Every figure sits in an element
// with a data-figure="NAME" attribute (docs/sekisho-audit.md lists the
// names) so that scripts and tests can read the page. Everything taken from
// the log is HTML-escaped: user names and targets are attacker-influenced.

#include "daemon/util/html.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sekisho::audit_tool {

struct department_usage
{
    std::uint64_t sessions = 0;    // session_opened
    std::uint64_t duration_ms = 0; // session_closed
    std::uint64_t tunnels = 0;     // tunnel_allowed
    std::set<std::string> users;   // who opened a session or a tunnel
};

struct day_usage
{
    std::uint64_t sessions = 0;
    std::uint64_t duration_ms = 0;
    std::uint64_t allowed = 0;
    std::uint64_t denied = 0;
};

// One tunnel event toward the My Number layer: each is listed.
struct mynumber_attempt
{
    std::uint64_t seq = 0;
    std::string ts, event, decision, reason, user, department, device, layer, peer, target, zone;
};

// Tunnels denied because the service is not catalogued or not certified,
// per (target, reason).
struct tried_service
{
    std::uint64_t attempts = 0;
    std::string service; // the catalog id, when the target was one
    std::set<std::string> users;
    std::string last_ts;
};

struct service_usage
{
    std::uint64_t tunnels = 0; // tunnel_allowed
    std::set<std::string> users;
    std::uint64_t bytes = 0; // bytes_up + bytes_down of its tunnel_closed
};

struct verification
{
    bool done = false;  // false: no --key, not verified
    std::string result; // "ok" or the verdict ("chain", "gap", …)
    std::string message;
    std::string key_id;
    std::uint64_t lines = 0, checkpoints = 0, first_seq = 0, last_seq = 0, sealed_seq = 0;
    std::string first_ts, last_ts;
    bool from_genesis = false;
};

struct report_data
{
    std::string from, to;          // the period asked for (as given); empty: open
    std::string first_ts, last_ts; // of the records counted
    std::string generated;         // when the page was made (UTC)
    std::vector<std::string> files;
    std::set<std::string> hosts;
    std::uint64_t records = 0;    // in the period, bookkeeping excluded
    std::uint64_t unreadable = 0; // lines that are not records
    std::uint64_t sessions = 0, duration_ms = 0;
    std::uint64_t allowed = 0, denied = 0, failed = 0;
    std::uint64_t auth_failed = 0, auth_locked = 0;
    std::map<std::string, department_usage> departments; // "" for none
    std::map<std::string, day_usage> days;               // Asia/Tokyo dates
    std::map<std::string, std::uint64_t> denied_by_reason;
    std::vector<mynumber_attempt> mynumber;
    std::uint64_t uncatalogued = 0;
    std::map<std::pair<std::string, std::string>, tried_service> tried; // (target, reason)
    std::map<std::string, service_usage> services;                      // "" for none
    verification verified;
};

enum class language
{
    ja,
    en
};

// The whole page; `first` is the language shown first and the page's lang.
std::string render_html(const report_data& d, language first);

using util::html_escape;

} // namespace sekisho::audit_tool
