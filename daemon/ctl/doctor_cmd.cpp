// `sekishoctl doctor [--config FILE] [--admin-socket PATH] [--warn-days N]
// [--strict] [--json]`: loads sekisho.yaml and its policy exactly as
// `sekishod --check-config` does (app::load_everything), runs every check
// (doctor.hpp) and prints one line each, as text or JSON. Also the helpers
// the checks share (fill, not_checked, the date and size formats).
//
// Exit codes: 0 no check failed (warnings allowed, unless --strict), 1 a
// check failed (or, with --strict, warned), 2 usage.

#include "daemon/app/startup.hpp"
#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/doctor.hpp"
#include "daemon/i18n/catalog.hpp"

#include <boost/json.hpp>

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace sekisho::ctl::doctor {

namespace {

namespace json = boost::json;

constexpr const char* default_config = "/etc/sekisho/sekisho.yaml";

// The line of a check that needs sekisho.yaml when it does not load.
namespace not_checked_text {
constexpr const char* message = "not checked: the configuration does not load";
constexpr const char* action = "fix the configuration first (see config above)";
} // namespace not_checked_text

// The text report's last line.
constexpr const char* summary_text = "doctor: {ok} OK, {warn} WARN, {fail} FAIL";

const char* status_word(status s)
{
    return s == status::ok ? "OK" : s == status::warn ? "WARN" : "FAIL";
}

const char* status_key(status s)
{
    return s == status::ok ? "ok" : s == status::warn ? "warn" : "fail";
}

void print_text(const std::vector<finding>& all)
{
    std::size_t width = 16;
    for (const auto& f : all)
    {
        width = std::max(width, f.id.size() + 2);
    }
    const std::string indent(6 + width, ' ');
    for (const auto& f : all)
    {
        // Texts used as they are (no fields) are translated here; filled
        // ones already were (fill), and pass through unchanged.
        std::printf("%-6s%-*s%s\n",
                    status_word(f.level),
                    static_cast<int>(width),
                    f.id.c_str(),
                    i18n::message(f.message).c_str());
        for (const auto& d : f.details)
        {
            std::printf("%s%s\n", indent.c_str(), i18n::message(d).c_str());
        }
        for (const auto& a : f.actions)
        {
            std::printf("%s→ %s\n", indent.c_str(), i18n::message(a).c_str());
        }
    }
}

} // namespace

std::string fill(std::string_view en_text, fields values)
{
    // The template in the chosen language, then its fields; a value that is
    // itself a known text (a system error) is translated as written.
    return i18n::fill(i18n::text(en_text), values, true);
}

finding not_checked(std::string id)
{
    return {std::move(id), status::fail, not_checked_text::message, {}, {not_checked_text::action}};
}

std::string utc_text(std::time_t t)
{
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

long days_from(std::chrono::system_clock::time_point now, std::time_t t)
{
    const auto diff = t - std::chrono::system_clock::to_time_t(now);
    constexpr std::time_t day = 86400;
    return static_cast<long>(diff >= 0 ? diff / day : -((-diff + day - 1) / day));
}

std::string bytes_text(std::uint64_t bytes)
{
    char buf[32];
    if (bytes >= (1ULL << 30))
    {
        std::snprintf(
            buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / static_cast<double>(1ULL << 30));
    }
    else
    {
        std::snprintf(buf, sizeof buf, "%llu MiB", static_cast<unsigned long long>(bytes >> 20));
    }
    return buf;
}

int doctor_main(const std::vector<std::string>& args)
{
    static const std::vector<admin_command> command = {
        {"doctor", nullptr, {"--config", "--admin-socket", "--warn-days"}, {}, {"--strict"}}};
    std::vector<std::string> with_name{"doctor"};
    with_name.insert(with_name.end(), args.begin(), args.end());
    const auto a = parse_admin_args("sekishoctl", with_name, command);
    if (!a)
    {
        return exit_usage;
    }
    inputs in;
    in.config_path = a->get("--config") ? *a->get("--config") : default_config;
    in.now = std::chrono::system_clock::now();
    if (const auto* w = a->get("--warn-days"))
    {
        char* end = nullptr;
        const long n = std::strtol(w->c_str(), &end, 10);
        if (end == w->c_str() || *end != '\0' || n < 0 || n > max_warn_days)
        {
            return usage("--warn-days takes a number of days, 0 to 3650");
        }
        in.warn_days = static_cast<int>(n);
    }
    if (sodium_init() < 0)
    {
        std::fputs("sekishoctl: libsodium failed to initialise\n", stderr);
        return exit_failed;
    }
    // The same loading as `sekishod --check-config`; the settings once more
    // on their own, to check what can be checked even when something fails.
    const auto loaded = app::load_everything(in.config_path, false);
    const auto settings = config::load_settings_file(in.config_path);
    in.settings = settings.value ? &*settings.value : nullptr;
    in.settings_valid = in.settings != nullptr && !settings.diags.has_errors();
    if (loaded.state)
    {
        in.policy = loaded.state->policy.load();
    }
    else if (in.settings_valid && !in.settings->policy_file.empty())
    {
        in.policy = load(in.settings->policy_file).snap;
    }
    if (const auto* s = a->get("--admin-socket"))
    {
        in.admin_socket = *s;
    }
    else if (in.settings != nullptr && in.settings->admin)
    {
        in.admin_socket = in.settings->admin->socket;
    }

    std::vector<finding> all{check_config(in, loaded)};
    for (auto& list : {check_certificates(in), check_crls(in)})
    {
        all.insert(all.end(), list.begin(), list.end());
    }
    all.push_back(check_key_permissions(in));
    all.push_back(check_clock());
    all.push_back(check_audit_disk(in));
    all.push_back(check_listeners(in));
    all.push_back(check_daemon(in));
    for (auto& f : check_store(in))
    {
        all.push_back(std::move(f));
    }
    const auto catalog = check_catalog(in);
    all.insert(all.end(), catalog.begin(), catalog.end());

    std::size_t count[3] = {0, 0, 0};
    for (auto& f : all)
    {
        ++count[static_cast<int>(f.level)];
        // One action said once per line (two listeners fail the same way).
        std::vector<std::string> unique;
        for (auto& act : f.actions)
        {
            if (std::find(unique.begin(), unique.end(), act) == unique.end())
            {
                unique.push_back(std::move(act));
            }
        }
        f.actions = std::move(unique);
    }
    const bool failed = count[2] > 0 || (a->has("--strict") && count[1] > 0);
    if (a->json())
    {
        json::array checks;
        for (const auto& f : all)
        {
            json::object o{{"id", f.id},
                           {"status", status_key(f.level)},
                           {"message", f.message},
                           {"action", join(f.actions, "\n")}};
            if (!f.details.empty())
            {
                o["details"] = json::array(f.details.begin(), f.details.end());
            }
            checks.push_back(std::move(o));
        }
        print_json({{"config", in.config_path},
                    {"warn_days", in.warn_days},
                    {"checks", std::move(checks)},
                    {"summary", {{"ok", count[0]}, {"warn", count[1]}, {"fail", count[2]}}}});
    }
    else
    {
        print_text(all);
        std::printf("%s\n",
                    fill(summary_text,
                         {{"ok", std::to_string(count[0])},
                          {"warn", std::to_string(count[1])},
                          {"fail", std::to_string(count[2])}})
                        .c_str());
    }
    return failed ? exit_failed : exit_ok;
}

} // namespace sekisho::ctl::doctor
