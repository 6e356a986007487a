#include "daemon/audit_tool/report_html.hpp"

#include "daemon/audit_tool/report_charts.hpp"

#include <algorithm>
#include <cstdio>

namespace sekisho::audit_tool {

namespace {

// Longest tables; the totals above them stay exact.
constexpr std::size_t max_service_rows = 50;
constexpr std::size_t max_tried_rows = 100;

constexpr std::string_view style = R"(
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",Meiryo,sans-serif;margin:2em auto;max-width:1100px;
 padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;border-bottom:3px solid #1a4f8b;padding-bottom:.2em}
h2{font-size:1.2em;margin-top:2em;border-left:6px solid #1a4f8b;padding-left:.5em}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top;unicode-bidi:isolate}
th{background:#eef2f7;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#0a6b2d;font-weight:bold}.bad{color:#b00000;font-weight:bold}.unverified{color:#8a6d00;font-weight:bold}
section.alert h2{border-left-color:#c00000;color:#a00000}
tr.mynumber td{background:#fde4e4;color:#8b0000}
table.wide{font-size:.85em}
p.alert{background:#fde4e4;color:#8b0000;border:2px solid #c00000;padding:.5em;font-weight:bold}
svg.chart{display:block;margin:.5em 0;max-width:100%;height:auto}
svg.chart rect.bar{fill:#1a4f8b}svg.chart rect.deny{fill:#c05a00}svg.chart text{font-size:12px;fill:#222}
.note{color:#555;font-size:.9em}
@media print{body{margin:0;max-width:none}section{break-inside:avoid}}
)";

std::string number(std::uint64_t n)
{
    return std::to_string(n);
}

std::string hours(std::uint64_t ms)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(ms) / 3'600'000.0);
    return buf;
}

// A key inside a figure's name: "-" for none.
std::string key(const std::string& s)
{
    return s.empty() ? "-" : s;
}

class page
{
public:
    explicit page(language first) : first_(first) {}

    std::string& out() { return out_; }

    // "日本語 / English" in the page's order, each marked with its language.
    std::string bi(std::string_view ja, std::string_view en, std::string_view between = " / ") const
    {
        const auto j = "<span lang=\"ja\">" + std::string(ja) + "</span>";
        const auto e = "<span lang=\"en\">" + std::string(en) + "</span>";
        return first_ == language::ja ? j + std::string(between) + e : e + std::string(between) + j;
    }
    std::string none() const { return bi("なし", "none"); }
    // A value from the log, or "none".
    std::string shown(const std::string& s) const { return s.empty() ? none() : html_escape(s); }

    void section(std::string_view ja, std::string_view en, bool alert = false)
    {
        out_ += alert ? "<section class=\"alert\">" : "<section>";
        out_ += "<h2>" + bi(ja, en) + "</h2>\n";
    }
    void end_section() { out_ += "</section>\n"; }

    void header(std::initializer_list<std::pair<std::string_view, std::string_view>> columns,
                bool wide = false)
    {
        out_ += wide ? "<table class=\"wide\"><thead><tr>" : "<table><thead><tr>";
        for (const auto& [ja, en] : columns)
        {
            out_ += "<th>" + bi(ja, en, "<br>") + "</th>";
        }
        out_ += "</tr></thead><tbody>\n";
    }
    void end_table() { out_ += "</tbody></table>\n"; }

    void cell(const std::string& html) { out_ += "<td>" + html + "</td>"; }
    void figure(const std::string& name, const std::string& value, bool numeric = true)
    {
        out_ += numeric ? "<td class=\"num\" data-figure=\"" : "<td data-figure=\"";
        out_ += html_escape(name) + "\">" + html_escape(value) + "</td>";
    }
    // A summary row: label, then the figure (a plain cell when the figure
    // is named in its own section: each name appears once).
    void row(std::string_view ja, std::string_view en, const std::string& name, const std::string& value)
    {
        out_ += "<tr><th>" + bi(ja, en) + "</th>";
        if (name.empty())
        {
            out_ += "<td class=\"num\">" + html_escape(value) + "</td>";
        }
        else
        {
            figure(name, value);
        }
        out_ += "</tr>\n";
    }

private:
    language first_;
    std::string out_;
};

template <typename Map, typename Less>
auto sorted(const Map& m, Less less)
{
    std::vector<typename Map::const_pointer> v;
    for (const auto& e : m)
    {
        v.push_back(&e);
    }
    std::stable_sort(v.begin(), v.end(), [&](auto a, auto b) { return less(*a, *b); });
    return v;
}

void head(page& p, const report_data& d, language first)
{
    auto& o = p.out();
    o += "<!DOCTYPE html>\n<html lang=\"";
    o += first == language::ja ? "ja" : "en";
    o += "\">\n<head>\n<meta charset=\"utf-8\">\n"
         // Nothing may load from anywhere: the page stands alone.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>sekisho 監査ログ報告書 / Audit log report</title>\n<style>";
    o += style;
    o += "</style>\n</head>\n<body>\n<h1>" + p.bi("sekisho 監査ログ報告書", "sekisho audit log report") +
         "</h1>\n";
    o += "<table>\n<tr><th>" + p.bi("対象期間", "Period") + "</th><td>";
    o += (d.from.empty() ? p.bi("最初から", "from the start") : html_escape(d.from)) + " – " +
         (d.to.empty() ? p.bi("最後まで", "to the end") : html_escape(d.to)) + "</td></tr>\n";
    o += "<tr><th>" + p.bi("記録の範囲 (UTC)", "Records (UTC)") + "</th>";
    o += "<td><span data-figure=\"period.first\">" + html_escape(d.first_ts) +
         "</span> – <span data-figure=\"period.last\">" + html_escape(d.last_ts) + "</span></td>";
    o += "</tr>\n<tr><th>" + p.bi("ホスト", "Hosts") + "</th><td>";
    for (const auto& h : d.hosts)
    {
        o += p.shown(h) + " ";
    }
    o += "</td></tr>\n<tr><th>" + p.bi("ファイル", "Files") + "</th><td>";
    for (const auto& f : d.files)
    {
        o += html_escape(f) + "<br>";
    }
    o += "</td></tr>\n<tr><th>" + p.bi("作成日時 (UTC)", "Generated (UTC)") + "</th><td>" +
         html_escape(d.generated) + "</td></tr>\n</table>\n";
}

void verification_section(page& p, const report_data& d)
{
    const auto& v = d.verified;
    auto& o = p.out();
    p.section("改ざん検証", "Verification");
    o += "<table><tr><th>" + p.bi("結果", "Result") + "</th>";
    if (!v.done)
    {
        o += "<td class=\"unverified\" data-figure=\"verify.result\">not_verified</td></tr></table>\n";
        o += "<p class=\"unverified\">" +
             p.bi("未検証：公開鍵 (--key) が指定されていません。",
                  "Not verified: no public key (--key) was given.") +
             "</p>\n";
        p.end_section();
        return;
    }
    const bool ok = v.result == "ok";
    o += std::string("<td class=\"") + (ok ? "ok" : "bad") + "\" data-figure=\"verify.result\">" +
         html_escape(v.result) + "</td><td>" +
         (ok ? p.bi("正常（改ざんなし）", "OK: intact") : p.bi("検証失敗", "verification FAILED")) +
         "</td></tr>\n";
    if (!v.message.empty())
    {
        o += "<tr><th>" + p.bi("詳細", "Detail") + "</th><td colspan=\"2\" data-figure=\"verify.message\">" +
             html_escape(v.message) + "</td></tr>\n";
    }
    o += "<tr><th>" + p.bi("検証した記録", "Records verified") + "</th>";
    p.figure("verify.lines", number(v.lines));
    o += "<td>seq " + number(v.first_seq) + "–" + number(v.last_seq) + " (" + html_escape(v.first_ts) +
         " – " + html_escape(v.last_ts) + ")</td></tr>\n";
    o += "<tr><th>" + p.bi("署名付きチェックポイント", "Signed checkpoints") + "</th>";
    p.figure("verify.checkpoints", number(v.checkpoints));
    o += "<td>" + p.bi("鍵", "key") + " " + html_escape(v.key_id) + "</td></tr>\n</table>\n";
    o +=
        "<p class=\"note\">" + p.bi("検証は指定されたファイル全体が対象です（対象期間外を含む）。",
                                    "Verification covers the whole of the files given, not only the period.");
    if (!v.from_genesis)
    {
        o += "<br>" + p.bi("チェーンの先頭より前のファイルは指定されていません。",
                           "The chain starts after its beginning: earlier files were not given.");
    }
    o += "</p>\n";
    p.end_section();
}

void summary_section(page& p, const report_data& d)
{
    p.section("概要", "Summary");
    p.out() += "<table>\n";
    p.row("記録数", "Records", "records", number(d.records));
    p.row("テレワークセッション", "Telework sessions", "sessions.total", number(d.sessions));
    p.row("利用時間 (時間)", "Hours used", "hours.total", hours(d.duration_ms));
    p.row("許可された接続", "Tunnels allowed", "tunnels.allowed", number(d.allowed));
    p.row("拒否された接続", "Tunnels denied", "tunnels.denied", number(d.denied));
    p.row("接続失敗", "Connections failed", "tunnels.failed", number(d.failed));
    p.row("認証失敗", "Authentication failures", "auth.failed", number(d.auth_failed));
    p.row("アカウントロック", "Accounts locked", "auth.locked", number(d.auth_locked));
    p.row("マイナンバー系への接続試行", "Attempts toward My Number", "", number(d.mynumber.size()));
    p.row("カタログ外・認証切れサービスへの試行",
          "Uncatalogued or expired services tried",
          "",
          number(d.uncatalogued));
    p.row("読めない行", "Unreadable lines", "lines.unreadable", number(d.unreadable));
    p.out() += "</table>\n";
    p.end_section();
}

void department_section(page& p, const report_data& d)
{
    p.section("テレワーク利用状況（課別）", "Telework utilisation by department");
    const auto rows = sorted(d.departments, [](const auto& a, const auto& b) {
        return a.second.duration_ms != b.second.duration_ms ? a.second.duration_ms > b.second.duration_ms
                                                            : a.second.sessions > b.second.sessions;
    });
    std::vector<bar> bars;
    p.header({{"課", "Department"},
              {"セッション数", "Sessions"},
              {"利用時間 (時間)", "Hours"},
              {"利用者数", "Users"},
              {"許可された接続", "Tunnels allowed"}});
    for (const auto* e : rows)
    {
        const auto& [name, u] = *e;
        p.out() += "<tr>";
        p.cell(p.shown(name));
        p.figure("department.sessions." + key(name), number(u.sessions));
        p.figure("department.hours." + key(name), hours(u.duration_ms));
        p.figure("department.users." + key(name), number(u.users.size()));
        p.figure("department.tunnels." + key(name), number(u.tunnels));
        p.out() += "</tr>\n";
        bars.push_back(
            {name.empty() ? "-" : name, static_cast<double>(u.duration_ms), hours(u.duration_ms) + " h"});
    }
    p.end_table();
    if (!bars.empty())
    {
        p.out() += bar_chart(bars, "bar", "hours by department");
    }
    p.end_section();
}

void day_section(page& p, const report_data& d)
{
    p.section("テレワーク利用状況（日別）", "Telework utilisation by day");
    std::vector<bar> bars;
    p.header({{"日付 (日本時間)", "Date (JST)"},
              {"セッション数", "Sessions"},
              {"利用時間 (時間)", "Hours"},
              {"許可された接続", "Tunnels allowed"},
              {"拒否された接続", "Tunnels denied"}});
    for (const auto& [day, u] : d.days)
    {
        p.out() += "<tr>";
        p.cell(html_escape(day));
        p.figure("day.sessions." + day, number(u.sessions));
        p.figure("day.hours." + day, hours(u.duration_ms));
        p.figure("day.allowed." + day, number(u.allowed));
        p.figure("day.denied." + day, number(u.denied));
        p.out() += "</tr>\n";
        bars.push_back({day, static_cast<double>(u.sessions), number(u.sessions)});
    }
    p.end_table();
    if (!bars.empty())
    {
        p.out() += "<p class=\"note\">" + p.bi("日別セッション数", "Sessions per day") + "</p>\n";
        p.out() += column_chart(bars, "sessions per day");
    }
    p.end_section();
}

void denied_section(page& p, const report_data& d)
{
    p.section("拒否された接続（理由別）", "Denied attempts by reason");
    const auto rows =
        sorted(d.denied_by_reason, [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<bar> bars;
    p.header({{"理由", "Reason"}, {"件数", "Count"}});
    for (const auto* e : rows)
    {
        p.out() += "<tr>";
        p.cell(p.shown(e->first));
        p.figure("denied.reason." + key(e->first), number(e->second));
        p.out() += "</tr>\n";
        bars.push_back({key(e->first), static_cast<double>(e->second), number(e->second)});
    }
    p.out() += "<tr><th>" + p.bi("合計", "Total") + "</th>";
    p.figure("denied.total", number(d.denied));
    p.out() += "</tr>\n";
    p.end_table();
    if (!bars.empty())
    {
        p.out() += bar_chart(bars, "deny", "denied attempts by reason");
    }
    p.end_section();
}

void mynumber_section(page& p, const report_data& d)
{
    p.section("マイナンバー利用事務系への接続試行", "Attempts toward the My Number layer", true);
    auto& o = p.out();
    o += "<p class=\"alert\">" +
         p.bi("テレワーク端末からマイナンバー利用事務系へは接続できません。全件を確認してください：",
              "Telework never reaches the My Number layer. Review every attempt:") +
         " <span data-figure=\"mynumber.attempts\">" + number(d.mynumber.size()) + "</span></p>\n";
    if (d.mynumber.empty())
    {
        o += "<p>" + p.none() + "</p>\n";
        p.end_section();
        return;
    }
    p.header({{"日時 (UTC)", "Time (UTC)"},
              {"判定", "Decision"},
              {"理由", "Reason"},
              {"利用者", "User"},
              {"課", "Department"},
              {"端末", "Device"},
              {"層", "Layer"},
              {"接続元", "Peer"},
              {"接続先", "Target"},
              {"ゾーン", "Zone"}},
             true);
    for (const auto& a : d.mynumber)
    {
        o += "<tr class=\"mynumber\" data-seq=\"" + number(a.seq) + "\">";
        for (const auto* s : {&a.ts,
                              &a.decision,
                              &a.reason,
                              &a.user,
                              &a.department,
                              &a.device,
                              &a.layer,
                              &a.peer,
                              &a.target,
                              &a.zone})
        {
            p.cell(p.shown(*s));
        }
        o += "</tr>\n";
    }
    p.end_table();
    p.end_section();
}

void tried_section(page& p, const report_data& d)
{
    p.section("カタログ外・認証期限切れのサービスへの接続試行",
              "Uncatalogued or expired services users tried");
    const auto rows =
        sorted(d.tried, [](const auto& a, const auto& b) { return a.second.attempts > b.second.attempts; });
    p.header({{"接続先", "Target"},
              {"理由", "Reason"},
              {"サービス", "Service"},
              {"件数", "Attempts"},
              {"利用者数", "Users"},
              {"最終試行 (UTC)", "Last attempt (UTC)"}});
    for (std::size_t i = 0; i < rows.size() && i < max_tried_rows; ++i)
    {
        const auto& [target_reason, t] = *rows[i];
        const auto& [target, reason] = target_reason;
        p.out() += "<tr>";
        p.cell(p.shown(target));
        p.cell(p.shown(reason));
        p.cell(p.shown(t.service));
        p.figure("uncatalogued." + key(reason) + "." + key(target), number(t.attempts));
        p.figure("uncatalogued.users." + key(reason) + "." + key(target), number(t.users.size()));
        p.cell(html_escape(t.last_ts));
        p.out() += "</tr>\n";
    }
    p.out() += "<tr><th colspan=\"3\">" + p.bi("合計", "Total") + "</th>";
    p.figure("uncatalogued.total", number(d.uncatalogued));
    p.out() += "<td colspan=\"2\"></td></tr>\n";
    p.end_table();
    if (rows.size() > max_tried_rows)
    {
        p.out() +=
            "<p class=\"note\">" + p.bi("ほか", "and") + " " + number(rows.size() - max_tried_rows) + " " +
            p.bi("件の接続先（query で確認できます）", "more targets (see sekisho-audit query)") + "</p>\n";
    }
    p.end_section();
}

void services_section(page& p, const report_data& d)
{
    p.section("よく使われたサービス（許可された接続）", "Top services (allowed tunnels)");
    const auto rows =
        sorted(d.services, [](const auto& a, const auto& b) { return a.second.tunnels > b.second.tunnels; });
    std::vector<bar> bars;
    p.header({{"サービス", "Service"},
              {"接続数", "Tunnels"},
              {"利用者数", "Users"},
              {"転送量 (バイト)", "Bytes"}});
    for (std::size_t i = 0; i < rows.size() && i < max_service_rows; ++i)
    {
        const auto& [name, s] = *rows[i];
        p.out() += "<tr>";
        p.cell(p.shown(name));
        p.figure("service.tunnels." + key(name), number(s.tunnels));
        p.figure("service.users." + key(name), number(s.users.size()));
        p.figure("service.bytes." + key(name), number(s.bytes));
        p.out() += "</tr>\n";
        if (bars.size() < 20 && s.tunnels > 0)
        {
            bars.push_back({key(name), static_cast<double>(s.tunnels), number(s.tunnels)});
        }
    }
    p.end_table();
    if (rows.size() > max_service_rows)
    {
        p.out() += "<p class=\"note\">" + p.bi("ほか", "and") + " " + number(rows.size() - max_service_rows) +
                   " " + p.bi("件のサービス", "more services") + "</p>\n";
    }
    if (!bars.empty())
    {
        p.out() += bar_chart(bars, "bar", "allowed tunnels by service");
    }
    p.end_section();
}

} // namespace

std::string render_html(const report_data& d, language first)
{
    page p(first);
    head(p, d, first);
    verification_section(p, d);
    summary_section(p, d);
    mynumber_section(p, d);
    department_section(p, d);
    day_section(p, d);
    denied_section(p, d);
    tried_section(p, d);
    services_section(p, d);
    p.out() += "<p class=\"note\">" +
               p.bi("sekisho-audit report が監査ログから作成しました。",
                    "Made by sekisho-audit report from the audit log.") +
               "</p>\n</body>\n</html>\n";
    return std::move(p.out());
}

} // namespace sekisho::audit_tool
