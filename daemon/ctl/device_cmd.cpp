// `sekishoctl device add | lost | retire | list`: the device inventory
// (inventory.hpp). Each edit is checked by reading the new text back with the
// policy loader's own reader before anything is written, and is written
// atomically keeping the file's mode (util/replace_file.hpp).

#include "daemon/auth/secrets.hpp"
#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/certificate.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/inventory.hpp"
#include "daemon/util/replace_file.hpp"
#include "policy/yaml_reader.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace sekisho::ctl {

namespace {

const std::vector<admin_command>& device_commands()
{
    static const std::vector<admin_command> commands = {
        {"add",
         nullptr,
         {"--inventory", "--id", "--owner", "--kind", "--cert"},
         {"--inventory", "--id", "--owner", "--cert"},
         {}},
        {"lost", "ID", {"--inventory"}, {"--inventory"}, {}},
        {"retire", "ID", {"--inventory"}, {"--inventory"}, {}},
        {"list", nullptr, {"--inventory"}, {"--inventory"}, {}},
    };
    return commands;
}

// The inventory as it is now; nullopt (with the reason printed) when it
// cannot be read or has errors.
std::optional<inventory> load_inventory(const std::string& file, const char* what)
{
    std::string why;
    auto text = policy::read_text_file(file, &why);
    if (!text)
    {
        print_error("sekishoctl: cannot read %s: %s\n", file.c_str(), why.c_str());
        return std::nullopt;
    }
    auto inv = parse_inventory(std::move(*text), file);
    print_diagnostics(inv.diags);
    if (inv.diags.has_errors())
    {
        print_error("sekishoctl: %s has errors; nothing %s\n", file.c_str(), what);
        return std::nullopt;
    }
    return inv;
}

// Re-reads the edited text and writes it only when it reads as `expected`.
bool check_and_write(const inventory& before,
                     const std::string& text,
                     const std::vector<policy::device>& expected)
{
    const auto after = parse_inventory(text, before.name);
    if (after.diags.has_errors() || !same_devices(after.devices, expected))
    {
        print_diagnostics(after.diags);
        print_error("sekishoctl: the edited %s would not read back as intended; nothing written (edit it by "
                    "hand)\n",
                    before.name.c_str());
        return false;
    }
    std::string why;
    const std::string_view as_read = before.text;
    if (!util::replace_file(before.name, text, {0, &as_read}, &why))
    {
        print_error("sekishoctl: %s\n", why.c_str());
        return false;
    }
    return true;
}

boost::json::object device_json(const policy::device& d)
{
    return {{"id", d.id},
            {"owner", d.owner},
            {"kind", std::string(policy::to_string(d.kind))},
            {"status", std::string(policy::to_string(d.status))},
            {"fingerprint", d.fingerprint},
            {"serial", d.serial},
            {"posture_verified",
             d.posture_verified ? boost::json::value(iso_time(*d.posture_verified))
                                : boost::json::value(nullptr)},
            {"expires", d.expires ? boost::json::value(iso_time(*d.expires)) : boost::json::value(nullptr)},
            {"line", d.where.line}};
}

bool check_id(const std::string& id, const char* what)
{
    // Device ids follow the same rule as user ids (and every policy id).
    if (auth::valid_user_id(id))
    {
        return true;
    }
    print_error("sekishoctl: `%s` is not a valid %s: use 1-64 lower-case letters, digits, '-', '_' or '.'\n",
                id.c_str(),
                what);
    return false;
}

int add(const admin_args& a)
{
    const auto& file = *a.get("--inventory");
    new_device d;
    d.id = *a.get("--id");
    d.owner = *a.get("--owner");
    const std::string kind = a.get("--kind") ? *a.get("--kind") : "lent";
    if (kind != "lent" && kind != "byod")
    {
        return usage(("--kind is `lent` or `byod`, not `" + kind + "`").c_str());
    }
    d.kind = kind == "lent" ? policy::device_kind::lent : policy::device_kind::byod;
    if (!check_id(d.id, "device id") || !check_id(d.owner, "user id for --owner"))
    {
        return exit_failed;
    }
    std::string why;
    const auto cert = read_certificate(*a.get("--cert"), &why);
    if (!cert)
    {
        print_error("sekishoctl: %s\n", why.c_str());
        return exit_failed;
    }
    if (cert->is_ca)
    {
        print_error("sekishoctl: %s is a CA certificate (basicConstraints CA:TRUE), not a device's; nothing "
                    "changed\n",
                    a.get("--cert")->c_str());
        return exit_failed;
    }
    if (cert->expired)
    {
        print_error("sekishoctl: warning: the certificate expired on %s; sekishod will refuse it until the "
                    "device gets a new one\n",
                    cert->not_after.c_str());
    }
    d.fingerprint = cert->fingerprint;
    d.serial = cert->serial;
    auto inv = load_inventory(file, "changed");
    if (!inv)
    {
        return exit_failed;
    }
    for (const auto& other : inv->devices)
    {
        std::string clash;
        if (other.id == d.id)
        {
            clash = "device `" + d.id + "` is already listed; choose another id";
        }
        else if (other.fingerprint == d.fingerprint)
        {
            clash = "this certificate is already listed, as device `" + other.id +
                    "` (a certificate identifies one device)";
        }
        else if (other.serial == d.serial)
        {
            clash = "a certificate with serial " + d.serial + " is already listed, as device `" + other.id +
                    "` (a certificate identifies one device)";
        }
        if (!clash.empty())
        {
            print_error(
                "sekishoctl: %s:%d: %s; nothing changed\n", file.c_str(), other.where.line, clash.c_str());
            return exit_failed;
        }
    }
    d.comment = "Added by sekishoctl on " + iso_time(policy::clock::now()).substr(0, 10) + ": certificate " +
                (cert->subject_cn.empty() ? std::string() : "CN=" + cert->subject_cn + ", ") +
                "valid until " + cert->not_after;
    int line = 0;
    const auto text = add_device_text(*inv, d, &line, &why);
    if (!text)
    {
        print_error("sekishoctl: %s; nothing changed\n", why.c_str());
        return exit_failed;
    }
    if (!check_and_write(*inv, *text, expected_after_add(*inv, d)))
    {
        return exit_failed;
    }
    if (a.json())
    {
        auto after = expected_after_add(*inv, d).back();
        after.where.line = line;
        print_json({{"inventory", file},
                    {"action", "add"},
                    {"device", device_json(after)},
                    {"certificate_cn", cert->subject_cn},
                    {"certificate_not_after", cert->not_after}});
        return exit_ok;
    }
    std::printf("%s:%d: added %s (owner %s, %s, active)\n",
                file.c_str(),
                line,
                d.id.c_str(),
                d.owner.c_str(),
                kind.c_str());
    std::printf("  fingerprint  %s\n  serial       %s\n  certificate  %s%svalid until %s\n",
                d.fingerprint.c_str(),
                d.serial.c_str(),
                cert->subject_cn.empty() ? "" : ("CN=" + cert->subject_cn).c_str(),
                cert->subject_cn.empty() ? "" : ", ",
                cert->not_after.c_str());
    std::printf("The owner must be a user of the policy: check it with `sekishoctl policy check POLICY`.\n"
                "%s\n",
                reload_hint);
    return exit_ok;
}

int set_status(const admin_args& a, policy::device_status status)
{
    const auto& file = *a.get("--inventory");
    const auto& id = a.positional[0];
    auto inv = load_inventory(file, "changed");
    if (!inv)
    {
        return exit_failed;
    }
    const auto* dv = find_device(*inv, id);
    if (dv == nullptr)
    {
        std::vector<std::string_view> ids;
        for (const auto& d : inv->devices)
        {
            ids.emplace_back(d.id);
        }
        const auto near = policy::closest_word(id, ids);
        print_error("sekishoctl: no device `%s` in %s%s; nothing changed\n",
                    id.c_str(),
                    file.c_str(),
                    near.empty() ? "" : (" (did you mean `" + near + "`?)").c_str());
        return exit_failed;
    }
    const std::string was(policy::to_string(dv->status));
    const std::string now(policy::to_string(status));
    if (dv->status == status)
    {
        if (a.json())
        {
            print_json({{"inventory", file},
                        {"action", now},
                        {"device", id},
                        {"changed", false},
                        {"status", now},
                        {"line", dv->where.line}});
        }
        else
        {
            std::printf("%s:%d: %s is already %s; nothing changed\n",
                        file.c_str(),
                        dv->where.line,
                        id.c_str(),
                        now.c_str());
        }
        return exit_ok;
    }
    std::string why;
    int line = 0;
    const auto text = set_status_text(*inv, id, status, &line, &why);
    if (!text)
    {
        print_error("sekishoctl: %s; nothing changed\n", why.c_str());
        return exit_failed;
    }
    if (!check_and_write(*inv, *text, expected_after_status(*inv, id, status)))
    {
        return exit_failed;
    }
    if (a.json())
    {
        print_json({{"inventory", file},
                    {"action", now},
                    {"device", id},
                    {"changed", true},
                    {"was", was},
                    {"status", now},
                    {"line", line}});
        return exit_ok;
    }
    std::printf("%s:%d: %s status: %s -> %s\n", file.c_str(), line, id.c_str(), was.c_str(), now.c_str());
    std::printf("sekishod refuses the device from the next reload: systemctl reload sekishod (or kill -HUP "
                "<pid>).\n");
    if (status == policy::device_status::lost)
    {
        std::printf("Revoke its certificate too (the CRL named by tls.crl), in case it is found by someone "
                    "else.\n");
    }
    return exit_ok;
}

int list(const admin_args& a)
{
    const auto& file = *a.get("--inventory");
    auto inv = load_inventory(file, "listed");
    if (!inv)
    {
        return exit_failed;
    }
    if (a.json())
    {
        boost::json::array devices;
        for (const auto& d : inv->devices)
        {
            devices.push_back(device_json(d));
        }
        print_json({{"inventory", file}, {"devices", std::move(devices)}});
        return exit_ok;
    }
    std::vector<std::vector<std::string>> rows = {{"ID", "OWNER", "KIND", "STATUS", "SERIAL", "FINGERPRINT"}};
    std::size_t active = 0;
    for (const auto& d : inv->devices)
    {
        active += d.status == policy::device_status::active ? 1U : 0U;
        rows.push_back({d.id,
                        d.owner,
                        std::string(policy::to_string(d.kind)),
                        std::string(policy::to_string(d.status)),
                        d.serial.empty() ? "-" : d.serial,
                        d.fingerprint.empty() ? "-" : d.fingerprint.substr(0, 16) + "..."});
    }
    print_table(rows);
    std::printf("%zu device(s), %zu active\n", inv->devices.size(), active);
    return exit_ok;
}

} // namespace

int device_main(const std::vector<std::string>& args)
{
    const auto a = parse_admin_args("device", args, device_commands());
    if (!a)
    {
        return exit_usage;
    }
    if (a->command == "add")
    {
        return add(*a);
    }
    if (a->command == "lost")
    {
        return set_status(*a, policy::device_status::lost);
    }
    if (a->command == "retire")
    {
        return set_status(*a, policy::device_status::retired);
    }
    return list(*a);
}

} // namespace sekisho::ctl
