// `sekishoctl policy explain`: one request decided as sekishod would, with
// the chain of reasons a teleworker's "why was I blocked?" needs.

#include "daemon/ctl/chain.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/explain.hpp"
#include "daemon/i18n/catalog.hpp"

#include <algorithm>
#include <cstdio>

namespace sekisho::ctl {

namespace {

using values = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// The words of the text report: English as written, or their Japanese
// (daemon/i18n/ja_explain.cpp) when the language is Japanese. --json keeps
// the chain in English whatever --lang says (docs/i18n.md), so it is built
// with `localise` off.
struct words
{
    bool localise = false;

    // A fixed text.
    std::string_view operator()(std::string_view en) const { return localise ? i18n::text(en) : en; }

    // A template: translated, then every `{name}` replaced by its value.
    std::string operator()(std::string_view en, values fields) const
    {
        return i18n::fill((*this)(en), fields);
    }

    // A text put together elsewhere (a role's steps, chain.cpp), by its
    // pattern.
    std::string finished(const std::string& en) const { return localise ? i18n::message(en) : en; }
};

std::string ports_text(const std::vector<std::uint16_t>& ports)
{
    std::vector<std::string> parts;
    for (auto p : ports)
    {
        parts.push_back(std::to_string(p));
    }
    return join(parts, ", ");
}

std::string expiry_text(const words& say, policy::clock::time_point expires, policy::clock::time_point at)
{
    return say(expires <= at ? "; expired on {time}" : "; expires on {time}",
               {{"time", tokyo_time(expires)}});
}

std::string user_text(const words& say, const policy::snapshot& snap, const decision_trace& t)
{
    if (t.req.user.empty())
    {
        return std::string(say("user: none given (--user); nobody is identified"));
    }
    if (t.user == nullptr)
    {
        return say("user {id}: not in users: (unknown_user)", {{"id", t.req.user}});
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
    const auto role_list = join(roles, ", ");
    std::string text = about.empty()
                           ? say("user {id}; roles {roles}", {{"id", u.id}, {"roles", role_list}})
                           : say("user {id}: {about}; roles {roles}",
                                 {{"id", u.id}, {"about", join(about, ", ")}, {"roles", role_list}});
    if (u.expires)
    {
        text += expiry_text(say, *u.expires, t.at);
    }
    return text;
}

std::vector<std::string> devices_of(const policy::snapshot& snap, const std::string& owner)
{
    std::vector<std::string> parts;
    for (const auto& dv : snap.document().devices)
    {
        if (dv.owner == owner)
        {
            parts.push_back(dv.id + " (" + std::string(policy::to_string(dv.status)) + ")");
        }
    }
    return parts;
}

std::string device_text(const words& say, const policy::snapshot& snap, const decision_trace& t)
{
    if (t.req.device.empty())
    {
        std::string text(
            say("device: none given (--device); an unregistered device is refused (unknown_device)"));
        if (t.user != nullptr)
        {
            const auto list = devices_of(snap, t.user->id);
            text += list.empty() ? say("; {user}'s devices: none", {{"user", t.user->id}})
                                 : say("; {user}'s devices: {devices}",
                                       {{"user", t.user->id}, {"devices", join(list, ", ")}});
        }
        return text;
    }
    if (t.device == nullptr)
    {
        return say("device {id}: not in devices: (unknown_device)", {{"id", t.req.device}});
    }
    const auto& dv = *t.device;
    std::string text =
        say("device {id}: {kind}, {status}",
            {{"id", dv.id}, {"kind", policy::to_string(dv.kind)}, {"status", policy::to_string(dv.status)}});
    if (t.user != nullptr && dv.owner == t.user->id)
    {
        text += say(", the user's own device");
    }
    else if (t.req.user.empty())
    {
        text += say(", owned by {owner}", {{"owner", dv.owner}});
    }
    else
    {
        text += say(", owned by {owner}, not by {user}", {{"owner", dv.owner}, {"user", t.req.user}});
    }
    text += dv.posture_verified
                ? say("; posture verified {time}", {{"time", tokyo_time(*dv.posture_verified)}})
                : std::string(say("; posture never verified"));
    if (dv.expires)
    {
        text += expiry_text(say, *dv.expires, t.at);
    }
    return text;
}

std::string destination_text(const words& say, const decision_trace& t)
{
    std::string text = say("zone {zone}", {{"zone", policy::to_string(t.dest_zone)}});
    const auto port = std::to_string(t.req.dest.port);
    if (t.service != nullptr)
    {
        const auto& s = *t.service;
        const auto ports = ports_text(s.ports);
        const auto data_class = policy::to_string(s.max_class);
        text += s.name.empty()
                    ? say("; service {id}, data class {class}, ports {ports}",
                          {{"id", s.id}, {"class", data_class}, {"ports", ports}})
                    : say("; service {id} ({name}), data class {class}, ports {ports}",
                          {{"id", s.id}, {"name", s.name}, {"class", data_class}, {"ports", ports}});
        if (std::find(s.ports.begin(), s.ports.end(), t.req.dest.port) == s.ports.end())
        {
            text += say("; port {port} is not listed", {{"port", port}});
        }
    }
    else if (t.endpoint != nullptr)
    {
        const auto& e = *t.endpoint;
        text += say("; screen_transfer {id} ({host}), ports {ports}",
                    {{"id", e.id}, {"host", e.host}, {"ports", ports_text(e.ports)}});
        if (std::find(e.ports.begin(), e.ports.end(), t.req.dest.port) == e.ports.end())
        {
            text += say("; port {port} is not listed", {{"port", port}});
        }
    }
    else if (t.dest_zone == policy::zone::internet)
    {
        text += say(t.req.dest.type == policy::target::kind::ip ? "; an address, not a catalogued name"
                                                                : "; in no service's domains");
    }
    else if (t.dest_zone == policy::zone::lgwan)
    {
        text += say("; not an approved screen-transfer endpoint");
    }
    const bool layered = t.dest_zone == policy::zone::lgwan || t.dest_zone == policy::zone::internet;
    if (layered && t.dest_zone != policy::zone_of(t.req.listener_layer))
    {
        text += say("; the listener serves the {layer} layer",
                    {{"layer", policy::to_string(t.req.listener_layer)}});
    }
    return text;
}

std::string outcome_text(const words& say, const role_trace& r)
{
    if (r.outcome == policy::reason::allowed)
    {
        return std::string(say("=> admits the request"));
    }
    const auto why = policy::to_string(r.outcome);
    if (r.role->mode == policy::enforcement::report && policy::reportable(r.outcome))
    {
        return say("=> would deny: {reason} (enforce: report, so it only records it)", {{"reason", why}});
    }
    return say("=> denies: {reason}", {{"reason", why}});
}

std::vector<chain_line>
chain_lines(const words& say, const std::string& file, const policy::snapshot& snap, const decision_trace& t)
{
    const auto& d = t.decision;
    std::vector<chain_line> out;
    out.push_back({"policy", file + " (" + snap.hash().substr(0, 16) + ")"});
    out.push_back({"request",
                   say(t.req.mfa ? "CONNECT {target} on the {layer} listener, at {time}, with a second factor"
                                 : "CONNECT {target} on the {layer} listener, at {time}, one factor",
                       {{"target", policy::to_string(t.req.dest)},
                        {"layer", policy::to_string(t.req.listener_layer)},
                        {"time", tokyo_time(t.at)}})});
    out.push_back({"who", user_text(say, snap, t)});
    out.push_back({"", device_text(say, snap, t)});
    out.push_back({"destination", destination_text(say, t)});
    if (t.roles_consulted)
    {
        for (const auto& r : t.roles)
        {
            out.push_back({"role",
                           say("{id} ({mode}; layers {layers})",
                               {{"id", r.role->id},
                                {"mode", r.role->mode == policy::enforcement::report ? "report" : "enforce"},
                                {"layers", layers_text(*r.role)}})});
            for (const auto& s : r.steps)
            {
                out.push_back({"", std::string(s.ok ? "  ok    " : "  FAIL  ") + say.finished(s.text)});
            }
            out.push_back({"", "  " + outcome_text(say, r)});
        }
    }
    else if (t.user != nullptr)
    {
        out.push_back({"roles", std::string(say("not consulted: the request is refused before the roles"))});
    }
    // The DNS answer is vetted last, once the name is allowed (invariant 5).
    for (const auto& [a, z] : t.addresses)
    {
        out.push_back(
            {"address",
             say("{address} -> zone {zone}", {{"address", a.to_string()}, {"zone", policy::to_string(z)}})});
    }
    if (t.by_name.allowed() && !d.allowed())
    {
        out.push_back({"", std::string(say("the name is allowed, but the DNS answer is refused"))});
    }
    std::string answer = say(d.allowed() ? "200 allow: reason {reason}, rule {rule}"
                                         : "403 deny: reason {reason}, rule {rule}",
                             {{"reason", policy::to_string(d.why)}, {"rule", d.rule_id}});
    if (!d.role_id.empty())
    {
        answer += say(", role {role}", {{"role", d.role_id}});
    }
    if (!d.detail.empty())
    {
        // The detail as the audit record has it (ids, dates, hours).
        answer += say(", {detail}", {{"detail", d.detail}});
    }
    out.push_back({"answer", answer});
    if (d.report_only())
    {
        // What the role will refuse once it is switched to `enforce: enforce`.
        out.push_back({"report", say.finished(report_text(d))});
        out.push_back({"",
                       say("(enforce: report records it) {meaning}",
                           {{"meaning", say(explain(d.would_deny).meaning)}})});
    }
    const auto text = explain(d.why);
    out.push_back({"why", std::string(say(text.meaning))});
    out.push_back({"what to do", std::string(say(text.action))});
    if (d.allowed() && t.req.dest.type == policy::target::kind::name && t.addresses.empty())
    {
        out.push_back({"note",
                       std::string(say("the name is allowed; sekishod still vets every address DNS returns "
                                       "for it (check them with --resolves)"))});
    }
    return out;
}

// The columns a terminal gives a text: two for the wide characters of
// Japanese (kana, kanji, full-width forms), one for the others.
std::size_t display_width(std::string_view text)
{
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();)
    {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        char32_t cp = length == 1 ? c : c & (0xFFU >> (length + 1));
        for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
        {
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3FU);
        }
        const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                          (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
        width += wide ? 2 : 1;
        i += length;
    }
    return width;
}

// Every label a report may have, for the width of the label column.
constexpr std::string_view labels[] = {"policy",
                                       "request",
                                       "who",
                                       "destination",
                                       "role",
                                       "roles",
                                       "address",
                                       "answer",
                                       "report",
                                       "why",
                                       "what to do",
                                       "note"};

// A label in the chosen language: "label: what to do" in ja_explain.cpp
// (a bare "note" would also translate the values that happen to read so).
std::string label_text(const std::string& label)
{
    if (label.empty())
    {
        return label;
    }
    const auto key = "label: " + label;
    const auto text = i18n::text(key);
    return text.data() == key.data() ? label : std::string(text);
}

void print_lines(const std::vector<chain_line>& lines)
{
    if (i18n::current() != i18n::lang::ja)
    {
        for (const auto& ln : lines)
        {
            std::printf("%-11s %s\n", ln.label.c_str(), ln.text.c_str());
        }
        return;
    }
    // Labels of different widths in Japanese: padded by the columns they
    // take, so that the texts start in one column.
    std::size_t column = 0;
    for (const auto label : labels)
    {
        column = std::max(column, display_width(label_text(std::string(label))));
    }
    for (const auto& ln : lines)
    {
        const auto label = label_text(ln.label);
        const auto pad = column + 2 - std::min(column, display_width(label));
        std::printf("%s%s%s\n", label.c_str(), std::string(pad, ' ').c_str(), ln.text.c_str());
    }
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
    // --json: the chain in English, whatever the language.
    const auto lines = chain_lines(words{!o.json}, file, *p.snap, t);
    if (o.json)
    {
        std::printf("%s\n", boost::json::serialize(explain_json(*target_text, *p.snap, t, lines)).c_str());
        return exit_ok;
    }
    print_lines(lines);
    return exit_ok;
}

} // namespace sekisho::ctl
