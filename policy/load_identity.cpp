// Reading roles:, users: and devices: (docs/policy-reference.md). Cross
// references (a user's roles, a device's owner, a role's services) are
// checked by compile(), which sees every file of the policy.

#include "load_sections.hpp"

#include <array>

namespace sekisho::policy::detail {

namespace {

constexpr std::array<std::string_view, 7> day_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::optional<int> day_index(std::string_view name)
{
    for (std::size_t i = 0; i < day_names.size(); ++i)
    {
        if (day_names[i] == name)
        {
            return static_cast<int>(i);
        }
    }
    return std::nullopt;
}

// "mon", "mon-fri", "fri-mon" (wrapping) → day bits.
std::optional<std::uint8_t> day_bits(std::string_view text)
{
    const auto dash = text.find('-');
    const auto first = day_index(text.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : day_index(text.substr(dash + 1));
    if (!first || !last)
    {
        return std::nullopt;
    }
    std::uint8_t bits = 0;
    for (int d = *first;; d = (d + 1) % 7)
    {
        bits = static_cast<std::uint8_t>(bits | (1U << d));
        if (d == *last)
        {
            break;
        }
    }
    return bits;
}

// "08:30" → 510; "24:00" only where allow_24 (the end of a window).
std::optional<int> read_clock(yaml_reader& r, const yaml_node& node, const std::string& what, bool allow_24)
{
    auto text = r.string(node, what);
    if (!text)
    {
        return std::nullopt;
    }
    int h = 0;
    int m = 0;
    int used = 0;
    if (text->size() == 5 && std::sscanf(text->c_str(), "%2d:%2d%n", &h, &m, &used) == 2 && used == 5 &&
        m < 60 && (h < 24 || (allow_24 && h == 24 && m == 0)))
    {
        return h * 60 + m;
    }
    r.error(node,
            what + " `" + *text + "` is not a time of day",
            allow_24 ? "write HH:MM (Asia/Tokyo), 00:00 to 24:00"
                     : "write HH:MM (Asia/Tokyo), 00:00 to 23:59");
    return std::nullopt;
}

std::vector<hours_window> read_hours(yaml_reader& r, const yaml_node& node, const std::string& what)
{
    std::vector<hours_window> out;
    if (!r.expect_sequence(node, what))
    {
        return out;
    }
    if (node.size() == 0)
    {
        r.error(node, what + " is empty", "remove `hours:` to allow any time, or list the windows");
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto w_what = indexed(what, i);
        const auto& item = node[i];
        if (!r.expect_map(item, w_what, {"days", "from", "to"}, {"days", "from", "to"}))
        {
            continue;
        }
        hours_window w;
        w.where = r.where(item);
        w.days = 0;
        bool ok = true;
        const auto days = item["days"];
        if (r.expect_sequence(days, w_what + ".days"))
        {
            for (std::size_t j = 0; j < days.size(); ++j)
            {
                auto text = r.string(days[j], indexed(w_what + ".days", j));
                auto bits = text ? day_bits(*text) : std::nullopt;
                if (!bits)
                {
                    if (text)
                    {
                        r.error(days[j],
                                indexed(w_what + ".days", j) + " `" + *text + "` is not a day",
                                "write sun, mon, tue, wed, thu, fri, sat or a range such as mon-fri");
                    }
                    ok = false;
                    continue;
                }
                w.days = static_cast<std::uint8_t>(w.days | *bits);
            }
            if (days.size() == 0)
            {
                r.error(days, w_what + ".days is empty", "list the days, e.g. [mon-fri]");
                ok = false;
            }
        }
        else
        {
            ok = false;
        }
        auto from = read_clock(r, item["from"], w_what + ".from", false);
        auto to = read_clock(r, item["to"], w_what + ".to", true);
        if (from && to && *from == *to % (24 * 60) && *to != 24 * 60)
        {
            r.error(item["to"],
                    w_what + " starts and ends at " + *r.string(item["from"], w_what + ".from") +
                        ": the window is empty",
                    "for the whole day write from: \"00:00\" to: \"24:00\"");
            ok = false;
        }
        if (ok && from && to)
        {
            w.from = *from;
            w.to = *to;
            out.push_back(w);
        }
    }
    return out;
}

void read_layers(yaml_reader& r, const yaml_node& node, const std::string& what, role& out)
{
    if (!r.expect_sequence(node, what))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        auto text = r.string(node[i], indexed(what, i));
        if (!text)
        {
            continue;
        }
        if (*text == "mynumber")
        {
            r.error(node[i],
                    indexed(what, i) + ": the My Number layer is never reachable by telework",
                    "remove it; telework may use `lgwan` (screen transfer) and `internet`");
        }
        else if (auto l = parse_layer(*text))
        {
            (*l == layer::lgwan ? out.lgwan : out.internet) = true;
        }
        else
        {
            r.error(
                node[i], indexed(what, i) + " `" + *text + "` is not a layer", "use `lgwan` or `internet`");
        }
    }
    if (node.size() == 0)
    {
        r.error(node, what + " is empty", "list the layers the role may use: lgwan, internet");
    }
}

// `factors: [device, password, totp]` spells out what `mfa` means: the device
// certificate is always required (TLS refuses a device without one); the
// password and the TOTP code come together in one sign-in, so naming either
// requires sign-in (mfa: true).
void read_factors(yaml_reader& r, const yaml_node& node, const std::string& what, bool has_mfa, role& out)
{
    if (has_mfa)
    {
        r.error(node, what + " and mfa say the same thing", "keep one of them");
        return;
    }
    if (!r.expect_sequence(node, what))
    {
        return;
    }
    bool device = false;
    bool signin = false;
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        auto text = r.string(node[i], indexed(what, i));
        if (!text)
        {
            continue;
        }
        if (*text == "device")
        {
            device = true;
        }
        else if (*text == "password" || *text == "totp")
        {
            signin = true;
        }
        else
        {
            r.error(node[i],
                    indexed(what, i) + " `" + *text + "` is not a factor",
                    "use `device`, `password` and `totp`");
        }
    }
    if (!device)
    {
        r.error(node, what + " must include `device`", "the device certificate is always required");
    }
    out.mfa = signin;
}

void read_limits(yaml_reader& r, const yaml_node& node, const std::string& what, role& out)
{
    if (!r.expect_map(node, what, {"tunnels_per_user", "sessions_per_user"}))
    {
        return;
    }
    if (auto t = node["tunnels_per_user"])
    {
        out.tunnels_per_user =
            static_cast<std::uint32_t>(r.integer(t, what + ".tunnels_per_user", 1, 100000).value_or(0));
    }
    if (auto s = node["sessions_per_user"])
    {
        out.sessions_per_user =
            static_cast<std::uint32_t>(r.integer(s, what + ".sessions_per_user", 1, 1000).value_or(0));
    }
}

} // namespace

void read_roles(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "roles"))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("roles", i);
        const auto& item = node[i];
        if (!r.expect_map(item,
                          what,
                          {"id",
                           "description",
                           "layers",
                           "services",
                           "screen_transfer",
                           "data_class",
                           "hours",
                           "mfa",
                           "factors",
                           "posture_max_age",
                           "limits",
                           "enforce",
                           "business"},
                          {"id", "layers", "data_class"}))
        {
            continue;
        }
        role ro;
        ro.where = r.where(item);
        const auto errors_before = r.diags().error_count();
        auto id = read_id(r, item["id"], what + ".id");
        if (auto d = item["description"])
        {
            ro.description = r.string(d, what + ".description").value_or("");
        }
        read_layers(r, item["layers"], what + ".layers", ro);
        if (auto s = item["services"])
        {
            ro.services = read_references(r, s, what + ".services", true);
        }
        if (auto s = item["screen_transfer"])
        {
            ro.screen_transfer = read_references(r, s, what + ".screen_transfer", true);
        }
        if (auto c = read_data_class(r, item["data_class"], what + ".data_class"))
        {
            if (*c >= data_class::c3b)
            {
                r.error(item["data_class"],
                        what + ".data_class " + std::string(to_string(*c)) +
                            ": 3A and 3B information is never handled by telework",
                        "use 3C, 2 or 1");
            }
            ro.max_class = *c;
        }
        if (auto h = item["hours"])
        {
            ro.hours = read_hours(r, h, what + ".hours");
        }
        if (auto m = item["mfa"])
        {
            ro.mfa = r.boolean(m, what + ".mfa").value_or(true);
        }
        if (auto f = item["factors"])
        {
            read_factors(r, f, what + ".factors", item["mfa"].IsDefined(), ro);
        }
        if (auto p = item["posture_max_age"])
        {
            if (auto d = r.duration(
                    p, what + ".posture_max_age", std::chrono::hours(1), std::chrono::hours(24 * 365)))
            {
                ro.posture_max_age = std::chrono::duration_cast<std::chrono::seconds>(*d);
            }
        }
        if (auto l = item["limits"])
        {
            read_limits(r, l, what + ".limits", ro);
        }
        if (auto e = item["enforce"])
        {
            auto text = r.string(e, what + ".enforce");
            if (text && *text == "report")
            {
                ro.mode = enforcement::report;
            }
            else if (text && *text != "enforce")
            {
                r.error(e, what + ".enforce `" + *text + "` is not a mode", "use `enforce` or `report`");
            }
        }
        if (auto b = item["business"])
        {
            ro.business = read_references(r, b, what + ".business", false);
        }
        if (id && r.diags().error_count() == errors_before)
        {
            ro.id = *id;
            doc.roles.push_back(std::move(ro));
        }
    }
}

void read_users(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "users"))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("users", i);
        const auto& item = node[i];
        if (!r.expect_map(item, what, {"id", "name", "department", "roles", "expires"}, {"id", "roles"}))
        {
            continue;
        }
        user u;
        u.where = r.where(item);
        const auto errors_before = r.diags().error_count();
        auto id = read_id(r, item["id"], what + ".id");
        if (auto n = item["name"])
        {
            u.name = r.string(n, what + ".name").value_or("");
        }
        if (auto d = item["department"])
        {
            u.department = r.string(d, what + ".department").value_or("");
        }
        u.roles = read_references(r, item["roles"], what + ".roles", false);
        if (item["roles"].IsSequence() && item["roles"].size() == 0)
        {
            r.error(item["roles"], what + ".roles is empty", "give the user a role, or remove the user");
        }
        if (auto e = item["expires"])
        {
            u.expires = read_time(r, e, what + ".expires");
        }
        if (id && r.diags().error_count() == errors_before)
        {
            u.id = *id;
            doc.users.push_back(std::move(u));
        }
    }
}

void read_devices(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "devices"))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("devices", i);
        const auto& item = node[i];
        if (!r.expect_map(
                item,
                what,
                {"id", "fingerprint", "serial", "owner", "kind", "status", "posture_verified", "expires"},
                {"id", "owner", "kind", "status"}))
        {
            continue;
        }
        device dv;
        dv.where = r.where(item);
        const auto errors_before = r.diags().error_count();
        auto id = read_id(r, item["id"], what + ".id");
        if (auto f = item["fingerprint"])
        {
            auto text = r.string(f, what + ".fingerprint");
            auto norm = text ? normalise_fingerprint(*text) : std::nullopt;
            if (text && !norm)
            {
                r.error(f,
                        what + ".fingerprint is not a SHA-256 fingerprint",
                        "64 hex digits, with or without colons: openssl x509 -in device.pem -noout "
                        "-fingerprint -sha256");
            }
            dv.fingerprint = norm.value_or("");
        }
        if (auto s = item["serial"])
        {
            auto text = r.string(s, what + ".serial");
            auto norm = text ? normalise_serial(*text) : std::nullopt;
            if (text && !norm)
            {
                r.error(s,
                        what + ".serial is not a certificate serial number",
                        "hex digits: openssl x509 -in device.pem -noout -serial");
            }
            dv.serial = norm.value_or("");
        }
        if (!item["fingerprint"] && !item["serial"])
        {
            r.error(item,
                    what + " has neither `fingerprint` nor `serial`",
                    "a device is recognised by its certificate: give its SHA-256 fingerprint or serial");
        }
        auto owner = read_id(r, item["owner"], what + ".owner");
        if (auto k = r.string(item["kind"], what + ".kind"))
        {
            if (*k == "lent" || *k == "byod")
            {
                dv.kind = *k == "lent" ? device_kind::lent : device_kind::byod;
            }
            else
            {
                r.error(
                    item["kind"], what + ".kind `" + *k + "` is not a device kind", "use `lent` or `byod`");
            }
        }
        if (auto s = r.string(item["status"], what + ".status"))
        {
            if (*s == "active" || *s == "lost" || *s == "retired")
            {
                dv.status = *s == "active" ? device_status::active
                            : *s == "lost" ? device_status::lost
                                           : device_status::retired;
            }
            else
            {
                r.error(item["status"],
                        what + ".status `" + *s + "` is not a device status",
                        "use `active`, `lost` or `retired`");
            }
        }
        if (auto p = item["posture_verified"])
        {
            dv.posture_verified = read_time(r, p, what + ".posture_verified");
        }
        if (auto e = item["expires"])
        {
            dv.expires = read_time(r, e, what + ".expires");
        }
        if (id && owner && r.diags().error_count() == errors_before)
        {
            dv.id = *id;
            dv.owner = *owner;
            doc.devices.push_back(std::move(dv));
        }
    }
}

} // namespace sekisho::policy::detail
