// `sekishoctl catalog import-ismap FILE.csv --registry FILE [--scheme ismap|ismap_liu]
//  [--columns field=Header,...] [--today YYYY-MM-DD] [--dry-run] [--json]`
//
// Turns an export of the ISMAP (or ISMAP-LIU) cloud service list into the
// registry file the policy includes (`registrations:`), which services name
// with `certification: {registry: <number>}`. What the municipality added —
// the services, their domains, approval, residency — lives in the policy and
// is never touched; the registry file is sekishoctl's own and is rewritten
// whole (atomically), sorted by number.
//
// Compared with the registry already there, each registration is new,
// renewed (later expiry), changed (other fields), expired (its expiry is
// before --today), removed (no longer on the list: kept, with `withdrawn:
// <today>`, so services that name it are denied from today), or relisted.
// Removals are judged per scheme, so the ISMAP and ISMAP-LIU lists can be
// imported into one registry one after the other. A CSV with any problem
// changes nothing. Exit: 0 imported (or dry run), 1 problems, 2 usage.

#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/ismap_csv.hpp"
#include "daemon/i18n/catalog.hpp"
#include "daemon/util/replace_file.hpp"
#include "policy/load.hpp"
#include "policy/yaml_reader.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

#include <fcntl.h>
#include <unistd.h>

namespace sekisho::ctl {

namespace {

namespace json = boost::json;
using policy::clock;
using policy::registration;

struct change
{
    std::string kind; // new, renewed, changed, expired, removed, relisted
    std::string number;
    std::string service;
    std::string before; // valid_until before (last day), or ""
    std::string after;  // valid_until after, or "" (removed: withdrawn from)
};

std::string start_day(clock::time_point start)
{
    return tokyo_time(start).substr(0, 10);
}

std::string quoted(const std::string& s)
{
    std::string out = "\"";
    for (char c : s)
    {
        if (c == '"' || c == '\\')
        {
            out += '\\';
        }
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    return out + "\"";
}

std::string
registry_yaml(const std::vector<registration>& regs, const std::string& source, clock::time_point today)
{
    std::string y = "# The ISMAP / ISMAP-LIU registrations the policy's services name with\n"
                    "# `certification: {registry: <number>}`. Written by `sekishoctl catalog import-ismap`:\n"
                    "# do not edit by hand, import the list again. docs/catalog.md\n"
                    "# Last import: " +
                    source + " on " + start_day(today) + "\nregistrations:\n";
    for (const auto& r : regs)
    {
        y += "  - number: " + quoted(r.number) + "\n    scheme: " + std::string(policy::to_string(r.scheme)) +
             "\n";
        if (!r.service.empty())
        {
            y += "    service: " + quoted(r.service) + "\n";
        }
        if (!r.provider.empty())
        {
            y += "    provider: " + quoted(r.provider) + "\n";
        }
        if (r.registered)
        {
            y += "    registered: " + start_day(*r.registered) + "\n";
        }
        y += "    valid_until: " + last_day(r.valid_until) + "\n";
        if (r.withdrawn)
        {
            y += "    withdrawn: " + start_day(*r.withdrawn) + "   # no longer on the list\n";
        }
    }
    return y;
}

bool same(const registration& a, const registration& b)
{
    return a.scheme == b.scheme && a.service == b.service && a.provider == b.provider &&
           a.registered == b.registered && a.valid_until == b.valid_until && a.withdrawn == b.withdrawn;
}

bool missing(const std::vector<std::string>& columns, const char* field)
{
    return std::find(columns.begin(), columns.end(), field) != columns.end();
}

} // namespace

int catalog_import_cmd(const admin_args& a)
{
    const auto& csv_path = a.positional[0];
    const auto& registry_path = *a.get("--registry");
    auto scheme = policy::cert_scheme::ismap;
    if (const auto* s = a.get("--scheme"))
    {
        const auto parsed = policy::parse_cert_scheme(*s);
        if (!parsed || *parsed == policy::cert_scheme::municipal_assessment)
        {
            return usage("--scheme takes ismap or ismap_liu");
        }
        scheme = *parsed;
    }
    ismap_columns cols;
    std::string why;
    if (const auto* spec = a.get("--columns"); spec != nullptr && !apply_column_spec(*spec, cols, &why))
    {
        return usage(why.c_str());
    }
    // Today, as a day in Asia/Tokyo: removals are withdrawn from its start.
    auto now = clock::now();
    if (const auto* t = a.get("--today"))
    {
        const auto d = normalise_date(*t);
        if (!d)
        {
            return usage("--today takes a date, e.g. 2026-11-22");
        }
        now = *policy::parse_time(*d + "T12:00+09:00");
    }
    const auto today = *policy::parse_time(tokyo_time(now).substr(0, 10) + "T00:00+09:00");

    const auto csv = policy::read_text_file(csv_path, &why);
    if (!csv)
    {
        print_error("sekishoctl: cannot read %s: %s\n", csv_path.c_str(), why.c_str());
        return exit_failed;
    }
    const auto imported = read_ismap_csv(*csv, csv_path, cols, scheme);
    if (!imported.problems.empty())
    {
        for (const auto& p : imported.problems)
        {
            print_error("%s\n", p.c_str());
        }
        print_error("sekishoctl: %zu problem(s) in %s; nothing imported, %s unchanged\n",
                    imported.problems.size(),
                    csv_path.c_str(),
                    registry_path.c_str());
        return exit_failed;
    }

    // The registry as it is (none yet is an empty one).
    std::string old_text;
    const bool existed = ::access(registry_path.c_str(), F_OK) == 0;
    if (existed)
    {
        auto text = policy::read_text_file(registry_path, &why);
        if (!text)
        {
            print_error("sekishoctl: cannot read %s: %s\n", registry_path.c_str(), why.c_str());
            return exit_failed;
        }
        old_text = std::move(*text);
    }
    const auto old = policy::load_registrations_text(old_text, registry_path);
    if (old.diags.has_errors())
    {
        print_diagnostics(old.diags);
        print_error("sekishoctl: %s has errors; nothing imported\n", registry_path.c_str());
        return exit_failed;
    }

    std::map<std::string, registration> merged;
    for (const auto& r : old.value)
    {
        merged[r.number] = r;
    }
    std::vector<change> changes;
    std::map<std::string, bool> listed;
    for (auto r : imported.rows)
    {
        listed[r.number] = true;
        const auto it = merged.find(r.number);
        // A column the export lacks says nothing: keep what the registry had.
        if (it != merged.end())
        {
            if (missing(imported.missing_columns, "service"))
            {
                r.service = it->second.service;
            }
            if (missing(imported.missing_columns, "provider"))
            {
                r.provider = it->second.provider;
            }
            if (missing(imported.missing_columns, "registered"))
            {
                r.registered = it->second.registered;
            }
        }
        if (it == merged.end())
        {
            changes.push_back({"new", r.number, r.service, "", last_day(r.valid_until)});
        }
        else if (it->second.withdrawn)
        {
            changes.push_back(
                {"relisted", r.number, r.service, last_day(it->second.valid_until), last_day(r.valid_until)});
        }
        else if (r.valid_until > it->second.valid_until)
        {
            changes.push_back(
                {"renewed", r.number, r.service, last_day(it->second.valid_until), last_day(r.valid_until)});
        }
        else if (!same(r, it->second))
        {
            changes.push_back(
                {"changed", r.number, r.service, last_day(it->second.valid_until), last_day(r.valid_until)});
        }
        if (r.valid_until <= today)
        {
            changes.push_back({"expired", r.number, r.service, "", last_day(r.valid_until)});
        }
        merged[r.number] = r;
    }
    for (auto& [number, r] : merged)
    {
        if (r.scheme == scheme && listed.count(number) == 0 && !r.withdrawn)
        {
            r.withdrawn = today;
            changes.push_back({"removed", number, r.service, last_day(r.valid_until), start_day(today)});
        }
    }
    std::vector<registration> regs;
    for (auto& [number, r] : merged)
    {
        regs.push_back(std::move(r));
    }
    const auto text = registry_yaml(regs, csv_path, today);
    // What is written must read back as written (the daemon will read it).
    const auto check = policy::load_registrations_text(text, registry_path);
    if (check.diags.has_errors() || check.value.size() != regs.size())
    {
        print_diagnostics(check.diags);
        print_error("sekishoctl: internal error: the new registry does not read back; nothing written\n");
        return exit_failed;
    }
    const bool dry = a.has("--dry-run");
    if (!dry && text != old_text)
    {
        // A new registry gets mode 0644 (not secret); an existing one keeps
        // its mode and must still hold what was read.
        const std::string_view expected = old_text;
        const util::replace_how how =
            existed ? util::replace_how{0, &expected} : util::replace_how{0644, nullptr};
        if (!util::replace_file(registry_path, text, how, &why))
        {
            print_error("sekishoctl: %s not written: %s\n", registry_path.c_str(), why.c_str());
            return exit_failed;
        }
    }

    std::map<std::string, std::size_t> counts;
    for (const auto& c : changes)
    {
        ++counts[c.kind];
    }
    if (a.json())
    {
        json::array list;
        for (const auto& c : changes)
        {
            list.push_back({{"kind", c.kind},
                            {"number", c.number},
                            {"service", c.service},
                            {"before", c.before},
                            {"after", c.after}});
        }
        json::object summary;
        for (const auto& [k, n] : counts)
        {
            summary[k] = n;
        }
        print_json({{"csv", csv_path},
                    {"registry", registry_path},
                    {"scheme", std::string(policy::to_string(scheme))},
                    {"rows", imported.rows.size()},
                    {"written", !dry && text != old_text},
                    {"summary", std::move(summary)},
                    {"changes", std::move(list)}});
        return exit_ok;
    }
    // The lines in the chosen language (daemon/i18n/ja_explain.cpp); the
    // table's headings and kinds of change stay as they are (the --json
    // values).
    const auto say = [](const std::string& line) {
        std::printf("%s\n", i18n::message(line).c_str());
    };
    say(csv_path + ": " + std::to_string(imported.rows.size()) + " " +
        std::string(policy::to_string(scheme)) + " registration(s) read; " +
        (dry ? "dry run, nothing written to" : (text != old_text ? "written to" : "no change to")) + " " +
        registry_path);
    std::string line;
    for (const auto* k : {"new", "renewed", "changed", "relisted", "removed", "expired"})
    {
        line += std::string(line.empty() ? "" : ", ") + std::to_string(counts[k]) + " " + k;
    }
    say(line);
    if (!changes.empty())
    {
        std::vector<std::vector<std::string>> rows{{"CHANGE", "NUMBER", "BEFORE", "AFTER", "SERVICE"}};
        for (const auto& c : changes)
        {
            rows.push_back({c.kind, c.number, c.before.empty() ? "-" : c.before, c.after, c.service});
        }
        print_table(rows);
    }
    for (const auto& column : imported.missing_columns)
    {
        say("note: no `" + column + "` column in " + csv_path +
            " (see --columns); that field is kept as it was");
    }
    if (dry || text == old_text)
    {
        return exit_ok;
    }
    if (counts["removed"] > 0)
    {
        say(std::string(
                "Removed registrations are kept with `withdrawn:`; services that name them are denied "
                "(certification_withdrawn). ") +
            reload_hint);
    }
    else
    {
        say(reload_hint);
    }
    return exit_ok;
}

} // namespace sekisho::ctl
