// sekisho-audit query and report on one audit log: the page's figures
// (data-figure attributes) must be what query finds in the same files, the
// My Number attempts are each listed, strings from the log are escaped, the
// page stands alone and renders in headless Chromium, and the period
// follows Asia/Tokyo days. The log is written with the daemon's own writer
// (daemon/audit/writer.hpp), so it is chained and signed like a real one;
// one case reads what a real sekishod wrote.

#include "daemon/audit/keys.hpp"
#include "daemon/audit/line.hpp"
#include "daemon/audit/writer.hpp"
#include "harness/checks.hpp"
#include "harness/signin.hpp"

#include <csignal>
#include <ctime>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

using namespace sekisho::test;
namespace audit = sekisho::audit;

namespace {

constexpr const char* hostile_user = "<script>alert(\"x\")</script>";
constexpr const char* hostile_target = "\"><img src=x onerror=alert(1)>:443";
constexpr const char* formula_user = "=HYPERLINK(\"http://evil.test\",\"x\")";
constexpr const char* quoted_user = "o'brien, \"bob\"";

run_result tool(const temp_dir& dir, std::vector<std::string> args)
{
    std::vector<std::string> argv{SEKISHO_AUDIT_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, dir, std::chrono::seconds(30));
}

boost::json::object tunnel(std::uint64_t id,
                           const char* decision,
                           boost::json::value user,
                           boost::json::value department,
                           const char* target,
                           const char* zone,
                           const char* service,
                           const char* reason)
{
    return {{"tunnel", id},
            {"decision", decision},
            {"peer", "198.51.100.7:50123"},
            {"listener", "internet"},
            {"layer", "internet"},
            {"device", "pc-0" + std::to_string(id % 5)},
            {"user", std::move(user)},
            {"department", std::move(department)},
            {"target", target},
            {"zone", zone},
            {"service", service},
            {"reason", reason},
            {"status", decision == std::string("allow") ? 200 : 403}};
}

// The mix every check below reads: two departments and a user without
// one, sessions with durations, allowed tunnels to three services, denials
// for seven reasons (four attempts toward My Number), hostile strings.
void write_log(const temp_dir& dir, const std::string& folder)
{
    const auto keygen = tool(dir, {"keygen", "--out", dir.file("audit.key")});
    BOOST_REQUIRE_MESSAGE(keygen.exit_code == 0, keygen.err);
    std::string error;
    auto key = audit::signing_key::load(dir.file("audit.key"), error);
    BOOST_REQUIRE_MESSAGE(key, error);
    sekisho::config::audit_settings s;
    s.directory = folder;
    s.checkpoint_events = 7;
    s.rotate_bytes = 4096; // several files, the chain continued across them
    auto w = audit::writer::open(s, std::move(*key), "gw1", error);
    BOOST_REQUIRE_MESSAGE(w, error);
    const auto add = [&](std::string_view event, const boost::json::object& fields) {
        BOOST_REQUIRE(w->append(event, fields, true));
    };
    const boost::json::value none = nullptr;
    add("daemon_start", {{"version", "test"}});
    add("policy_loaded", {{"policy", std::string(64, 'a')}});
    const std::vector<std::tuple<const char*, boost::json::value, std::uint64_t>> sessions = {
        {"alice", "総務課", 5'400'000},
        {"bob", "総務課", 3'600'000},
        {"carol", "税務課", 7'200'000},
        {"dave", none, 1'800'000}};
    int n = 0;
    for (const auto& [user, dept, ms] : sessions)
    {
        const auto session = "s" + std::to_string(++n);
        add("session_opened",
            {{"session", session},
             {"user", user},
             {"department", dept},
             {"layer", "internet"},
             {"peer", "198.51.100.7:1"}});
        add("session_closed",
            {{"session", session},
             {"user", user},
             {"department", dept},
             {"cause", "signed_out"},
             {"duration_ms", ms}});
    }
    add("session_opened", {{"session", "s5"}, {"user", "carol"}, {"department", "税務課"}}); // still open

    std::uint64_t id = 0;
    const auto allow = [&](const char* user, const char* dept, const char* service, int times) {
        for (int i = 0; i < times; ++i)
        {
            add("tunnel_allowed",
                tunnel(++id, "allow", user, dept, "app.example:443", "internet", service, "allowed"));
        }
    };
    allow("alice", "総務課", "groupware", 3);
    allow("alice", "総務課", "mail", 1);
    allow("bob", "総務課", "groupware", 2);
    allow("carol", "税務課", "tax-asp", 4);
    allow("carol", "税務課", "groupware", 1);
    add("tunnel_allowed", tunnel(++id, "allow", "dave", none, "intra.lgwan:443", "lgwan", "", "allowed"));
    add("tunnel_closed",
        {{"tunnel", 1}, {"service", "groupware"}, {"bytes_up", 100}, {"bytes_down", 1000}, {"cause", "eof"}});
    add("tunnel_closed",
        {{"tunnel", 2}, {"service", "groupware"}, {"bytes_up", 200}, {"bytes_down", 2000}, {"cause", "eof"}});
    add("tunnel_closed", {{"tunnel", 7}, {"service", "tax-asp"}, {"bytes_up", 50}, {"bytes_down", 500}});

    const auto deny = [&](boost::json::value user,
                          const char* dept,
                          const char* target,
                          const char* zone,
                          const char* service,
                          const char* reason) {
        add("tunnel_denied", tunnel(++id, "deny", std::move(user), dept, target, zone, service, reason));
    };
    deny("alice", "総務課", "juki.mynumber.test:443", "mynumber", "", "mynumber_zone");
    deny("carol", "税務課", "127.0.20.1:22", "mynumber", "", "mynumber_zone");
    deny("bob", "総務課", "tax.lgwan:443", "lgwan", "", "mynumber_terminal_required");
    deny(hostile_user, "<b>&amp;", hostile_target, "mynumber", "", "outside_hours");
    deny("alice", "総務課", "dropbox.example:443", "internet", "", "not_catalogued");
    deny("alice", "総務課", "dropbox.example:443", "internet", "", "not_catalogued");
    deny("carol", "税務課", "dropbox.example:443", "internet", "", "not_catalogued");
    deny(formula_user, "総務課", "pastebin.example:443", "internet", "", "not_catalogued");
    deny("carol", "税務課", "old-saas.example:443", "internet", "old-saas", "certification_expired");
    deny(quoted_user, "総務課", "news.example:443", "internet", "", "outside_hours");
    auto escape = tunnel(++id, "deny", "bob", "総務課", "news.example:443", "internet", "", "outside_hours");
    escape["device"] = "pc-9\x1b[2J\x1b]0;owned\x07";
    add("tunnel_denied", escape);
    deny(none, "", "groupware.example:443", "internet", "groupware", "auth_required");
    add("connection_failed",
        tunnel(++id, "error", "alice", "総務課", "mail.example:443", "internet", "mail", "connect_failed"));
    add("auth_failed", {{"user", "mallory"}, {"layer", "internet"}, {"result", "bad_password"}});
    add("auth_failed", {{"user", "mallory"}, {"layer", "internet"}, {"result", "bad_password"}});
    add("auth_locked", {{"user", "mallory"}, {"layer", "internet"}, {"result", "locked"}});
    add("daemon_stop", {{"cause", "SIGTERM"}});
    w->close();
}

std::string unescape(std::string s)
{
    for (const auto& [from, to] :
         {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}})
    {
        for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + 1))
        {
            s.replace(at, std::string_view(from).size(), to);
        }
    }
    return s;
}

// data-figure="NAME" → the element's text.
std::map<std::string, std::string> figures(const std::string& html)
{
    static const std::regex figure(R"re(data-figure="([^"]*)"[^>]*>([^<]*)<)re");
    std::map<std::string, std::string> out;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), figure); it != std::sregex_iterator(); ++it)
    {
        const auto name = unescape((*it)[1]);
        BOOST_TEST(out.count(name) == 0U, "figure " << name << " appears twice");
        out[name] = unescape((*it)[2]);
    }
    return out;
}

std::set<std::string> mynumber_rows(const std::string& html)
{
    static const std::regex row(R"re(<tr class="mynumber" data-seq="(\d+)">)re");
    std::set<std::string> out;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), row); it != std::sregex_iterator(); ++it)
    {
        out.insert((*it)[1]);
    }
    return out;
}

std::vector<boost::json::object> json_lines(const run_result& r)
{
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::vector<boost::json::object> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
    {
        out.push_back(boost::json::parse(line).as_object());
    }
    return out;
}

// RFC 4180: rows of fields, quotes undone.
std::vector<std::vector<std::string>> csv(const std::string& text)
{
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        const char c = text[i];
        if (quoted)
        {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
            {
                rows.back().back() += '"';
                ++i;
            }
            else if (c == '"')
            {
                quoted = false;
            }
            else
            {
                rows.back().back() += c;
            }
        }
        else if (c == '"')
        {
            quoted = true;
        }
        else if (c == ',')
        {
            rows.back().emplace_back();
        }
        else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
        {
            ++i;
            rows.emplace_back(1);
        }
        else
        {
            rows.back().back() += c;
        }
    }
    if (rows.back().size() == 1 && rows.back()[0].empty())
    {
        rows.pop_back();
    }
    return rows;
}

std::string key_of(const boost::json::object& o, const char* field)
{
    const auto v = str(o, field);
    return v.empty() ? "-" : v;
}

std::string hours(std::uint64_t ms)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(ms) / 3'600'000.0);
    return buf;
}

std::uint64_t count_of(const temp_dir& dir, const std::string& folder, std::vector<std::string> filters)
{
    std::vector<std::string> args{"query", "--count"};
    args.insert(args.end(), filters.begin(), filters.end());
    args.push_back(folder);
    const auto r = tool(dir, args);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return std::stoull(r.out);
}

// The JST date of a record's ts, computed here independently of the tool.
std::string jst_date(const std::string& ts)
{
    std::tm tm{};
    BOOST_REQUIRE(strptime(ts.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
    const auto t = timegm(&tm) + 9 * 3600;
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

struct fixture
{
    temp_dir dir;
    std::string folder = dir.file("audit");
    std::string page = dir.file("report.html");
    fixture() { write_log(dir, folder); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(audit_report)

BOOST_AUTO_TEST_CASE(the_pages_figures_are_what_query_finds)
{
    fixture f;
    BOOST_TEST(std::distance(std::filesystem::directory_iterator(f.folder), {}) > 1); // rotated
    const auto made =
        tool(f.dir, {"report", "--html", f.page, "--key", f.dir.file("audit.key.pub"), f.folder});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.out + made.err);
    const auto html = read_file(f.page);
    const auto fig = figures(html);
    BOOST_TEST(fig.at("verify.result") == "ok");
    BOOST_TEST(fig.at("records") == std::to_string(count_of(f.dir, f.folder, {})));

    // Denied attempts by reason: every reason query finds, with its count.
    const auto denied =
        json_lines(tool(f.dir, {"query", "--format", "json", "--event", "tunnel_denied", f.folder}));
    std::map<std::string, std::uint64_t> by_reason;
    for (const auto& r : denied)
    {
        ++by_reason[key_of(r, "reason")];
    }
    BOOST_TEST(by_reason.size() == 6U);
    BOOST_TEST(fig.at("denied.total") == std::to_string(denied.size()));
    BOOST_TEST(fig.at("tunnels.denied") == std::to_string(denied.size()));
    std::size_t reason_figures = 0;
    for (const auto& [name, value] : fig)
    {
        reason_figures += name.starts_with("denied.reason.") ? 1U : 0U;
    }
    BOOST_TEST(reason_figures == by_reason.size());
    for (const auto& [reason, n] : by_reason)
    {
        BOOST_TEST(fig.at("denied.reason." + reason) == std::to_string(n), reason);
    }
    BOOST_TEST(fig.at("denied.reason.mynumber_zone") == "2");

    // Every attempt toward My Number is a row of its own, highlighted.
    std::set<std::string> toward_mynumber;
    for (const auto& filter : {std::vector<std::string>{"--zone", "mynumber"}, {"--reason", "mynumber*"}})
    {
        auto args = std::vector<std::string>{"query", "--format", "csv"};
        args.insert(args.end(), filter.begin(), filter.end());
        args.push_back(f.folder);
        const auto r = tool(f.dir, args);
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        const auto rows = csv(r.out);
        BOOST_REQUIRE(!rows.empty());
        BOOST_TEST(rows[0][0] == "seq");
        for (std::size_t i = 1; i < rows.size(); ++i)
        {
            toward_mynumber.insert(rows[i][0]);
        }
    }
    BOOST_TEST(toward_mynumber.size() == 4U);
    BOOST_TEST(fig.at("mynumber.attempts") == "4");
    BOOST_TEST(mynumber_rows(html) == toward_mynumber);
    BOOST_TEST(count_of(f.dir, f.folder, {"--mynumber"}) == 4U);
    BOOST_TEST(html.find("tr.mynumber td{background:#fde4e4;color:#8b0000}") != std::string::npos);

    // Uncatalogued or expired services, per target and in total.
    const auto uncatalogued = count_of(f.dir, f.folder, {"--reason", "not_catalogued"}) +
                              count_of(f.dir, f.folder, {"--reason", "certification_*"});
    BOOST_TEST(uncatalogued == 5U);
    BOOST_TEST(fig.at("uncatalogued.total") == std::to_string(uncatalogued));
    std::map<std::string, std::uint64_t> tried;
    std::map<std::string, std::set<std::string>> tried_by;
    for (const auto& r : denied)
    {
        const auto reason = str(r, "reason");
        if (reason == "not_catalogued" || reason.starts_with("certification_"))
        {
            const auto name = reason + "." + key_of(r, "target");
            ++tried[name];
            tried_by[name].insert(str(r, "user"));
        }
    }
    for (const auto& [name, n] : tried)
    {
        BOOST_TEST(fig.at("uncatalogued." + name) == std::to_string(n), name);
        BOOST_TEST(fig.at("uncatalogued.users." + name) == std::to_string(tried_by[name].size()), name);
    }
    BOOST_TEST(fig.at("uncatalogued.not_catalogued.dropbox.example:443") == "3");
    BOOST_TEST(fig.at("uncatalogued.users.not_catalogued.dropbox.example:443") == "2");
    BOOST_TEST(fig.at("uncatalogued.certification_expired.old-saas.example:443") == "1");

    // Top services: allowed tunnels and distinct users per service.
    std::map<std::string, std::uint64_t> tunnels;
    std::map<std::string, std::set<std::string>> users;
    for (const auto& r : json_lines(tool(
             f.dir, {"query", "--format", "json", "--decision", "allow", "--event", "tunnel_*", f.folder})))
    {
        ++tunnels[key_of(r, "service")];
        users[key_of(r, "service")].insert(str(r, "user"));
    }
    BOOST_TEST(tunnels.size() == 4U);
    for (const auto& [service, n] : tunnels)
    {
        BOOST_TEST(fig.at("service.tunnels." + service) == std::to_string(n), service);
        BOOST_TEST(fig.at("service.users." + service) == std::to_string(users[service].size()), service);
    }
    BOOST_TEST(fig.at("service.tunnels.groupware") == "6");
    BOOST_TEST(fig.at("service.bytes.groupware") == "3300");
    BOOST_TEST(html.find("data-figure=\"service.tunnels.groupware\"") <
               html.find("data-figure=\"service.tunnels.tax-asp\"")); // most used first

    // Telework by department: sessions opened, hours of the sessions closed.
    std::map<std::string, std::uint64_t> sessions, ms;
    for (const auto& r :
         json_lines(tool(f.dir, {"query", "--format", "json", "--event", "session_*", f.folder})))
    {
        if (str(r, "event") == "session_opened")
        {
            ++sessions[key_of(r, "department")];
        }
        else
        {
            ms[key_of(r, "department")] += static_cast<std::uint64_t>(num(r, "duration_ms"));
        }
    }
    BOOST_TEST(sessions.size() == 3U);
    std::uint64_t all_ms = 0;
    for (const auto& [dept, n] : sessions)
    {
        BOOST_TEST(fig.at("department.sessions." + dept) == std::to_string(n), dept);
        BOOST_TEST(fig.at("department.hours." + dept) == hours(ms[dept]), dept);
        all_ms += ms[dept];
    }
    BOOST_TEST(fig.at("department.sessions.総務課") == "2");
    BOOST_TEST(fig.at("department.hours.税務課") == "2.0");
    BOOST_TEST(fig.at("department.users.総務課") == "2");
    BOOST_TEST(fig.at("hours.total") == hours(all_ms));
    BOOST_TEST(fig.at("sessions.total") == "5");

    // By day: each Asia/Tokyo day's figures are what query finds for that day.
    std::uint64_t day_sessions = 0;
    for (const auto& [name, value] : fig)
    {
        if (name.starts_with("day.sessions."))
        {
            const auto day = name.substr(13);
            BOOST_TEST(value ==
                       std::to_string(count_of(
                           f.dir, f.folder, {"--from", day, "--to", day, "--event", "session_opened"})));
            day_sessions += std::stoull(value);
        }
    }
    BOOST_TEST(day_sessions == 5U);
    BOOST_TEST(fig.at("auth.failed") == "2");
    BOOST_TEST(fig.at("auth.locked") == "1");
    BOOST_TEST(fig.at("tunnels.failed") == "1");
}

BOOST_AUTO_TEST_CASE(log_strings_are_escaped_and_the_page_stands_alone)
{
    fixture f;
    const auto made = tool(f.dir, {"report", "--html", f.page, "--lang", "en", f.folder});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    BOOST_TEST(made.out.find("not verified") != std::string::npos, made.out);
    const auto html = read_file(f.page);
    BOOST_TEST(figures(html).at("verify.result") == "not_verified");
    BOOST_TEST(html.find("<html lang=\"en\">") != std::string::npos);
    // Both languages, whichever comes first.
    BOOST_TEST(html.find("テレワーク利用状況") != std::string::npos);
    BOOST_TEST(html.find("Telework utilisation by department") != std::string::npos);
    for (const auto* absent :
         {"<script", "<img", "<link", "<iframe", "<object", "url(", "@import", "href=\"", "src=\""})
    {
        BOOST_TEST(html.find(absent) == std::string::npos, absent);
    }
    BOOST_TEST(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") != std::string::npos);
    BOOST_TEST(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;:443") != std::string::npos);
    BOOST_TEST(html.find("&lt;b&gt;&amp;amp;") != std::string::npos);
    BOOST_TEST(html.find('\x1b') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_page_renders_in_headless_chromium)
{
    BOOST_REQUIRE_MESSAGE(std::filesystem::exists("/usr/bin/chromium"),
                          "chromium is not installed (scripts/install-deps installs it)");
    fixture f;
    const auto made =
        tool(f.dir, {"report", "--html", f.page, "--key", f.dir.file("audit.key.pub"), f.folder});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    const auto fig = figures(read_file(f.page));
    const std::map<std::string, std::string> env{{"HOME", f.dir.path()}};
    const std::vector<std::string> chromium{"timeout",
                                            "--kill-after=5",
                                            "90",
                                            "chromium",
                                            "--headless",
                                            "--disable-gpu",
                                            "--no-sandbox",
                                            "--user-data-dir=" + f.dir.file("chromium"),
                                            "--window-size=1280,3000"};
    auto dump = chromium;
    dump.insert(dump.end(), {"--dump-dom", "file://" + f.page});
    const auto dom = run(dump, f.dir, std::chrono::seconds(120), env);
    BOOST_REQUIRE_MESSAGE(dom.exit_code == 0, dom.err);
    // The DOM Chromium built holds the same figures, and the hostile strings
    // stayed text.
    const auto rendered = figures(dom.out);
    for (const auto* name : {"mynumber.attempts",
                             "denied.total",
                             "denied.reason.mynumber_zone",
                             "uncatalogued.total",
                             "service.tunnels.groupware",
                             "department.hours.総務課",
                             "verify.result"})
    {
        BOOST_TEST(rendered.at(name) == fig.at(name), name);
    }
    BOOST_TEST(mynumber_rows(dom.out).size() == 4U);
    BOOST_TEST(dom.out.find("<svg") != std::string::npos);
    BOOST_TEST(dom.out.find("<img") == std::string::npos);
    BOOST_TEST(dom.out.find("<script") == std::string::npos);

    auto shot = chromium;
    shot.insert(shot.end(), {"--screenshot=" + f.dir.file("report.png"), "file://" + f.page});
    const auto png = run(shot, f.dir, std::chrono::seconds(120), env);
    BOOST_REQUIRE_MESSAGE(png.exit_code == 0, png.err);
    const auto image = read_file(f.dir.file("report.png"));
    BOOST_TEST(image.size() > 10'000U);
    BOOST_TEST(image.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
}

BOOST_AUTO_TEST_CASE(query_formats_and_filters)
{
    fixture f;
    // Table: aligned columns, control characters defused.
    const auto table =
        tool(f.dir, {"query", "--event", "tunnel_denied", "--reason", "outside_hours", f.folder});
    BOOST_REQUIRE_MESSAGE(table.exit_code == 0, table.err);
    std::vector<std::string> lines;
    std::istringstream in(table.out);
    for (std::string line; std::getline(in, line);)
    {
        lines.push_back(line);
    }
    BOOST_REQUIRE(lines.size() == 4U); // header and three rows
    BOOST_TEST(lines[0].starts_with("ts"));
    const auto event_column = lines[0].find("event");
    for (std::size_t i = 1; i < lines.size(); ++i)
    {
        BOOST_TEST(lines[i].substr(event_column, 13) == "tunnel_denied", lines[i]);
    }
    BOOST_TEST(table.out.find('\x1b') == std::string::npos);
    BOOST_TEST(table.out.find("pc-9?[2J?]0;owned?") != std::string::npos, table.out);

    // CSV: quoting, and no formula a spreadsheet would run.
    const auto rows = csv(tool(f.dir, {"query", "--format", "csv", "--department", "総務課", f.folder}).out);
    std::set<std::string> csv_users;
    for (std::size_t i = 1; i < rows.size(); ++i)
    {
        BOOST_REQUIRE(rows[i].size() == rows[0].size());
        csv_users.insert(rows[i][4]);
    }
    BOOST_TEST(rows[0][4] == "user");
    BOOST_TEST(csv_users.count(quoted_user) == 1U);
    BOOST_TEST(csv_users.count(std::string("'") + formula_user) == 1U);

    // JSON: the lines exactly as written.
    const auto json = tool(f.dir, {"query", "--format", "json", "--user", "carol", f.folder});
    BOOST_REQUIRE(json.exit_code == 0);
    std::string written;
    for (const auto& file : std::filesystem::directory_iterator(f.folder))
    {
        written += read_file(file.path().string());
    }
    std::istringstream json_in(json.out);
    std::size_t carol = 0;
    for (std::string line; std::getline(json_in, line); ++carol)
    {
        BOOST_TEST(written.find(line + "\n") != std::string::npos, line);
    }
    BOOST_TEST(carol == 11U);
    BOOST_TEST(count_of(f.dir, f.folder, {"--user", "carol", "--layer", "internet", "--decision", "deny"}) ==
               3U);
    BOOST_TEST(count_of(f.dir, f.folder, {"--device", "pc-0*", "--zone", "mynumber"}) == 3U);
    BOOST_TEST(count_of(f.dir, f.folder, {"--service", "groupware", "--event", "tunnel_allowed"}) == 6U);

    // Bookkeeping lines only when asked for.
    BOOST_TEST(count_of(f.dir, f.folder, {"--event", "checkpoint"}) > 0U);
    BOOST_TEST(count_of(f.dir, f.folder, {"--all"}) ==
               count_of(f.dir, f.folder, {}) + count_of(f.dir, f.folder, {"--event", "checkpoint"}) +
                   count_of(f.dir, f.folder, {"--event", "log_continued"}));

    // Times: --from inclusive, --to exclusive, in the records' own terms.
    const auto all = json_lines(tool(f.dir, {"query", "--format", "json", f.folder}));
    const auto first = str(all.front(), "ts"), last = str(all.back(), "ts");
    BOOST_TEST(count_of(f.dir, f.folder, {"--to", first}) == 0U);
    BOOST_TEST(count_of(f.dir, f.folder, {"--from", first}) == all.size());
    BOOST_TEST(count_of(f.dir, f.folder, {"--from", last}) >= 1U);
    std::set<std::string> days;
    for (const auto& r : all)
    {
        days.insert(jst_date(str(r, "ts")));
    }
    std::uint64_t by_day = 0;
    for (const auto& d : days)
    {
        by_day += count_of(f.dir, f.folder, {"--from", d, "--to", d});
    }
    BOOST_TEST(by_day == all.size());

    // Usage errors: exit 1 and the reason.
    for (const auto& [args, says] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"query", "--decision", "maybe", f.folder}, "--decision `maybe`"},
             {{"query", "--from", "2026-02-30", f.folder}, "--from `2026-02-30` is not a time"},
             {{"query", "--from", "2026-11-23", "--to", "2026-11-22", f.folder}, "the period is empty"},
             {{"query", "--format", "xml", f.folder}, "--format `xml`"},
             {{"query", f.dir.file("missing.log")}, "cannot read"},
             {{"query", "--bogus", f.folder}, "unknown option --bogus"},
             {{"report", f.folder}, "--html OUT is required"},
             {{"report", "--html", f.page, "--lang", "fr", f.folder}, "--lang `fr`"}})
    {
        const auto r = tool(f.dir, args);
        BOOST_TEST(r.exit_code == 1, args[1]);
        BOOST_TEST(r.err.find(says) != std::string::npos, r.err);
    }
}

BOOST_AUTO_TEST_CASE(days_and_periods_are_tokyo_days)
{
    // Hand-made lines at the edges of 2026-11-22 in Asia/Tokyo (UTC+9).
    temp_dir dir;
    std::string text;
    std::uint64_t seq = 0;
    for (const auto* ts : {"2026-11-21T14:59:59.999Z",
                           "2026-11-21T15:00:00.000Z",
                           "2026-11-22T14:59:59.999Z",
                           "2026-11-22T15:00:00.000Z"})
    {
        audit::append_envelope(text, ++seq, ts, "\"gw1\"", audit::genesis_prev());
        text += "\"event\":\"session_opened\",\"user\":\"alice\",\"department\":\"総務課\"}\n";
    }
    write_file(dir.file("audit.log"), text);
    const auto folder = dir.path();
    BOOST_TEST(count_of(dir, folder, {"--from", "2026-11-22", "--to", "2026-11-22"}) == 2U);
    BOOST_TEST(count_of(dir, folder, {"--from", "2026-11-22T00:00+09:00", "--to", "2026-11-22T15:00:00Z"}) ==
               2U);
    BOOST_TEST(count_of(dir, folder, {"--from", "2026-11-21T15:00:00.001Z"}) == 2U);
    BOOST_TEST(count_of(dir, folder, {"--to", "2026-11-21"}) == 1U);
    const auto page = dir.file("r.html");
    const auto made =
        tool(dir, {"report", "--html", page, "--from", "2026-11-22", "--to", "2026-11-22", folder});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    const auto fig = figures(read_file(page));
    BOOST_TEST(fig.at("day.sessions.2026-11-22") == "2");
    BOOST_TEST(fig.count("day.sessions.2026-11-21") == 0U);
    BOOST_TEST(fig.at("period.first") == "2026-11-21T15:00:00.000Z");
    BOOST_TEST(fig.at("period.last") == "2026-11-22T14:59:59.999Z");
    // Not a chained log: verification says so, with the verdict's exit code.
    const auto keygen = tool(dir, {"keygen", "--out", dir.file("k")});
    BOOST_REQUIRE(keygen.exit_code == 0);
    const auto checked = tool(dir, {"report", "--html", page, "--key", dir.file("k.pub"), folder});
    BOOST_TEST(checked.exit_code > 1, checked.out + checked.err);
    BOOST_TEST(figures(read_file(page)).at("verify.result") != "ok");
}

BOOST_AUTO_TEST_CASE(a_tampered_log_is_reported_as_such)
{
    fixture f;
    // Rewrite one allowed tunnel's user in whichever file holds it.
    bool changed = false;
    for (const auto& file : std::filesystem::directory_iterator(f.folder))
    {
        auto text = read_file(file.path().string());
        const auto at =
            text.find("\"user\":\"carol\",\"department\":\"税務課\",\"target\":\"app.example:443\"");
        if (!changed && at != std::string::npos)
        {
            text.replace(at, 14, "\"user\":\"carl\"");
            write_file(file.path().string(), text);
            changed = true;
        }
    }
    BOOST_REQUIRE(changed);
    const auto made =
        tool(f.dir, {"report", "--html", f.page, "--key", f.dir.file("audit.key.pub"), f.folder});
    BOOST_TEST(made.exit_code > 1, made.out + made.err);
    BOOST_TEST(made.out.find("FAILED") != std::string::npos, made.out);
    const auto fig = figures(read_file(f.page));
    BOOST_TEST(fig.at("verify.result") != "ok");
    BOOST_TEST(fig.at("verify.result") != "not_verified");
    BOOST_TEST(!fig.at("verify.message").empty());
}

BOOST_AUTO_TEST_CASE(a_log_the_daemon_wrote_reports_like_query)
{
    temp_dir keys;
    const auto keygen = tool(keys, {"keygen", "--out", keys.file("audit.key")});
    BOOST_REQUIRE_MESSAGE(keygen.exit_code == 0, keygen.err);
    auto o = auth_options();
    const std::string alice = "{id: alice, name: Alice, roles: [staff]}";
    const auto at = o.policy.find(alice);
    BOOST_REQUIRE(at != std::string::npos);
    o.policy.replace(at, alice.size(), "{id: alice, name: Alice, department: 総務課, roles: [staff]}");
    o.files.emplace_back("audit.key", read_file(keys.file("audit.key")));
    o.extra_config += "audit:\n  directory: audit\n  signing_key: audit.key\n";
    const auto& w = world::get();
    {
        gateway g(o);
        {
            tls_client c(g.internet(), "device-alice");
            const auto head = connect_as(c, basic("alice", "correct horse" + code_now()), echo_target());
            BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
            BOOST_REQUIRE(c.send("ping"));
            BOOST_REQUIRE(c.recv_exactly(4) == "ping");
        }
        for (const auto& target : {"juki.mynumber.test:" + std::to_string(w.mynumber.port()),
                                   "127.0.20.1:" + std::to_string(w.mynumber.port()),
                                   "uncatalogued.cloud.test:" + std::to_string(w.cloud.port())})
        {
            tls_client d(g.internet(), "device-alice");
            const auto denied = connect_as(d, basic("alice", "correct horse" + code_now()), target);
            BOOST_TEST(denied.rfind("HTTP/1.1 403", 0) == 0, denied);
        }
        BOOST_REQUIRE(g.stop(SIGTERM) == 0);
        std::filesystem::copy(g.dir().file("audit"), keys.file("audit"));
    }
    const auto folder = keys.file("audit"), page = keys.file("report.html");
    const auto made = tool(keys, {"report", "--html", page, "--key", keys.file("audit.key.pub"), folder});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.out + made.err);
    const auto html = read_file(page);
    const auto fig = figures(html);
    BOOST_TEST(fig.at("verify.result") == "ok");

    std::set<std::string> seqs;
    for (const auto& r : json_lines(tool(keys, {"query", "--format", "json", "--mynumber", folder})))
    {
        seqs.insert(std::to_string(num(r, "seq")));
    }
    BOOST_TEST(seqs.size() == 2U);
    BOOST_TEST(mynumber_rows(html) == seqs);
    BOOST_TEST(fig.at("mynumber.attempts") == "2");
    BOOST_TEST(
        fig.at("denied.reason.mynumber_zone") ==
        std::to_string(count_of(keys, folder, {"--event", "tunnel_denied", "--reason", "mynumber_zone"})));
    BOOST_TEST(fig.at("uncatalogued.total") == "1");
    BOOST_TEST(fig.at("uncatalogued.not_catalogued.uncatalogued.cloud.test:" +
                      std::to_string(w.cloud.port())) == "1");
    const auto allowed = count_of(keys, folder, {"--event", "tunnel_allowed", "--service", "files"});
    BOOST_TEST(allowed >= 1U);
    BOOST_TEST(fig.at("service.tunnels.files") == std::to_string(allowed));
    const auto sessions = count_of(keys, folder, {"--event", "session_opened", "--department", "総務課"});
    BOOST_TEST(sessions >= 1U);
    BOOST_TEST(fig.at("department.sessions.総務課") == std::to_string(sessions));
    BOOST_TEST(fig.at("department.users.総務課") == "1");
}

BOOST_AUTO_TEST_SUITE_END()
