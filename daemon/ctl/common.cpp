#include "daemon/ctl/common.hpp"

#include "daemon/ctl/commands.hpp"
#include "daemon/i18n/catalog.hpp"
#include "policy/load.hpp"

#include <array>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace sekisho::ctl {

namespace {

constexpr std::array<const char*, 7> day_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct tokyo_fields
{
    int year = 0;
    unsigned month = 0;
    unsigned day = 0;
    long hour = 0;
    long minute = 0;
    long second = 0;
    unsigned weekday = 0; // 0 = Sunday
};

// Asia/Tokyo is UTC+9 all year (no daylight saving time).
tokyo_fields tokyo(policy::clock::time_point t)
{
    using namespace std::chrono;
    const auto local = floor<seconds>(t) + hours(9);
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const hh_mm_ss hms{local - day};
    return {static_cast<int>(ymd.year()),
            static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()),
            static_cast<long>(hms.hours().count()),
            static_cast<long>(hms.minutes().count()),
            static_cast<long>(hms.seconds().count()),
            weekday{day}.c_encoding()};
}

} // namespace

const char* usage_text()
{
    return "usage: sekishoctl policy check FILE [--json]\n"
           "       sekishoctl policy test FILE [--json]\n"
           "       sekishoctl policy explain FILE --layer lgwan|internet --target HOST:PORT\n"
           "                  [--user ID] [--device ID] [--mfa] [--resolves ADDR[,ADDR...]]\n"
           "                  [--at 2027-04-01T09:00+09:00] [--json]\n"
           "       sekishoctl policy diff OLD NEW [--at 2027-04-01T09:00+09:00] [--json]\n"
           "       sekishoctl policy matrix FILE [--html | --json]\n"
           "       sekishoctl user add --secrets FILE USER [--issuer NAME] [--invert] [--json]\n"
           "                  (a new user: the password, then the TOTP key and its QR code)\n"
           "       sekishoctl user passwd --secrets FILE USER [--json]\n"
           "                  (the password from the terminal, twice, or from stdin)\n"
           "       sekishoctl user totp-enroll --secrets FILE USER [--issuer NAME] [--invert] [--json]\n"
           "       sekishoctl user list --secrets FILE [--policy FILE] [--json]\n"
           "       sekishoctl user remove --secrets FILE USER [--json]\n"
           "       sekishoctl device add --inventory FILE --id ID --owner USER [--kind lent|byod]\n"
           "                  --cert device.pem [--json]\n"
           "       sekishoctl device lost --inventory FILE ID [--json]\n"
           "       sekishoctl device retire --inventory FILE ID [--json]\n"
           "       sekishoctl device list --inventory FILE [--json]\n"
           "       sekishoctl user lock --secrets FILE USER [--admin-socket PATH] [--json]\n"
           "       sekishoctl user unlock --secrets FILE USER [--admin-socket PATH] [--json]\n"
           "       sekishoctl catalog status --policy FILE [--within DAYS] [--at TIME] [--json]\n"
           "                  (expired/expiring certifications, reviews, exceptions; exit 1 if past due)\n"
           "       sekishoctl catalog import-ismap FILE.csv --registry FILE [--scheme ismap|ismap_liu]\n"
           "                  [--columns field=Header,...] [--today DATE] [--dry-run] [--json]\n"
           "       sekishoctl status [--admin-socket PATH] [--json]\n"
           "       sekishoctl reload [--admin-socket PATH] [--json]\n"
           "       sekishoctl session list [--user USER] [--device ID] [--admin-socket PATH] [--json]\n"
           "       sekishoctl session kill ID | --user USER | --device ID [--admin-socket PATH] [--json]\n"
           "       sekishoctl policy status [--admin-socket PATH] [--json]\n"
           "       sekishoctl metrics [--admin-socket PATH] [--json]\n"
           "       sekishoctl doctor [--config FILE] [--admin-socket PATH] [--warn-days N] [--strict]\n"
           "                  [--json] (checks of an installed gateway: OK / WARN / FAIL, what to do)\n"
           "The admin socket: --admin-socket, else $SEKISHO_ADMIN_SOCKET, else /run/sekisho/admin.sock.\n"
           "Every command takes --lang ja|en (else the locale: LANG=ja_JP.UTF-8 prints Japanese);\n"
           "--json output stays English.\n"
           "exit: 0 ok, 1 the policy has errors or a policy test failed, a user/device change was\n"
           "      refused or not written, sekishod refused or could not be reached, or a doctor\n"
           "      check failed (with --strict: or warned), 2 usage\n";
}

void print_error(const char* format, ...)
{
    std::va_list args;
    va_start(args, format);
    std::va_list again;
    va_copy(again, args);
    const int n = std::vsnprintf(nullptr, 0, format, args);
    va_end(args);
    std::string text(n > 0 ? static_cast<std::size_t>(n) : 0U, '\0');
    if (n > 0)
    {
        std::vsnprintf(text.data(), text.size() + 1, format, again);
    }
    va_end(again);
    while (!text.empty() && text.back() == '\n')
    {
        text.pop_back();
    }
    std::fprintf(stderr, "%s\n", i18n::message(text).c_str());
}

int usage(const char* problem)
{
    if (problem != nullptr)
    {
        print_error("sekishoctl: %s", problem);
    }
    std::fputs(usage_text(), stderr);
    return exit_usage;
}

std::optional<policy::clock::time_point> at_option(const options& o)
{
    const auto* text = o.get("--at");
    return text == nullptr ? std::optional(policy::clock::now()) : policy::parse_time(*text);
}

loaded_policy load(const std::string& file)
{
    loaded_policy out;
    auto loaded = policy::load_policy_file(file);
    out.diags.append(loaded.diags);
    if (!loaded.document)
    {
        return out;
    }
    auto doc = std::move(*loaded.document);
    out.test_defs = std::move(doc.tests);
    doc.tests.clear();
    auto snap = policy::compile(std::move(doc), {}, out.diags);
    if (out.diags.has_errors() || !snap)
    {
        return out;
    }
    out.snap = snap;
    out.tests = policy::evaluate_policy_tests(*snap, out.test_defs);
    return out;
}

bool usable(const loaded_policy& p, const std::string& file, const char* what)
{
    if (p.snap)
    {
        return true;
    }
    for (const auto& item : p.diags.items())
    {
        std::fprintf(stderr, "%s\n", i18n::format(item).c_str());
    }
    print_error("sekishoctl: %s has errors; nothing to %s\n", file.c_str(), what);
    return false;
}

boost::json::array diagnostics_json(const policy::diagnostics& d)
{
    boost::json::array a;
    for (const auto& item : d.items())
    {
        a.push_back({{"file", item.where.file},
                     {"line", item.where.line},
                     {"column", item.where.column},
                     {"severity", item.level == policy::severity::error ? "error" : "warning"},
                     {"message", item.message},
                     {"hint", item.hint}});
    }
    return a;
}

std::string verdict_text(const policy::decision& d)
{
    return std::string(d.allowed() ? "allow" : "deny") + " (" + std::string(policy::to_string(d.why)) +
           ") by " + d.rule_id;
}

std::string decision_text(const policy::decision& d)
{
    if (!d.allowed())
    {
        return "deny (" + std::string(policy::to_string(d.why)) + ", " + d.rule_id + ")";
    }
    std::string text = "allow (" + d.rule_id;
    if (!d.role_id.empty())
    {
        text += " via role " + d.role_id;
    }
    if (d.report_only())
    {
        text += "; would deny: " + std::string(policy::to_string(d.would_deny));
    }
    return text + ")";
}

boost::json::object decision_json(const policy::decision& d)
{
    return {{"result", d.allowed() ? "allow" : "deny"},
            {"reason", std::string(policy::to_string(d.why))},
            {"rule", d.rule_id},
            {"role", d.role_id},
            {"service", d.service_id},
            {"would_deny", d.report_only() ? std::string(policy::to_string(d.would_deny)) : std::string()},
            {"detail", d.detail}};
}

std::string last_day(policy::clock::time_point end)
{
    return tokyo_time(end - std::chrono::seconds(1)).substr(0, 10);
}

std::string json_text(const boost::json::value* v)
{
    if (v == nullptr || v->is_null())
    {
        return "-";
    }
    return v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
}

std::string json_time_jst(const boost::json::value* v)
{
    if (v == nullptr || !v->is_int64())
    {
        return "-";
    }
    const auto t = static_cast<std::time_t>(v->as_int64() + 9 * 3600);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S JST", &tm);
    return buf;
}

std::string tokyo_time(policy::clock::time_point t)
{
    const auto f = tokyo(t);
    char buf[64];
    std::snprintf(buf,
                  sizeof buf,
                  "%04d-%02u-%02u %02ld:%02ld JST (%s)",
                  f.year,
                  f.month,
                  f.day,
                  f.hour,
                  f.minute,
                  day_names[f.weekday % 7]);
    return buf;
}

std::string iso_time(policy::clock::time_point t)
{
    const auto f = tokyo(t);
    char buf[64];
    std::snprintf(buf,
                  sizeof buf,
                  "%04d-%02u-%02uT%02ld:%02ld:%02ld+09:00",
                  f.year,
                  f.month,
                  f.day,
                  f.hour,
                  f.minute,
                  f.second);
    return buf;
}

std::string duration_text(std::chrono::seconds s)
{
    constexpr std::array<std::pair<long long, const char*>, 4> units = {
        {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}};
    const bool negative = s.count() < 0;
    const long long total = negative ? -static_cast<long long>(s.count()) : static_cast<long long>(s.count());
    for (std::size_t i = 0; i < units.size(); ++i)
    {
        const auto n = total / units[i].first;
        if (n == 0)
        {
            continue;
        }
        std::string out = (negative ? "-" : "") + std::to_string(n) + units[i].second;
        if (i + 1 < units.size())
        {
            const auto next = (total % units[i].first) / units[i + 1].first;
            if (next > 0)
            {
                out += " " + std::to_string(next) + units[i + 1].second;
            }
        }
        return out;
    }
    return "0s";
}

std::string hours_text(const std::vector<policy::hours_window>& hours)
{
    if (hours.empty())
    {
        return "any time";
    }
    std::vector<std::string> parts;
    for (const auto& w : hours)
    {
        parts.push_back(policy::describe(w));
    }
    return join(parts, "; ");
}

bool on_layer(const policy::role& r, policy::layer l)
{
    return l == policy::layer::lgwan ? r.lgwan : r.internet;
}

std::string layers_text(const policy::role& r)
{
    std::vector<std::string> parts;
    if (r.lgwan)
    {
        parts.emplace_back("lgwan");
    }
    if (r.internet)
    {
        parts.emplace_back("internet");
    }
    return parts.empty() ? std::string("none") : join(parts, ", ");
}

std::string join(const std::vector<std::string>& items, std::string_view separator)
{
    std::string out;
    for (const auto& item : items)
    {
        if (!out.empty())
        {
            out += separator;
        }
        out += item;
    }
    return out;
}

} // namespace sekisho::ctl
