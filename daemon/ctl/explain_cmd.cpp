// `sekishoctl policy explain`: one request decided as sekishod would, with
// the chain of reasons a teleworker's "why was I blocked?" needs.

#include "daemon/ctl/chain.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/explain.hpp"

#include <algorithm>
#include <cstdio>

namespace sekisho::ctl {

namespace {

std::string ports_text(const std::vector<std::uint16_t>& ports)
{
    std::vector<std::string> parts;
    for (auto p : ports)
    {
        parts.push_back(std::to_string(p));
    }
    return join(parts, ", ");
}

std::string user_text(const policy::snapshot& snap, const decision_trace& t)
{
    if (t.req.user.empty())
    {
        return "user: none given (--user); nobody is identified";
    }
    if (t.user == nullptr)
    {
        return "user " + t.req.user + ": not in users: (unknown_user)";
    }
    const auto& u = *t.user;
    std::vector<std::string> about;
    if (!u.name.empty())
    {
        about.push_back(u.name);
    }
    if (!u.department.empty())
    {
        about.push_back(u.department);
    }
    std::vector<std::string> roles;
    for (auto index : snap.roles_of(u))
    {
        roles.push_back(snap.document().roles[index].id);
    }
    std::string text =
        "user " + u.id + (about.empty() ? "" : ": " + join(about, ", ")) + "; roles " + join(roles, ", ");
    if (u.expires)
    {
        text += (*u.expires <= t.at ? "; expired on " : "; expires on ") + tokyo_time(*u.expires);
    }
    return text;
}

std::string devices_of(const policy::snapshot& snap, const std::string& owner)
{
    std::vector<std::string> parts;
    for (const auto& dv : snap.document().devices)
    {
        if (dv.owner == owner)
        {
            parts.push_back(dv.id + " (" + std::string(policy::to_string(dv.status)) + ")");
        }
    }
    return parts.empty() ? std::string("none") : join(parts, ", ");
}

std::string device_text(const policy::snapshot& snap, const decision_trace& t)
{
    if (t.req.device.empty())
    {
        std::string text =
            "device: none given (--device); an unregistered device is refused (unknown_device)";
        if (t.user != nullptr)
        {
            text += "; " + t.user->id + "'s devices: " + devices_of(snap, t.user->id);
        }
        return text;
    }
    if (t.device == nullptr)
    {
        return "device " + t.req.device + ": not in devices: (unknown_device)";
    }
    const auto& dv = *t.device;
    std::string text = "device " + dv.id + ": " + std::string(policy::to_string(dv.kind)) + ", " +
                       std::string(policy::to_string(dv.status));
    if (t.user != nullptr && dv.owner == t.user->id)
    {
        text += ", the user's own device";
    }
    else
    {
        text += ", owned by " + dv.owner + (t.req.user.empty() ? "" : ", not by " + t.req.user);
    }
    text += dv.posture_verified ? "; posture verified " + tokyo_time(*dv.posture_verified)
                                : "; posture never verified";
    if (dv.expires)
    {
        text += (*dv.expires <= t.at ? "; expired on " : "; expires on ") + tokyo_time(*dv.expires);
    }
    return text;
}

std::string destination_text(const decision_trace& t)
{
    std::string text = "zone " + std::string(policy::to_string(t.dest_zone));
    const auto port = t.req.dest.port;
    if (t.service != nullptr)
    {
        const auto& s = *t.service;
        text += "; service " + s.id + (s.name.empty() ? "" : " (" + s.name + ")") + ", data class " +
                std::string(policy::to_string(s.max_class)) + ", ports " + ports_text(s.ports);
        if (std::find(s.ports.begin(), s.ports.end(), port) == s.ports.end())
        {
            text += "; port " + std::to_string(port) + " is not listed";
        }
    }
    else if (t.endpoint != nullptr)
    {
        const auto& e = *t.endpoint;
        text += "; screen_transfer " + e.id + " (" + e.host + "), ports " + ports_text(e.ports);
        if (std::find(e.ports.begin(), e.ports.end(), port) == e.ports.end())
        {
            text += "; port " + std::to_string(port) + " is not listed";
        }
    }
    else if (t.dest_zone == policy::zone::internet)
    {
        text += t.req.dest.type == policy::target::kind::ip ? "; an address, not a catalogued name"
                                                            : "; in no service's domains";
    }
    else if (t.dest_zone == policy::zone::lgwan)
    {
        text += "; not an approved screen-transfer endpoint";
    }
    const bool layered = t.dest_zone == policy::zone::lgwan || t.dest_zone == policy::zone::internet;
    if (layered && t.dest_zone != policy::zone_of(t.req.listener_layer))
    {
        text +=
            "; the listener serves the " + std::string(policy::to_string(t.req.listener_layer)) + " layer";
    }
    return text;
}

std::string outcome_text(const role_trace& r)
{
    if (r.outcome == policy::reason::allowed)
    {
        return "=> admits the request";
    }
    const auto why = std::string(policy::to_string(r.outcome));
    if (r.role->mode == policy::enforcement::report && policy::reportable(r.outcome))
    {
        return "=> would deny: " + why + " (enforce: report, so it only records it)";
    }
    return "=> denies: " + why;
}

std::vector<chain_line>
chain_lines(const std::string& file, const policy::snapshot& snap, const decision_trace& t)
{
    const auto& d = t.decision;
    std::vector<chain_line> out;
    out.push_back({"policy", file + " (" + snap.hash().substr(0, 16) + ")"});
    out.push_back({"request",
                   "CONNECT " + policy::to_string(t.req.dest) + " on the " +
                       std::string(policy::to_string(t.req.listener_layer)) + " listener, at " +
                       tokyo_time(t.at) + (t.req.mfa ? ", with a second factor" : ", one factor")});
    out.push_back({"who", user_text(snap, t)});
    out.push_back({"", device_text(snap, t)});
    out.push_back({"destination", destination_text(t)});
    if (t.roles_consulted)
    {
        for (const auto& r : t.roles)
        {
            out.push_back({"role",
                           r.role->id + " (" +
                               (r.role->mode == policy::enforcement::report ? "report" : "enforce") +
                               "; layers " + layers_text(*r.role) + ")"});
            for (const auto& s : r.steps)
            {
                out.push_back({"", std::string(s.ok ? "  ok    " : "  FAIL  ") + s.text});
            }
            out.push_back({"", "  " + outcome_text(r)});
        }
    }
    else if (t.user != nullptr)
    {
        out.push_back({"roles", "not consulted: the request is refused before the roles"});
    }
    // The DNS answer is vetted last, once the name is allowed (invariant 5).
    for (const auto& [a, z] : t.addresses)
    {
        out.push_back({"address", a.to_string() + " -> zone " + std::string(policy::to_string(z))});
    }
    if (t.by_name.allowed() && !d.allowed())
    {
        out.push_back({"", "the name is allowed, but the DNS answer is refused"});
    }
    std::string answer = std::to_string(d.allowed() ? 200 : 403) + " " + (d.allowed() ? "allow" : "deny") +
                         ": reason " + std::string(policy::to_string(d.why)) + ", rule " + d.rule_id;
    if (!d.role_id.empty())
    {
        answer += ", role " + d.role_id;
    }
    if (!d.detail.empty())
    {
        answer += ", " + d.detail;
    }
    out.push_back({"answer", answer});
    if (d.report_only())
    {
        // What the role will refuse once it is switched to `enforce: enforce`.
        out.push_back({"report", report_text(d)});
        out.push_back({"", "(enforce: report records it) " + std::string(explain(d.would_deny).meaning)});
    }
    const auto text = explain(d.why);
    out.push_back({"why", std::string(text.meaning)});
    out.push_back({"what to do", std::string(text.action)});
    if (d.allowed() && t.req.dest.type == policy::target::kind::name && t.addresses.empty())
    {
        out.push_back(
            {"note",
             "the name is allowed; sekishod still vets every address DNS returns for it (check them with "
             "--resolves)"});
    }
    return out;
}

std::optional<std::vector<policy::ip_address>> parse_addresses(const std::string& text)
{
    std::vector<policy::ip_address> out;
    std::size_t start = 0;
    while (true)
    {
        const auto comma = text.find(',', start);
        auto a = policy::ip_address::parse(std::string_view(text).substr(
            start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!a)
        {
            return std::nullopt;
        }
        out.push_back(*a);
        if (comma == std::string::npos)
        {
            return out;
        }
        start = comma + 1;
    }
}

} // namespace

int explain_cmd(const std::string& file, const options& o)
{
    const auto* layer_text = o.get("--layer");
    const auto* target_text = o.get("--target");
    if (layer_text == nullptr || target_text == nullptr)
    {
        return usage("explain needs --layer and --target");
    }
    const auto l = policy::parse_layer(*layer_text);
    if (!l)
    {
        return usage("--layer is lgwan or internet");
    }
    std::vector<policy::ip_address> resolves;
    if (const auto* text = o.get("--resolves"))
    {
        auto parsed = parse_addresses(*text);
        if (!parsed)
        {
            return usage("--resolves takes IP addresses separated by commas");
        }
        resolves = std::move(*parsed);
    }
    const auto at = at_option(o);
    if (!at)
    {
        return usage("--at takes a time like 2027-04-01T09:00+09:00");
    }
    std::string why;
    const auto dest = policy::parse_authority(*target_text, &why);
    if (!dest)
    {
        print_error("sekishoctl: --target %s: %s (the gateway answers 400 invalid_target)\n",
                    target_text->c_str(),
                    why.c_str());
        return exit_failed;
    }
    auto p = load(file);
    if (!usable(p, file, "explain"))
    {
        return exit_failed;
    }
    policy::request req{*l, *dest, {}, {}, o.mfa};
    req.user = o.get("--user") != nullptr ? *o.get("--user") : std::string();
    req.device = o.get("--device") != nullptr ? *o.get("--device") : std::string();
    const auto t = trace(*p.snap, req, *at, resolves);
    const auto lines = chain_lines(file, *p.snap, t);
    if (o.json)
    {
        std::printf("%s\n", boost::json::serialize(explain_json(*target_text, *p.snap, t, lines)).c_str());
        return exit_ok;
    }
    for (const auto& ln : lines)
    {
        std::printf("%-11s %s\n", ln.label.c_str(), ln.text.c_str());
    }
    return exit_ok;
}

} // namespace sekisho::ctl
