// The matrix as an HTML page a municipality can print for its auditor. All
// text that comes from the policy (names, descriptions, the file name) goes
// through html_escape(): a service called "<script>" must print as text.

#include "daemon/ctl/common.hpp"
#include "daemon/ctl/matrix.hpp"

namespace sekisho::ctl {

namespace {

constexpr const char* style = R"(
body { font-family: sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #999; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.reaches { color: #064; font-weight: bold; }
td.data_class { color: #a00; }
td.not_granted { color: #666; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
@media print { h2 { page-break-before: auto; } table { page-break-inside: avoid; } }
)";

std::string cell(std::string_view text)
{
    return "<td>" + html_escape(text) + "</td>";
}

std::string summary_table(const policy_matrix& m)
{
    std::string h = "<table>\n<tr><th>Role</th><th>Description</th><th>Mode</th><th>Layers</th><th>Data "
                    "class</th><th>Hours (Asia/Tokyo)</th><th>MFA</th><th>Posture</th><th>Users</th></tr>\n";
    for (const auto& r : m.roles)
    {
        const auto& ro = *r.role;
        h += "<tr><td><a href=\"#role-" + html_escape(ro.id) + "\">" + html_escape(ro.id) + "</a></td>" +
             cell(ro.description) + cell(ro.mode == policy::enforcement::report ? "report" : "enforce") +
             cell(layers_text(ro)) + cell("up to " + std::string(policy::to_string(ro.max_class))) +
             cell(hours_text(ro.hours)) + cell(mfa_text(ro)) + cell(posture_text(ro)) +
             cell(std::to_string(r.users)) + "</tr>\n";
    }
    return h + "</table>\n";
}

std::string role_section(const matrix_role& r)
{
    const auto& ro = *r.role;
    std::string h = "<h2 id=\"role-" + html_escape(ro.id) + "\">Role " + html_escape(ro.id) + "</h2>\n";
    if (!ro.description.empty())
    {
        h += "<p>" + html_escape(ro.description) + "</p>\n";
    }
    auto item = [](std::string_view term, std::string_view value) {
        return "<dt>" + html_escape(term) + "</dt><dd>" + html_escape(value) + "</dd>\n";
    };
    std::string users = std::to_string(r.users);
    if (r.users_expired > 0)
    {
        users += " (" + std::to_string(r.users_expired) + " expired)";
    }
    h += "<dl>\n" + item("Mode", mode_text(ro)) + item("Users", users) + item("Layers", layers_text(ro)) +
         item("Data class", "up to " + std::string(policy::to_string(ro.max_class))) +
         item("Hours (Asia/Tokyo)", hours_text(ro.hours)) + item("MFA", mfa_text(ro)) +
         item("Posture", posture_text(ro)) + item("Limits", limits_text(ro)) + "</dl>\n";
    if (r.layers.empty())
    {
        return h + "<p>No layer: this role reaches nothing.</p>\n";
    }
    h += "<table>\n<tr><th>Layer</th><th>Access</th><th>Kind</th><th>Id</th><th>Name</th><th>Hosts</th>"
         "<th>Ports</th><th>Data class</th><th>Granted by</th></tr>\n";
    for (const auto& l : r.layers)
    {
        std::vector<std::string> not_granted;
        for (const auto& e : l.entries)
        {
            if (e.result == access::not_granted)
            {
                not_granted.push_back(e.id());
                continue;
            }
            h += "<tr>" + cell(policy::to_string(l.on)) + "<td class=\"" + std::string(to_string(e.result)) +
                 "\">" + html_escape(access_label(ro, e)) + "</td>" + cell(e.kind()) + cell(e.id()) +
                 cell(e.name()) + cell(e.hosts()) + cell(e.ports()) + cell(e.data_class()) +
                 cell(e.granted_by) + "</tr>\n";
        }
        if (!not_granted.empty())
        {
            // Listed by id only: the page is about what the role reaches.
            h += "<tr>" + cell(policy::to_string(l.on)) + "<td class=\"not_granted\">" +
                 html_escape(ro.mode == policy::enforcement::report ? "report only: not granted"
                                                                    : "not granted") +
                 "</td><td colspan=\"7\">" + html_escape(join(not_granted, ", ")) + "</td></tr>\n";
        }
    }
    return h + "</table>\n";
}

} // namespace

std::string matrix_html(const std::string& file, const policy::snapshot& snap, const policy_matrix& m)
{
    const auto& doc = snap.document();
    std::string h = "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>sekisho "
                    "policy matrix: " +
                    html_escape(file) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n";
    h += "<h1>sekisho policy matrix</h1>\n<p>Policy <code>" + html_escape(file) + "</code>, hash <code>" +
         html_escape(snap.hash()) + "</code>, network model " + html_escape(policy::to_string(doc.model)) +
         ". " + std::to_string(doc.roles.size()) + " role(s), " + std::to_string(doc.users.size()) +
         " user(s), " + std::to_string(doc.services.size()) + " service(s), " +
         std::to_string(doc.screen_transfer.size()) +
         " screen-transfer endpoint(s). Hours are Asia/Tokyo (JST). The My Number layer is never reachable "
         "and is not listed.</p>\n";
    h += summary_table(m);
    for (const auto& r : m.roles)
    {
        h += role_section(r);
    }
    return h + "</body>\n</html>\n";
}

} // namespace sekisho::ctl
