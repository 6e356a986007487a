#include "daemon/audit_tool/records.hpp"

#include "daemon/audit/line.hpp"
#include "policy/load.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>

namespace sekisho::audit_tool {

namespace {

// Written by the log itself, not by what happened at the gateway.
bool is_bookkeeping(std::string_view event)
{
    return event == "checkpoint" || event == "log_continued";
}

struct named_filter
{
    const char* option;
    std::optional<text_match> record_filter::*member;
    const char* field;
};

constexpr named_filter field_filters[] = {
    {"--user", &record_filter::user, "user"},
    {"--department", &record_filter::department, "department"},
    {"--device", &record_filter::device, "device"},
    {"--layer", &record_filter::layer, "layer"},
    {"--zone", &record_filter::zone, "zone"},
    {"--service", &record_filter::service, "service"},
    {"--decision", &record_filter::decision, "decision"},
    {"--reason", &record_filter::reason, "reason"},
};

text_match make_match(const std::string& text)
{
    text_match m;
    m.prefix = !text.empty() && text.back() == '*';
    m.value = m.prefix ? text.substr(0, text.size() - 1) : text;
    return m;
}

bool one_of(const std::string& value, std::initializer_list<std::string_view> allowed)
{
    for (const auto a : allowed)
    {
        if (value == a)
        {
            return true;
        }
    }
    return false;
}

// Reuses one buffer for the parse of every line: no allocation per record
// unless a line is larger than the buffer.
class line_parser
{
public:
    line_parser() : buffer_(std::make_unique<unsigned char[]>(buffer_size)) {}

    template <typename Fn>
    bool parse(std::string_view line, Fn&& fn)
    {
        boost::json::monotonic_resource mr(buffer_.get(), buffer_size);
        parser_.reset(&mr);
        boost::system::error_code ec;
        parser_.write(line.data(), line.size(), ec);
        if (ec)
        {
            return false;
        }
        const auto v = parser_.release();
        if (!v.is_object())
        {
            return false;
        }
        fn(v.get_object());
        return true;
    }

private:
    static constexpr std::size_t buffer_size = 64 * 1024;
    std::unique_ptr<unsigned char[]> buffer_;
    boost::json::parser parser_;
};

} // namespace

bool text_match::matches(std::string_view s) const
{
    return prefix ? s.starts_with(value) : s == value;
}

const std::set<std::string>& filter_options()
{
    static const std::set<std::string> options = {"--from",
                                                  "--to",
                                                  "--user",
                                                  "--department",
                                                  "--device",
                                                  "--layer",
                                                  "--zone",
                                                  "--service",
                                                  "--decision",
                                                  "--reason",
                                                  "--event"};
    return options;
}

const std::set<std::string>& filter_switches()
{
    static const std::set<std::string> switches = {"--mynumber", "--all"};
    return switches;
}

std::string_view filter_usage()
{
    return "[--from TIME] [--to TIME] [--user U] [--department D] [--device D] [--layer lgwan|internet]\n"
           "         [--zone Z] [--service S] [--decision allow|deny|error] [--reason R] [--event E]\n"
           "         [--mynumber] [--all]";
}

std::optional<record_filter> filter_from_args(const args& a, std::string& error)
{
    record_filter f;
    for (const auto& [option, end_of_day] : {std::pair{"--from", false}, std::pair{"--to", true}})
    {
        if (const auto text = a.get(option))
        {
            auto bound = parse_bound(*text, end_of_day);
            if (!bound)
            {
                error = std::string(option) + " `" + *text +
                        "` is not a time: write a date (2026-11-22, a day in Asia/Tokyo) or RFC 3339 "
                        "(2026-11-22T09:00+09:00, 2026-11-22T00:00:00Z)";
                return std::nullopt;
            }
            (end_of_day ? f.to : f.from) = std::move(*bound);
        }
    }
    if (f.from && f.to && *f.from >= *f.to)
    {
        error =
            "--from " + *a.get("--from") + " is not before --to " + *a.get("--to") + ": the period is empty";
        return std::nullopt;
    }
    for (const auto& nf : field_filters)
    {
        if (const auto text = a.get(nf.option))
        {
            f.*nf.member = make_match(*text);
        }
    }
    if (const auto d = a.get("--decision"); d && !one_of(*d, {"allow", "deny", "error"}))
    {
        error = "--decision `" + *d + "` is not allow, deny or error";
        return std::nullopt;
    }
    if (const auto l = a.get("--layer"); l && !one_of(*l, {"lgwan", "internet"}))
    {
        error = "--layer `" + *l + "` is not lgwan or internet";
        return std::nullopt;
    }
    if (const auto e = a.get("--event"))
    {
        f.event = make_match(*e);
        f.bookkeeping = true;
    }
    f.mynumber = a.has("--mynumber");
    f.bookkeeping = f.bookkeeping || a.has("--all");
    return f;
}

std::optional<std::string> parse_bound(const std::string& text, bool end_of_day)
{
    using namespace std::chrono;
    if (text.size() == 10)
    {
        const auto start = policy::parse_time(text + "T00:00+09:00");
        if (!start)
        {
            return std::nullopt;
        }
        return audit::rfc3339_ms(end_of_day ? *start + hours(24) : *start);
    }
    // policy::parse_time takes whole seconds: fractional ones (as in the
    // records' ts) are cut out and added back.
    auto rest = text;
    milliseconds ms{0};
    if (text.size() > 20 && text[19] == '.')
    {
        std::size_t end = 20;
        int digits = 0;
        int value = 0;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9')
        {
            if (digits++ < 3)
            {
                value = value * 10 + (text[end] - '0');
            }
            ++end;
        }
        if (digits == 0)
        {
            return std::nullopt;
        }
        for (; digits < 3; ++digits)
        {
            value *= 10;
        }
        ms = milliseconds(value);
        rest = text.substr(0, 19) + text.substr(end);
    }
    const auto t = policy::parse_time(rest);
    if (!t)
    {
        return std::nullopt;
    }
    return audit::rfc3339_ms(*t + ms);
}

std::string tokyo_day(std::string_view ts)
{
    using namespace std::chrono;
    const auto number = [&](std::size_t at, std::size_t n, int& out) {
        const auto* first = ts.data() + at;
        const auto r = std::from_chars(first, first + n, out);
        return r.ec == std::errc{} && r.ptr == first + n;
    };
    int y = 0, m = 0, d = 0, h = 0;
    if (ts.size() < 13 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || !number(0, 4, y) ||
        !number(5, 2, m) || !number(8, 2, d) || !number(11, 2, h))
    {
        return {};
    }
    const year_month_day utc{year{y} / m / d};
    if (!utc.ok())
    {
        return {};
    }
    const year_month_day jst{sys_days{utc} + days{h + 9 >= 24 ? 1 : 0}};
    char out[16];
    std::snprintf(out,
                  sizeof out,
                  "%04d-%02u-%02u",
                  static_cast<int>(jst.year()),
                  static_cast<unsigned>(jst.month()),
                  static_cast<unsigned>(jst.day()));
    return out;
}

std::string field_text(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null())
    {
        return {};
    }
    if (v->is_string())
    {
        return std::string(v->get_string());
    }
    return boost::json::serialize(*v);
}

std::uint64_t field_number(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr)
    {
        return 0;
    }
    if (v->is_uint64())
    {
        return v->get_uint64();
    }
    if (v->is_int64())
    {
        return v->get_int64() > 0 ? static_cast<std::uint64_t>(v->get_int64()) : 0;
    }
    if (v->is_double())
    {
        return v->get_double() > 0 ? static_cast<std::uint64_t>(v->get_double()) : 0;
    }
    return 0;
}

bool is_tunnel_event(std::string_view event)
{
    return event == "tunnel_allowed" || event == "tunnel_denied" || event == "connection_failed";
}

bool is_mynumber_attempt(std::string_view event, const boost::json::object& o)
{
    return is_tunnel_event(event) &&
           (field_text(o, "zone") == "mynumber" || field_text(o, "reason").starts_with("mynumber"));
}

bool is_uncatalogued_attempt(std::string_view event, const boost::json::object& o)
{
    if (event != "tunnel_denied")
    {
        return false;
    }
    const auto reason = field_text(o, "reason");
    return reason == "not_catalogued" || reason.starts_with("certification_");
}

scan_summary for_each_record(const std::vector<audit::log_file>& files,
                             const record_filter& filter,
                             const std::function<void(const record&)>& fn)
{
    scan_summary s;
    line_parser parser;
    const auto unreadable = [&](const audit::log_file& f, std::size_t number) {
        if (s.unreadable++ == 0)
        {
            s.first_unreadable = f.path + ":" + std::to_string(number);
        }
    };
    for (const auto& f : files)
    {
        audit::for_each_line(f.text, [&](std::size_t number, std::string_view line, bool) {
            ++s.lines;
            const auto e = audit::read_envelope(line);
            if (!e)
            {
                unreadable(f, number);
                return true;
            }
            // What the envelope tells is checked before the line is parsed.
            if ((filter.from && e->ts < *filter.from) || (filter.to && e->ts >= *filter.to) ||
                (!e->event.empty() && ((!filter.bookkeeping && is_bookkeeping(e->event)) ||
                                       (filter.event && !filter.event->matches(e->event)))))
            {
                return true;
            }
            const bool parsed = parser.parse(line, [&](const boost::json::object& o) {
                const auto event_text = e->event.empty() ? field_text(o, "event") : std::string(e->event);
                if ((!filter.bookkeeping && is_bookkeeping(event_text)) ||
                    (filter.event && !filter.event->matches(event_text)) ||
                    (filter.mynumber && !is_mynumber_attempt(event_text, o)))
                {
                    return;
                }
                for (const auto& nf : field_filters)
                {
                    const auto& m = filter.*nf.member;
                    if (m && !m->matches(field_text(o, nf.field)))
                    {
                        return;
                    }
                }
                ++s.matched;
                if (s.hosts.size() < 64)
                {
                    s.hosts.insert(field_text(o, "host"));
                }
                fn(record{e->seq, e->ts, event_text, line, o});
            });
            if (!parsed)
            {
                unreadable(f, number);
            }
            return true;
        });
    }
    return s;
}

void warn_unreadable(std::string_view command, const scan_summary& summary)
{
    if (summary.unreadable == 0)
    {
        return;
    }
    std::fprintf(
        stderr,
        "sekisho-audit %.*s: warning: %llu line(s) are not audit records and were skipped, the first "
        "at %s (sekisho-audit verify tells why)\n",
        static_cast<int>(command.size()),
        command.data(),
        static_cast<unsigned long long>(summary.unreadable),
        summary.first_unreadable.c_str());
}

} // namespace sekisho::audit_tool
