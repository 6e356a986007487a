// sekisho-audit report: one HTML page (report_html.hpp) over a period of the
// audit log: telework use by department and by day, denied attempts, every
// attempt toward the My Number layer, uncatalogued or expired services
// users tried, top services, and whether the files verify. The records are
// streamed and counted; only the My Number attempts are kept one by one.

#include "daemon/audit/line.hpp"
#include "daemon/audit/verify.hpp"
#include "daemon/audit_tool/commands.hpp"
#include "daemon/audit_tool/records.hpp"
#include "daemon/audit_tool/report_html.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace sekisho::audit_tool {

namespace {

void usage(const std::string& why)
{
    std::fprintf(
        stderr,
        "sekisho-audit report: %s\n"
        "usage: sekisho-audit report --html OUT [--from TIME] [--to TIME] [--key PUB] [--lang ja|en] "
        "FILES|FOLDERS...\n",
        why.c_str());
}

void insert_user(std::set<std::string>& users, std::string user)
{
    if (!user.empty())
    {
        users.insert(std::move(user));
    }
}

void count(report_data& d, const record& r)
{
    const auto& o = r.fields;
    const auto& ev = r.event;
    ++d.records;
    if (d.first_ts.empty())
    {
        d.first_ts = r.ts;
    }
    d.last_ts = r.ts;
    if (ev == "session_opened")
    {
        auto& dept = d.departments[field_text(o, "department")];
        ++d.sessions;
        ++dept.sessions;
        insert_user(dept.users, field_text(o, "user"));
        ++d.days[tokyo_day(r.ts)].sessions;
    }
    else if (ev == "session_closed")
    {
        const auto ms = field_number(o, "duration_ms");
        d.duration_ms += ms;
        d.departments[field_text(o, "department")].duration_ms += ms;
        d.days[tokyo_day(r.ts)].duration_ms += ms;
    }
    else if (ev == "tunnel_allowed")
    {
        const auto user = field_text(o, "user");
        auto& dept = d.departments[field_text(o, "department")];
        auto& service = d.services[field_text(o, "service")];
        ++d.allowed;
        ++dept.tunnels;
        insert_user(dept.users, user);
        ++service.tunnels;
        insert_user(service.users, user);
        ++d.days[tokyo_day(r.ts)].allowed;
    }
    else if (ev == "tunnel_denied")
    {
        ++d.denied;
        ++d.denied_by_reason[field_text(o, "reason")];
        ++d.days[tokyo_day(r.ts)].denied;
        if (is_uncatalogued_attempt(ev, o))
        {
            ++d.uncatalogued;
            auto& t = d.tried[{field_text(o, "target"), field_text(o, "reason")}];
            ++t.attempts;
            t.service = field_text(o, "service");
            insert_user(t.users, field_text(o, "user"));
            t.last_ts = r.ts;
        }
    }
    else if (ev == "connection_failed")
    {
        ++d.failed;
    }
    else if (ev == "tunnel_closed")
    {
        d.services[field_text(o, "service")].bytes +=
            field_number(o, "bytes_up") + field_number(o, "bytes_down");
    }
    else if (ev == "auth_failed")
    {
        ++d.auth_failed;
    }
    else if (ev == "auth_locked")
    {
        ++d.auth_locked;
    }
    if (is_mynumber_attempt(ev, o))
    {
        mynumber_attempt a;
        a.seq = r.seq;
        a.ts = r.ts;
        a.event = ev;
        for (auto [member, name] : {std::pair{&mynumber_attempt::decision, "decision"},
                                    {&mynumber_attempt::reason, "reason"},
                                    {&mynumber_attempt::user, "user"},
                                    {&mynumber_attempt::department, "department"},
                                    {&mynumber_attempt::device, "device"},
                                    {&mynumber_attempt::layer, "layer"},
                                    {&mynumber_attempt::peer, "peer"},
                                    {&mynumber_attempt::target, "target"},
                                    {&mynumber_attempt::zone, "zone"}})
        {
            a.*member = field_text(o, name);
        }
        d.mynumber.push_back(std::move(a));
    }
}

verification shown(const audit::verify_report& r, const audit::public_key& key)
{
    verification v;
    v.done = true;
    v.result = audit::to_string(r.result);
    v.message = r.message;
    v.key_id = key.id();
    v.lines = r.lines;
    v.checkpoints = r.checkpoints;
    v.first_seq = r.first_seq;
    v.last_seq = r.last_seq;
    v.sealed_seq = r.sealed_seq;
    v.first_ts = r.first_ts;
    v.last_ts = r.last_ts;
    v.from_genesis = r.from_genesis;
    return v;
}

// Written beside OUT and renamed over it: a reader never sees half a page.
bool write_page(const std::string& path, const std::string& html, std::string& error)
{
    const auto tmp = path + ".tmp-" + std::to_string(::getpid());
    {
        errno = 0;
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << html;
        out.flush();
        if (!out)
        {
            error = "cannot write " + tmp +
                    (errno != 0 ? ": " + std::string(std::strerror(errno)) : std::string());
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
    {
        error = "cannot rename " + tmp + " to " + path + ": " + ec.message();
        std::filesystem::remove(tmp, ec);
        return false;
    }
    return true;
}

} // namespace

int report_command(int argc, char** argv, int from)
{
    std::string error;
    const auto a = parse_args(argc, argv, from, {"--html", "--from", "--to", "--key", "--lang"}, {}, error);
    if (!a)
    {
        usage(error);
        return exit_cannot_run;
    }
    const auto lang = a->get("--lang").value_or("ja");
    const bool lang_ok = lang == "ja" || lang == "en";
    const auto filter = filter_from_args(*a, error);
    if (!a->get("--html") || !lang_ok || !filter || a->files.empty())
    {
        usage(!a->get("--html") ? "--html OUT is required"
              : !lang_ok        ? "--lang `" + lang + "` is not ja or en"
              : !filter         ? error
                                : "no files given");
        return exit_cannot_run;
    }
    std::optional<audit::public_key> key;
    if (const auto path = a->get("--key"))
    {
        key = audit::load_public_key(*path, error);
        if (!key)
        {
            std::fprintf(stderr, "sekisho-audit report: %s\n", error.c_str());
            return exit_cannot_run;
        }
    }
    std::vector<audit::log_file> files;
    if (!audit::read_log_files(a->files, files, error))
    {
        std::fprintf(stderr, "sekisho-audit report: %s\n", error.c_str());
        return exit_cannot_run;
    }

    report_data d;
    d.from = a->get("--from").value_or("");
    d.to = a->get("--to").value_or("");
    d.generated = audit::rfc3339_ms(std::chrono::system_clock::now());
    for (const auto& f : files)
    {
        d.files.push_back(f.path);
    }
    const auto summary = for_each_record(files, *filter, [&](const record& r) { count(d, r); });
    d.hosts = summary.hosts;
    d.unreadable = summary.unreadable;
    std::optional<audit::verdict> verdict;
    if (key)
    {
        const auto r = audit::verify_files(files, audit::verify_options{*key, std::nullopt});
        verdict = r.result;
        d.verified = shown(r, *key);
    }
    const auto out = *a->get("--html");
    if (!write_page(out, render_html(d, lang == "ja" ? language::ja : language::en), error))
    {
        std::fprintf(stderr, "sekisho-audit report: %s\n", error.c_str());
        return exit_cannot_run;
    }
    std::printf("report: %s (%llu records, %zu toward the My Number layer); verification: %s\n",
                out.c_str(),
                static_cast<unsigned long long>(d.records),
                d.mynumber.size(),
                !key ? "not verified (no --key)"
                : d.verified.result == "ok"
                    ? "OK"
                    : ("FAILED (" + d.verified.result + "): " + d.verified.message).c_str());
    warn_unreadable("report", summary);
    // Like verify: a page was written, but the log it describes is not intact.
    return verdict ? static_cast<int>(*verdict) : 0;
}

} // namespace sekisho::audit_tool
