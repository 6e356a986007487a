#pragma once
// Audit records as `sekisho-audit query` and `report` see them: the lines of
// the files read by audit::read_log_files, parsed one at a time (never all
// kept), with the filters both commands share.
//
// Times: records carry UTC (`"ts":"2026-11-22T01:00:00.123Z"`). A date in
// --from/--to is a day in Asia/Tokyo, like the dates of the policy: --from
// 2026-11-22 starts at 00:00 JST, --to 2026-11-22 runs through the end of
// that day. A time (RFC 3339 with Z or an offset) is exact; --from is
// inclusive, --to exclusive.

#include "daemon/audit/reader.hpp"
#include "daemon/audit_tool/args.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::audit_tool {

// One string filter: exact, or a prefix when it ends with '*'.
struct text_match
{
    std::string value;
    bool prefix = false;
    bool matches(std::string_view s) const;
};

struct record_filter
{
    std::optional<std::string> from; // as a record's ts ("…T…:…:….mmmZ"), inclusive
    std::optional<std::string> to;   // exclusive
    std::optional<text_match> user, device, layer, zone, service, decision, reason, event, department;
    bool mynumber = false;    // only attempts toward the My Number layer (is_mynumber_attempt)
    bool bookkeeping = false; // also checkpoints and log_continued (implied by --event)
};

// The options every filtering command accepts, for parse_args.
const std::set<std::string>& filter_options();  // --from --to --user …
const std::set<std::string>& filter_switches(); // --mynumber --all
std::string_view filter_usage();                // "[--from T] [--to T] [--user U] …"

// The filter the parsed options describe; nullopt with a message in `error`
// for a time or value that is not valid.
std::optional<record_filter> filter_from_args(const args& a, std::string& error);

// --from/--to text as a record ts: "2026-11-22" (00:00 JST; with
// end_of_day the next day's 00:00 JST) or RFC 3339 with Z or an offset,
// optionally with fractional seconds.
std::optional<std::string> parse_bound(const std::string& text, bool end_of_day);

// The Asia/Tokyo date ("2026-11-22") of a record's ts; empty if ts is not one.
std::string tokyo_day(std::string_view ts);

// A field as text: strings as they are, numbers and booleans in JSON, null
// or missing as "".
std::string field_text(const boost::json::object& o, std::string_view key);
std::uint64_t field_number(const boost::json::object& o, std::string_view key); // 0 unless a number >= 0

// The record classes the report highlights (docs/sekisho-audit.md):
// a tunnel event toward the My Number zone (zone "mynumber" or a reason
// starting with "mynumber"), and a tunnel denied because the service is
// not in the catalog or its certification is not valid.
bool is_tunnel_event(std::string_view event);
bool is_mynumber_attempt(std::string_view event, const boost::json::object& o);
bool is_uncatalogued_attempt(std::string_view event, const boost::json::object& o);

struct record
{
    std::uint64_t seq = 0;
    std::string_view ts;
    std::string_view event;
    std::string_view line; // as written, without the newline
    const boost::json::object& fields;
};

struct scan_summary
{
    std::uint64_t lines = 0;
    std::uint64_t matched = 0;
    std::uint64_t unreadable = 0; // not a record of this schema
    std::string first_unreadable; // "FILE:LINE"
    std::set<std::string> hosts;  // of the matched records (the first 64 named)
};

// Calls `fn` for every record of `files` (in chain order) that `filter`
// keeps. Lines that are not records are counted and skipped.
scan_summary for_each_record(const std::vector<audit::log_file>& files,
                             const record_filter& filter,
                             const std::function<void(const record&)>& fn);

// On stderr, when lines were skipped: how many, where the first is, and
// that `verify` tells why. `command` names the caller ("query", "report").
void warn_unreadable(std::string_view command, const scan_summary& summary);

} // namespace sekisho::audit_tool
