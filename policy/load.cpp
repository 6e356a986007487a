#include "load.hpp"

#include "decide.hpp"
#include "load_sections.hpp"
#include "yaml_reader.hpp"

#include <sodium.h>

#include <ctime>
#include <filesystem>
#include <set>

namespace sekisho::policy {

namespace detail {

std::string indexed(std::string_view what, std::size_t i)
{
    return std::string(what) + "[" + std::to_string(i) + "]";
}

namespace {

// ids name rules in logs and deny headers: keep them plain.
bool valid_id(std::string_view id)
{
    if (id.empty() || id.size() > 64)
    {
        return false;
    }
    for (char c : id)
    {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok)
        {
            return false;
        }
    }
    return true;
}

} // namespace

std::optional<std::string> read_id(yaml_reader& r, const yaml_node& node, std::string_view what)
{
    auto id = r.string(node, what);
    if (id && !valid_id(*id))
    {
        r.error(node,
                std::string(what) + " `" + *id + "` is not a valid id",
                "use 1-64 lower-case letters, digits, '-', '_' or '.'");
        return std::nullopt;
    }
    return id;
}

std::vector<std::string>
read_references(yaml_reader& r, const yaml_node& node, std::string_view what, bool allow_tags)
{
    std::vector<std::string> out;
    if (!r.expect_sequence(node, what))
    {
        return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto item_what = indexed(what, i);
        auto text = r.string(node[i], item_what);
        if (!text)
        {
            continue;
        }
        const bool tag = allow_tags && text->rfind("tag:", 0) == 0;
        const std::string_view id = tag ? std::string_view(*text).substr(4) : std::string_view(*text);
        if (!valid_id(id))
        {
            r.error(node[i],
                    item_what + " `" + *text + "` is not a valid " + (tag ? "tag" : "id"),
                    allow_tags
                        ? "write an id, or tag:<tag>; ids and tags use lower-case letters, digits, '-', "
                          "'_' or '.'"
                        : "use 1-64 lower-case letters, digits, '-', '_' or '.'");
            continue;
        }
        out.push_back(*text);
    }
    return out;
}

std::optional<data_class> read_data_class(yaml_reader& r, const yaml_node& node, std::string_view what)
{
    auto text = r.string(node, what);
    if (!text)
    {
        return std::nullopt;
    }
    auto c = parse_data_class(*text);
    if (!c)
    {
        r.error(node,
                std::string(what) + " `" + *text + "` is not a data class",
                "use one of 1, 2, 3C, 3B, 3A (自治体機密性)");
    }
    return c;
}

} // namespace detail

using detail::indexed;
using detail::read_id;

namespace {

// "10.1.2.3/8" → "10.0.0.0/8": the network the operator most likely meant.
std::string network_of(const std::string& text)
{
    const auto slash = text.find('/');
    auto addr = ip_address::parse(std::string_view(text).substr(0, slash));
    const unsigned len = static_cast<unsigned>(std::stoul(text.substr(slash + 1)));
    auto bytes = addr->bytes();
    for (unsigned i = len; i < addr->bit_width(); ++i)
    {
        bytes[i / 8] = static_cast<std::uint8_t>(bytes[i / 8] & ~(1U << (7 - i % 8)));
    }
    const auto net =
        addr->is_v4() ? ip_address::v4({bytes[0], bytes[1], bytes[2], bytes[3]}) : ip_address::v6(bytes);
    return net.to_string() + "/" + std::to_string(len);
}

std::vector<std::uint16_t> read_ports(yaml_reader& r, const yaml_node& node, std::string_view what)
{
    std::vector<std::uint16_t> ports;
    if (!r.expect_sequence(node, what))
    {
        return ports;
    }
    if (node.size() == 0)
    {
        r.error(node, std::string(what) + " is empty", "list every port the destination may be reached on");
    }
    std::set<std::uint16_t> seen;
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        if (auto p = r.integer(node[i], indexed(what, i), 1, 65535))
        {
            const auto port = static_cast<std::uint16_t>(*p);
            if (!seen.insert(port).second)
            {
                r.warning(node[i],
                          "port " + std::to_string(port) + " is listed twice in " + std::string(what));
            }
            ports.push_back(port);
        }
    }
    return ports;
}

void read_zone(yaml_reader& r, const yaml_node& node, std::string_view what, zone_def& out)
{
    out.where = r.where(node);
    if (!r.expect_map(node, what, {"cidrs", "domains"}))
    {
        return;
    }
    if (auto cidrs = node["cidrs"]; cidrs && r.expect_sequence(cidrs, std::string(what) + ".cidrs"))
    {
        for (std::size_t i = 0; i < cidrs.size(); ++i)
        {
            auto text = r.string(cidrs[i], indexed(std::string(what) + ".cidrs", i));
            if (!text)
            {
                continue;
            }
            std::string why;
            if (auto c = cidr::parse(*text, &why))
            {
                out.cidrs.push_back(*c);
            }
            else
            {
                std::string hint;
                if (why.find("bits") != std::string::npos)
                {
                    hint = "write `" + network_of(*text) + "`, or check the prefix length";
                }
                r.error(cidrs[i], "`" + *text + "` is not a valid CIDR: " + why, hint);
            }
        }
    }
    if (auto domains = node["domains"]; domains && r.expect_sequence(domains, std::string(what) + ".domains"))
    {
        for (std::size_t i = 0; i < domains.size(); ++i)
        {
            auto text = r.string(domains[i], indexed(std::string(what) + ".domains", i));
            if (!text)
            {
                continue;
            }
            if (text->rfind("*.", 0) == 0)
            {
                r.error(domains[i],
                        "zone domains are suffixes already: `" + *text + "` needs no wildcard",
                        "write `" + text->substr(2) + "`");
                continue;
            }
            if (auto e = check_policy_hostname(*text))
            {
                r.error(domains[i], "zone domain `" + *text + "`: " + e->message, e->suggestion);
                continue;
            }
            out.domains.push_back(*text);
        }
    }
}

void read_screen_transfer(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "screen_transfer"))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("screen_transfer", i);
        const auto& item = node[i];
        if (!r.expect_map(item,
                          what,
                          {"id", "host", "ports", "description", "controls", "tags"},
                          {"id", "host", "ports", "controls"}))
        {
            continue;
        }
        screen_transfer_endpoint ep;
        ep.where = r.where(item);
        auto id = read_id(r, item["id"], what + ".id");
        auto host = r.string(item["host"], what + ".host");
        ep.ports = read_ports(r, item["ports"], what + ".ports");
        if (auto d = item["description"])
        {
            ep.description = r.string(d, what + ".description").value_or("");
        }
        if (auto t = item["tags"])
        {
            ep.tags = detail::read_references(r, t, what + ".tags", false);
        }
        const auto controls = item["controls"];
        bool controls_ok = false;
        if (r.expect_map(controls,
                         what + ".controls",
                         {"clipboard", "file_transfer", "printing", "drive_mapping"},
                         {"clipboard", "file_transfer", "printing", "drive_mapping"}))
        {
            controls_ok = true;
            for (const char* c : {"clipboard", "file_transfer", "printing", "drive_mapping"})
            {
                auto v = r.boolean(controls[c], what + ".controls." + c);
                if (v && *v)
                {
                    // DOMAIN.md §7 rule 2 / F15: data must not leave the LGWAN layer.
                    r.error(controls[c],
                            what + ".controls." + c +
                                " is on: LGWAN-layer telework is allowed only "
                                "through screen transfer with clipboard, file "
                                "transfer, printing and drive mapping all off",
                            "turn it off on the endpoint and write `false`, or remove the endpoint");
                    controls_ok = false;
                }
                else if (!v)
                {
                    controls_ok = false;
                }
            }
        }
        if (host)
        {
            if (auto addr = ip_address::parse(*host))
            {
                ep.host_ip = *addr;
                ep.host = addr->to_string();
            }
            else if (auto e = check_policy_hostname(*host))
            {
                r.error(item["host"], what + ".host `" + *host + "`: " + e->message, e->suggestion);
                host.reset();
            }
            else
            {
                ep.host = *host;
            }
        }
        if (id && host && controls_ok)
        {
            ep.id = *id;
            doc.screen_transfer.push_back(std::move(ep));
        }
    }
}

void read_services(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "services"))
    {
        return;
    }
    // Sized once: a catalogue of 10^6 services would otherwise double its
    // way up, old and new arrays alive together at each step.
    doc.services.reserve(doc.services.size() + node.size());
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("services", i);
        const auto& item = node[i];
        if (!r.expect_map(item,
                          what,
                          {"id",
                           "name",
                           "domains",
                           "ports",
                           "data_class",
                           "local_breakout",
                           "tags",
                           "certification",
                           "provider",
                           "subprocessors",
                           "residency",
                           "approval",
                           "sbom"},
                          {"id", "domains", "ports"}))
        {
            continue;
        }
        cloud_service svc;
        svc.where = r.where(item);
        auto id = read_id(r, item["id"], what + ".id");
        if (auto n = item["name"])
        {
            svc.name = r.string(n, what + ".name").value_or("");
        }
        bool domains_ok = true;
        const auto domains = item["domains"];
        if (r.expect_sequence(domains, what + ".domains"))
        {
            if (domains.size() == 0)
            {
                r.error(domains, what + ".domains is empty", "list the service's host names");
                domains_ok = false;
            }
            for (std::size_t j = 0; j < domains.size(); ++j)
            {
                auto text = r.string(domains[j], indexed(what + ".domains", j));
                if (!text)
                {
                    domains_ok = false;
                    continue;
                }
                if (ip_address::parse(*text))
                {
                    r.error(domains[j],
                            "`" + *text + "` is an address; services are catalogued by name",
                            "list the service's host name; addresses are vetted after resolution");
                    domains_ok = false;
                    continue;
                }
                name_error why;
                if (auto p = domain_pattern::parse(*text, &why))
                {
                    svc.domains.push_back(*p);
                }
                else
                {
                    r.error(domains[j], "domain `" + *text + "`: " + why.message, why.suggestion);
                    domains_ok = false;
                }
            }
        }
        else
        {
            domains_ok = false;
        }
        svc.ports = read_ports(r, item["ports"], what + ".ports");
        std::optional<data_class> cls;
        if (!item["data_class"])
        {
            // Fail closed: an unclassified service counts as holding the
            // most sensitive data telework may touch, so only 3C roles reach it.
            r.warning(item,
                      what + " has no `data_class`: it is treated as 3C",
                      "add the highest class the service is approved for: `data_class: 1`, `2` or `3C`");
            cls = data_class::c3c;
        }
        else
        {
            cls = detail::read_data_class(r, item["data_class"], what + ".data_class");
        }
        if (cls && *cls >= data_class::c3b)
        {
            r.error(item["data_class"],
                    what + ".data_class " + std::string(to_string(*cls)) +
                        ": 3A and 3B information never goes to a cloud service by telework",
                    "use 3C, 2 or 1: the highest class the service is approved for");
            cls.reset();
        }
        svc.max_class = cls.value_or(data_class::c1);
        if (auto b = item["local_breakout"])
        {
            svc.local_breakout = r.boolean(b, what + ".local_breakout").value_or(false);
        }
        if (auto t = item["tags"])
        {
            svc.tags = detail::read_references(r, t, what + ".tags", false);
        }
        detail::read_service_catalog(r, item, what, svc);
        if (id && domains_ok && !svc.ports.empty() && cls)
        {
            svc.id = *id;
            doc.services.push_back(std::move(svc));
        }
    }
}

// The years a time in a policy may name.
constexpr int min_year = 1900;
constexpr int max_year = 2200;

// "2027-04-01T09:00+09:00", with optional seconds, "Z" for UTC. Asia/Tokyo
// has no daylight saving time, so an explicit offset is always exact.
std::optional<clock::time_point> parse_time_impl(const std::string& text)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &used) != 5 || used != 16)
    {
        return std::nullopt;
    }
    std::size_t pos = 16;
    if (pos < text.size() && text[pos] == ':')
    {
        int used2 = 0;
        if (std::sscanf(text.c_str() + pos, ":%2d%n", &sec, &used2) != 1 || used2 != 3)
        {
            return std::nullopt;
        }
        pos += 3;
    }
    long offset = 0;
    const auto zone_part = text.substr(pos);
    if (zone_part != "Z")
    {
        int oh = 0, om = 0, used3 = 0;
        if (zone_part.size() != 6 || (zone_part[0] != '+' && zone_part[0] != '-') ||
            std::sscanf(zone_part.c_str() + 1, "%2d:%2d%n", &oh, &om, &used3) != 2 || used3 != 5 || oh > 14 ||
            om > 59)
        {
            return std::nullopt;
        }
        offset = (zone_part[0] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    }
    // The clock counts nanoseconds in 64 bits (1677–2262): a year outside
    // min_year..max_year is refused, not wrapped ("9999-12-31" as "never"
    // would otherwise become a date in 1816). sscanf takes signs: no
    // negative fields either.
    if (y < min_year || y > max_year || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || sec < 0 || sec > 60)
    {
        return std::nullopt;
    }
    // No 30 February: the day must exist in that month.
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > month_days[mo - 1] + (mo == 2 && leap ? 1 : 0))
    {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    const std::time_t utc = timegm(&tm);
    return clock::from_time_t(utc - offset);
}

} // namespace

std::optional<clock::time_point>
detail::read_time(yaml_reader& r, const yaml_node& node, std::string_view what, day_edge edge)
{
    auto text = r.string(node, what);
    if (!text)
    {
        return std::nullopt;
    }
    if (text->size() == 10)
    {
        // A date: through the end of that day in Asia/Tokyo, or from its start.
        if (auto start = parse_time_impl(*text + "T00:00+09:00"))
        {
            return edge == day_edge::start ? *start : *start + std::chrono::hours(24);
        }
    }
    auto t = parse_time_impl(*text);
    if (!t)
    {
        r.error(node,
                std::string(what) + " `" + *text + "` is not a time",
                "write a date (2027-03-31, through the end of that day in Asia/Tokyo) or a time with an "
                "offset (2027-04-01T09:00+09:00), in the years 1900 to 2200");
    }
    return t;
}

namespace {

void read_tests(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "tests"))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("tests", i);
        const auto& item = node[i];
        if (!r.expect_map(item,
                          what,
                          {"name",
                           "user",
                           "device",
                           "mfa",
                           "layer",
                           "target",
                           "resolves",
                           "at",
                           "expect",
                           "reason",
                           "rule"},
                          {"name", "layer", "target", "expect"}))
        {
            continue;
        }
        policy_test t;
        t.where = r.where(item);
        bool ok = true;
        t.name = r.string(item["name"], what + ".name").value_or("");
        if (auto u = item["user"])
        {
            auto id = read_id(r, u, what + ".user");
            ok = ok && id.has_value();
            t.user = id.value_or("");
        }
        if (auto d = item["device"])
        {
            auto id = read_id(r, d, what + ".device");
            ok = ok && id.has_value();
            t.device = id.value_or("");
        }
        if (auto m = item["mfa"])
        {
            auto v = r.boolean(m, what + ".mfa");
            ok = ok && v.has_value();
            t.mfa = v.value_or(false);
        }
        if (auto l = r.string(item["layer"], what + ".layer"))
        {
            if (auto parsed = parse_layer(*l))
            {
                t.on = *parsed;
            }
            else
            {
                r.error(item["layer"],
                        what + ".layer `" + *l + "` is not a telework layer",
                        "use `lgwan` or `internet`");
                ok = false;
            }
        }
        if (auto tg = r.string(item["target"], what + ".target"))
        {
            std::string why;
            if (auto parsed = parse_authority(*tg, &why))
            {
                t.dest = *parsed;
            }
            else
            {
                r.error(item["target"], what + ".target `" + *tg + "`: " + why, "write host:port");
                ok = false;
            }
        }
        if (auto res = item["resolves"]; res && r.expect_sequence(res, what + ".resolves"))
        {
            for (std::size_t j = 0; j < res.size(); ++j)
            {
                auto text = r.string(res[j], indexed(what + ".resolves", j));
                auto a = text ? ip_address::parse(*text) : std::nullopt;
                if (!a)
                {
                    r.error(res[j], indexed(what + ".resolves", j) + " is not an IP address");
                    ok = false;
                    continue;
                }
                t.resolves.push_back(*a);
            }
        }
        if (auto at = item["at"])
        {
            auto text = r.string(at, what + ".at");
            t.at = text ? parse_time_impl(*text) : std::nullopt;
            if (text && !t.at)
            {
                r.error(at, what + ".at is not a time", "write e.g. 2027-04-01T09:00+09:00");
            }
            ok = ok && t.at.has_value();
        }
        if (auto e = r.string(item["expect"], what + ".expect"))
        {
            if (*e != "allow" && *e != "deny")
            {
                r.error(item["expect"], what + ".expect must be `allow` or `deny`");
                ok = false;
            }
            t.expect_allow = *e == "allow";
        }
        if (auto rs = item["reason"])
        {
            t.reason = r.string(rs, what + ".reason").value_or("");
            if (!parse_reason(t.reason))
            {
                r.error(rs,
                        what + ".reason `" + t.reason + "` is not a reason code",
                        "see the reason codes in docs/configuration.md");
                ok = false;
            }
        }
        if (auto ru = item["rule"])
        {
            t.rule = r.string(ru, what + ".rule").value_or("");
        }
        if (ok)
        {
            doc.tests.push_back(std::move(t));
        }
    }
}

void check_unique_ids(yaml_reader& r, const policy_document& doc)
{
    std::set<std::string, std::less<>> ids;
    for (const auto& ep : doc.screen_transfer)
    {
        if (!ids.insert(ep.id).second)
        {
            r.diags().error(
                ep.where, "duplicate id `" + ep.id + "` in screen_transfer", "ids must be unique");
        }
    }
    ids.clear();
    for (const auto& s : doc.services)
    {
        if (!ids.insert(s.id).second)
        {
            r.diags().error(s.where, "duplicate id `" + s.id + "` in services", "ids must be unique");
        }
    }
    auto unique = [&](const auto& items, std::string_view section) {
        ids.clear();
        for (const auto& item : items)
        {
            if (!ids.insert(item.id).second)
            {
                r.diags().error(item.where,
                                "duplicate id `" + item.id + "` in " + std::string(section),
                                "ids must be unique");
            }
        }
    };
    unique(doc.roles, "roles");
    unique(doc.users, "users");
    unique(doc.devices, "devices");
}

} // namespace

std::string content_hash(std::string_view bytes)
{
    static const bool initialised = sodium_init() >= 0;
    (void)initialised;
    unsigned char out[crypto_generichash_BYTES];
    crypto_generichash(
        out, sizeof out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr, 0);
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * sizeof out);
    for (unsigned char b : out)
    {
        text += hex[b >> 4];
        text += hex[b & 0xf];
    }
    return text;
}

std::optional<std::chrono::system_clock::time_point> parse_time(const std::string& text)
{
    return parse_time_impl(text);
}

namespace {

// The sections a main policy file and an included file may both hold.
void read_shared_sections(yaml_reader& r, const yaml_node& root, policy_document& doc)
{
    if (auto st = root["screen_transfer"])
    {
        read_screen_transfer(r, st, doc);
    }
    if (auto sv = root["services"])
    {
        read_services(r, sv, doc);
    }
    if (auto ex = root["exceptions"])
    {
        detail::read_exceptions(r, ex, doc);
    }
    if (auto rg = root["registrations"])
    {
        detail::read_registrations(r, rg, doc);
    }
    if (auto n = root["roles"])
    {
        detail::read_roles(r, n, doc);
    }
    if (auto n = root["users"])
    {
        detail::read_users(r, n, doc);
    }
    if (auto n = root["devices"])
    {
        detail::read_devices(r, n, doc);
    }
    if (auto ts = root["tests"])
    {
        read_tests(r, ts, doc);
    }
}

// Files named by `include:` add screen_transfer endpoints, services and tests
// to the policy (for example a catalogue kept by another team, or tests kept
// apart); zones, version and model stay in the main file. One level only:
// an included file cannot include others. Paths are relative to the main file.
void read_includes(yaml_reader& r,
                   const yaml_node& node,
                   const std::string& main_name,
                   policy_document& doc,
                   std::string& hashed)
{
    if (!r.expect_sequence(node, "include"))
    {
        return;
    }
    const auto dir = std::filesystem::path(main_name).parent_path();
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        auto written = r.string(node[i], indexed("include", i));
        if (!written)
        {
            continue;
        }
        std::string why;
        const auto expanded = expand_variables(*written, &why);
        if (!expanded)
        {
            r.error(node[i],
                    indexed("include", i) + " `" + *written + "`: " + why,
                    "set the variable, or write ${VAR:-default}");
            continue;
        }
        std::filesystem::path p(*expanded);
        if (p.is_relative())
        {
            p = dir / p;
        }
        const auto path = p.lexically_normal().string();
        if (!seen.insert(path).second)
        {
            r.error(node[i], "`" + *written + "` is included twice");
            continue;
        }
        auto text = read_text_file(path, &why);
        if (!text)
        {
            r.error(node[i],
                    "cannot read the included file " + path + ": " + why,
                    "check the path (relative to " + main_name + ")");
            continue;
        }
        // The policy's identity covers every file it is made of: the bytes,
        // and the include as written (not the path it was found by, so the
        // same files copied to another folder or host hash the same).
        hashed += "\n--- include " + *written + "\n" + *text;
        yaml_reader inner(path, r.diags());
        const auto parsed = inner.parse(*text);
        if (!parsed)
        {
            continue;
        }
        const yaml_node root = parsed->root;
        if (!root || root.IsNull())
        {
            continue; // an empty included file adds nothing
        }
        if (root.IsMap() && root["include"])
        {
            inner.error(root["include"],
                        "an included file cannot include others",
                        "list every file in the main policy's include:");
        }
        if (!inner.expect_map(root,
                              "an included file",
                              {"screen_transfer",
                               "services",
                               "exceptions",
                               "registrations",
                               "roles",
                               "users",
                               "devices",
                               "tests",
                               "include"}) &&
            !root.IsMap())
        {
            continue;
        }
        read_shared_sections(inner, root, doc);
    }
}

} // namespace

namespace {

load_result load_policy_text_unguarded(std::string_view yaml, const std::string& name)
{
    load_result result;
    yaml_reader r(name, result.diags);
    const auto parsed = r.parse(yaml);
    if (!parsed)
    {
        return result;
    }
    const yaml_node root = parsed->root;
    if (!root || root.IsNull())
    {
        result.diags.error({name, 1, 1}, "the policy is empty", "start with `version: 1`");
        return result;
    }
    policy_document doc;
    doc.source_file = name;
    std::string hashed(yaml);
    if (!r.expect_map(root,
                      "the policy",
                      {"version",
                       "model",
                       "byod_allowed",
                       "zones",
                       "screen_transfer",
                       "services",
                       "supply_chain",
                       "exceptions",
                       "registrations",
                       "roles",
                       "users",
                       "devices",
                       "tests",
                       "include"},
                      {"version", "model", "zones"}))
    {
        if (!root.IsMap())
        {
            return result;
        }
    }
    if (auto v = root["version"])
    {
        if (auto n = r.integer(v, "version", 1, 1))
        {
            doc.version = static_cast<int>(*n);
        }
    }
    if (auto m = root["model"])
    {
        if (auto text = r.string(m, "model"))
        {
            if (auto model = parse_network_model(*text))
            {
                doc.model = *model;
            }
            else
            {
                r.error(m,
                        "unknown model `" + *text + "`",
                        "use one of `alpha`, `alpha_prime`, `beta`, `beta_prime`");
            }
        }
    }
    if (auto b = root["byod_allowed"])
    {
        doc.byod_allowed = r.boolean(b, "byod_allowed").value_or(false);
    }
    if (auto z = root["zones"])
    {
        if (r.expect_map(z, "zones", {"mynumber", "lgwan", "internet"}, {"mynumber", "lgwan", "internet"}))
        {
            read_zone(r, z["mynumber"], "zones.mynumber", doc.mynumber);
            read_zone(r, z["lgwan"], "zones.lgwan", doc.lgwan);
            read_zone(r, z["internet"], "zones.internet", doc.internet);
            if (doc.mynumber.cidrs.empty() && doc.mynumber.domains.empty())
            {
                r.warning(
                    z["mynumber"],
                    "the My Number zone lists no addresses or domains",
                    "list its ranges and domains: sekisho can only refuse My Number addresses and names "
                    "it can recognise");
            }
        }
    }
    read_shared_sections(r, root, doc);
    if (auto sc = root["supply_chain"])
    {
        detail::read_supply_chain(r, sc, doc);
    }
    if (auto inc = root["include"])
    {
        read_includes(r, inc, name, doc, hashed);
    }
    doc.content_hash = content_hash(hashed);
    check_unique_ids(r, doc);
    result.document = std::move(doc);
    return result;
}

} // namespace

// The boundary of the control plane: whatever the parser or the standard
// library throws becomes one more error, never an exception that could end a
// reload thread or the daemon.
load_result load_policy_text(std::string_view yaml, const std::string& name)
{
    try
    {
        return load_policy_text_unguarded(yaml, name);
    }
    catch (const std::exception& e)
    {
        load_result result;
        result.diags.error({name, 0, 0}, std::string("cannot load the policy: ") + e.what());
        return result;
    }
}

load_result load_policy_file(const std::string& path)
{
    std::string why;
    auto text = read_text_file(path, &why);
    if (!text)
    {
        load_result result;
        result.diags.error(
            {path, 0, 0}, "cannot read the policy file: " + why, "check the path and its permissions");
        return result;
    }
    return load_policy_text(*text, path);
}

} // namespace sekisho::policy
