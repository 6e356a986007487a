// `sekishoctl user passwd | totp-enroll | list | remove`: the users' secrets
// file (daemon/auth/secrets.hpp); `lock` / `unlock` are in user_lock.cpp. Every change goes through
// write_secrets_file(): the whole file anew, atomically, mode 0600. Nothing
// printed ever holds a password hash; only totp-enroll shows the new key, once,
// to whoever enrols.

#include "daemon/auth/password.hpp"
#include "daemon/auth/secrets.hpp"
#include "daemon/auth/totp.hpp"
#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/password_input.hpp"
#include "daemon/ctl/qr_text.hpp"
#include "daemon/ctl/user_secrets.hpp"
#include "policy/yaml_reader.hpp"

#include <boost/json.hpp>

#include <sodium.h>

#include <cstdio>

namespace sekisho::ctl {

namespace {

constexpr const char* default_issuer = "sekisho";

const std::vector<admin_command>& user_commands()
{
    static const std::vector<admin_command> commands = {
        {"add", "USER", {"--secrets", "--issuer"}, {"--secrets"}, {"--invert"}},
        {"passwd", "USER", {"--secrets"}, {"--secrets"}, {}},
        {"totp-enroll", "USER", {"--secrets", "--issuer"}, {"--secrets"}, {"--invert"}},
        {"list", nullptr, {"--secrets", "--policy"}, {"--secrets"}, {}},
        {"remove", "USER", {"--secrets"}, {"--secrets"}, {}},
        {"lock", "USER", {"--secrets", "--admin-socket"}, {"--secrets"}, {}},
        {"unlock", "USER", {"--secrets", "--admin-socket"}, {"--secrets"}, {}},
    };
    return commands;
}

// `adding`: part of `user add`, which enrols TOTP next and reports once.
int passwd(const admin_args& a, bool adding = false)
{
    const auto& file = *a.get("--secrets");
    const auto& id = a.positional[0];
    if (!check_user_id(id))
    {
        return exit_failed;
    }
    loaded_secrets s;
    if (!load_secrets(file, true, "changed", s))
    {
        return exit_failed;
    }
    std::string why;
    auto password = read_new_password(id, &why);
    if (!password)
    {
        print_error("sekishoctl: %s; nothing changed\n", why.c_str());
        return exit_failed;
    }
    auto hash = auth::hash_password(*password);
    sodium_memzero(password->data(), password->size());
    if (!hash)
    {
        print_error("sekishoctl: cannot hash the password (libsodium failed); nothing changed\n");
        return exit_failed;
    }
    const bool new_user = s.value.users.count(id) == 0;
    auto& entry = s.value.users[id];
    entry.password_hash = std::move(*hash);
    if (!write_secrets(file, s.value))
    {
        return exit_failed;
    }
    const bool enrolled = !entry.totp_key.empty();
    if (adding)
    {
        if (!a.json())
        {
            std::printf("%s: password of %s set (new user%s)\n",
                        file.c_str(),
                        id.c_str(),
                        s.file_exists ? "" : ", new file, mode 0600");
        }
        return exit_ok;
    }
    if (a.json())
    {
        print_json({{"secrets", file},
                    {"user", id},
                    {"action", "passwd"},
                    {"created_file", !s.file_exists},
                    {"created_user", new_user},
                    {"totp", enrolled}});
        return exit_ok;
    }
    std::printf("%s: password of %s %s\n",
                file.c_str(),
                id.c_str(),
                new_user ? (s.file_exists ? "set (new user)" : "set (new user, new file, mode 0600)")
                         : (enrolled ? "changed (TOTP key kept)" : "changed"));
    if (!enrolled)
    {
        std::printf(
            "%s has no TOTP key yet and cannot sign in: sekishoctl user totp-enroll --secrets %s %s\n",
            id.c_str(),
            file.c_str(),
            id.c_str());
    }
    std::printf("%s\n", reload_secrets_hint);
    return exit_ok;
}

// "ABCD EFGH IJKL ..." for typing the key by hand.
std::string grouped(const std::string& key)
{
    std::string out;
    for (std::size_t i = 0; i < key.size(); ++i)
    {
        if (i > 0 && i % 4 == 0)
        {
            out += ' ';
        }
        out += key[i];
    }
    return out;
}

int totp_enroll(const admin_args& a)
{
    // `user add` reports as "add".
    const char* action = a.command == "add" ? "add" : "totp-enroll";
    const auto& file = *a.get("--secrets");
    const auto& id = a.positional[0];
    const std::string issuer = a.get("--issuer") ? *a.get("--issuer") : default_issuer;
    if (!check_user_id(id))
    {
        return exit_failed;
    }
    loaded_secrets s;
    if (!load_secrets(file, false, "changed", s))
    {
        return exit_failed;
    }
    auto it = s.value.users.find(id);
    if (it == s.value.users.end())
    {
        print_error("sekishoctl: %s; set a password first: sekishoctl user passwd --secrets %s %s\n",
                    unknown_user(id, file, s.value).c_str(),
                    file.c_str(),
                    id.c_str());
        return exit_failed;
    }
    auto key = auth::random_totp_key();
    if (key.empty())
    {
        print_error("sekishoctl: cannot make a random key (libsodium failed); nothing changed\n");
        return exit_failed;
    }
    const bool replaced = !it->second.totp_key.empty();
    sodium_memzero(it->second.totp_key.data(), it->second.totp_key.size());
    it->second.totp_key = key;
    if (!write_secrets(file, s.value))
    {
        sodium_memzero(key.data(), key.size());
        return exit_failed;
    }
    // The defaults of auth.totp (digits 6, step 30s): what authenticator apps assume.
    const auth::totp_params params;
    auto uri = auth::totp_uri(issuer, id, key, params);
    auto encoded = auth::base32_encode(key);
    sodium_memzero(key.data(), key.size());
    if (a.json())
    {
        print_json({{"secrets", file},
                    {"user", id},
                    {"action", action},
                    {"replaced", replaced},
                    {"issuer", issuer},
                    {"digits", params.digits},
                    {"period", params.step.count()},
                    {"uri", uri}});
    }
    else
    {
        auto qr = qr_text(uri, a.has("--invert"));
        std::printf("%s: new TOTP key for %s%s\n\n",
                    file.c_str(),
                    id.c_str(),
                    replaced ? " (it replaces the old one, which stops working at the next reload)" : "");
        if (qr)
        {
            std::fputs(qr->c_str(), stdout);
            sodium_memzero(qr->data(), qr->size());
            std::printf(
                "\nScan the code with the authenticator app on %s's phone, or type the key by hand:\n",
                id.c_str());
        }
        else
        {
            std::printf(
                "(no QR code: libqrencode failed) Type the key into the authenticator app by hand:\n");
        }
        auto key_text = grouped(encoded);
        std::printf("  key      %s\n", key_text.c_str());
        sodium_memzero(key_text.data(), key_text.size());
        std::printf("  account  %s (issuer %s), %d digits every %llds, SHA1\n",
                    id.c_str(),
                    issuer.c_str(),
                    params.digits,
                    static_cast<long long>(params.step.count()));
        std::printf("  uri      %s\n", uri.c_str());
        std::printf("The key is a secret: clear the screen once it is scanned.\n%s\n", reload_secrets_hint);
    }
    sodium_memzero(uri.data(), uri.size());
    sodium_memzero(encoded.data(), encoded.size());
    return exit_ok;
}

// A new user in one step: the password, then the TOTP key with its QR code.
int add(const admin_args& a)
{
    const auto& file = *a.get("--secrets");
    const auto& id = a.positional[0];
    {
        loaded_secrets s;
        if (!check_user_id(id) || !load_secrets(file, true, "changed", s))
        {
            return exit_failed;
        }
        if (s.value.users.count(id) != 0)
        {
            std::fprintf(
                stderr,
                "sekishoctl: %s is already in %s; nothing changed (a new password: user passwd; a new "
                "TOTP key: user totp-enroll)\n",
                id.c_str(),
                file.c_str());
            return exit_failed;
        }
    }
    const int rc = passwd(a, true);
    return rc != exit_ok ? rc : totp_enroll(a);
}

int remove(const admin_args& a)
{
    const auto& file = *a.get("--secrets");
    const auto& id = a.positional[0];
    loaded_secrets s;
    auto* user = load_existing_user(file, id, s);
    if (user == nullptr)
    {
        return exit_failed;
    }
    sodium_memzero(user->totp_key.data(), user->totp_key.size());
    s.value.users.erase(id);
    if (!write_secrets(file, s.value))
    {
        return exit_failed;
    }
    if (a.json())
    {
        print_json({{"secrets", file}, {"user", id}, {"action", "remove"}});
        return exit_ok;
    }
    std::printf("%s: removed %s (password and TOTP key)\n", file.c_str(), id.c_str());
    std::printf("Their entry in the policy and their devices stay: retire the devices with "
                "`sekishoctl device retire --inventory FILE ID`.\n%s;\n"
                "that reload also ends any session %s has open, and closes its tunnels.\n",
                reload_secrets_hint,
                id.c_str());
    return exit_ok;
}

} // namespace

int user_main(const std::vector<std::string>& args)
{
    const auto a = parse_admin_args("user", args, user_commands());
    if (!a)
    {
        return exit_usage;
    }
    if (a->command == "add")
    {
        return add(*a);
    }
    if (a->command == "passwd")
    {
        return passwd(*a);
    }
    if (a->command == "totp-enroll")
    {
        return totp_enroll(*a);
    }
    if (a->command == "list")
    {
        return user_list_cmd(*a);
    }
    if (a->command == "lock" || a->command == "unlock")
    {
        return user_lock_cmd(*a);
    }
    return remove(*a);
}

} // namespace sekisho::ctl
