#include "daemon/auth/secrets.hpp"

#include "daemon/auth/secrets_internal.hpp"
#include "daemon/auth/totp.hpp"
#include "daemon/util/private_file.hpp"
#include "policy/yaml_reader.hpp"
#include "policy/yaml_tree.hpp"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::auth {

namespace {

using detail::error_text;
using detail::fd_guard;
using detail::well_formed_argon2id;
using policy::yaml_node;
using policy::yaml_reader;

constexpr std::string_view argon2id_prefix = "$argon2id$";
// libsodium's crypto_pwhash_STRBYTES, including the terminating NUL.
constexpr std::size_t max_hash_chars = crypto_pwhash_STRBYTES - 1;

std::string octal_mode(mode_t mode)
{
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

bool all_digits(std::string_view text)
{
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Unpadded standard base64, as in PHC strings.
bool base64_text(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
               c == '/';
    });
}

void read_password(yaml_reader& r, const yaml_node& node, const std::string& id, user_secret& out)
{
    const std::string what = "users." + id + ".password";
    const std::string set_it = "set it with `sekishoctl user passwd " + id + "`";
    // r.string() names the key only, never the value.
    auto text = r.string(node, what);
    if (!text)
    {
        return;
    }
    if (!text->starts_with(argon2id_prefix))
    {
        // The value is not repeated: it may be the password itself.
        if (text->starts_with("$"))
        {
            r.error(node, what + " is not an argon2id hash", "only argon2id is accepted; " + set_it);
        }
        else
        {
            r.error(node,
                    what + " is not an argon2id hash (a password in plain text?)",
                    "never store a password itself: delete it and " + set_it);
        }
    }
    else if (!well_formed_argon2id(*text))
    {
        r.error(node,
                what + " is not a well-formed argon2id hash (cut short?)",
                "set it again with `sekishoctl user passwd " + id + "`");
    }
    else
    {
        out.password_hash = std::move(*text);
    }
    sodium_memzero(text->data(), text->size());
}

void read_totp(yaml_reader& r, const yaml_node& node, const std::string& id, user_secret& out)
{
    const std::string what = "users." + id + ".totp";
    const std::string enrol = "enrol again with `sekishoctl user totp-enroll " + id + "`";
    auto text = r.string(node, what);
    if (!text)
    {
        return;
    }
    auto key = base32_decode(*text);
    sodium_memzero(text->data(), text->size());
    if (!key)
    {
        r.error(node,
                what + " is not base32",
                "a TOTP key uses the letters A-Z and the digits 2-7 (RFC 4648); " + enrol);
        return;
    }
    if (key->size() < min_totp_key_bytes)
    {
        r.error(node,
                what + " is " + std::to_string(key->size()) + " bytes once decoded; at least " +
                    std::to_string(min_totp_key_bytes) + " (128 bits) are required",
                enrol);
        sodium_memzero(key->data(), key->size());
        return;
    }
    out.totp_key = std::move(*key);
}

void read_users(yaml_reader& r, const yaml_node& node, secrets& out)
{
    if (!node.IsMap())
    {
        r.error(node, "users must be a mapping of user id: {password, totp}");
        return;
    }
    if (node.size() == 0)
    {
        r.warning(node, "the secrets file lists no user: nobody can log in");
    }
    for (const auto& kv : node)
    {
        if (!kv.first.IsScalar())
        {
            r.error(kv.first, "keys of users must be user ids");
            continue;
        }
        const auto& id = kv.first.Scalar();
        if (!valid_user_id(id))
        {
            r.error(kv.first,
                    "users: `" + id + "` is not a valid user id",
                    "use 1-64 lower-case letters, digits, '-', '_' or '.'");
            continue;
        }
        if (out.users.count(id) != 0)
        {
            r.error(kv.first, "users: `" + id + "` is listed twice", "each user may appear once");
            continue;
        }
        const std::string what = "users." + id;
        user_secret u;
        u.where = r.where(kv.first);
        // Known keys are read even beside an unknown one.
        r.expect_map(kv.second, what, {"password", "totp", "locked"}, {"password"});
        if (!kv.second.IsMap())
        {
            continue;
        }
        if (auto p = kv.second["password"])
        {
            read_password(r, p, id, u);
        }
        if (auto t = kv.second["totp"])
        {
            read_totp(r, t, id, u);
        }
        if (auto l = kv.second["locked"])
        {
            u.locked = r.boolean(l, what + ".locked").value_or(true); // unreadable: fail closed
        }
        out.users.emplace(id, std::move(u));
    }
}

secrets_result load_secrets_text_unguarded(const std::string& yaml, const std::string& name)
{
    secrets_result result;
    yaml_reader r(name, result.diags);
    // libyaml's messages name the problem, not the text around it.
    const auto parsed = r.parse(yaml);
    if (!parsed)
    {
        return result;
    }
    const yaml_node root = parsed->root;
    if (!root.IsMap())
    {
        result.diags.error({name, 1, 1}, "the secrets file must be a mapping", "start with `version: 1`");
        return result;
    }
    secrets s;
    r.expect_map(root, "the secrets file", {"version", "users"}, {"version", "users"});
    if (auto v = root["version"])
    {
        r.integer(v, "version", 1, 1);
    }
    if (auto u = root["users"])
    {
        read_users(r, u, s);
    }
    result.value = std::move(s);
    return result;
}

} // namespace

// Checked at load so that a truncated copy-and-paste is found at start-up,
// not at the user's first login.
bool detail::well_formed_argon2id(std::string_view text)
{
    if (!text.starts_with(argon2id_prefix) || text.size() > max_hash_chars)
    {
        return false;
    }
    std::vector<std::string_view> parts;
    std::string_view rest = text.substr(argon2id_prefix.size());
    for (;;)
    {
        const auto dollar = rest.find('$');
        parts.push_back(rest.substr(0, dollar));
        if (dollar == std::string_view::npos)
        {
            break;
        }
        rest.remove_prefix(dollar + 1);
    }
    if (parts.size() != 4 || !parts[0].starts_with("v=") || !all_digits(parts[0].substr(2)))
    {
        return false;
    }
    // "m=<n>,t=<n>,p=<n>"
    std::string_view params = parts[1];
    for (const std::string_view key : {"m=", "t=", "p="})
    {
        if (!params.starts_with(key))
        {
            return false;
        }
        params.remove_prefix(key.size());
        const auto comma = params.find(',');
        if (!all_digits(params.substr(0, comma)))
        {
            return false;
        }
        params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 1);
        if (key != "p=" && comma == std::string_view::npos)
        {
            return false;
        }
    }
    return params.empty() && base64_text(parts[2]) && base64_text(parts[3]);
}

bool valid_user_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    });
}

// Whatever the parser or the standard library throws becomes one more error.
secrets_result load_secrets_text(const std::string& yaml, const std::string& name)
{
    try
    {
        return load_secrets_text_unguarded(yaml, name);
    }
    catch (const std::exception& e)
    {
        secrets_result result;
        result.diags.error({name, 0, 0}, std::string("cannot load the secrets file: ") + e.what());
        return result;
    }
}

secrets_result load_secrets_file(const std::string& path)
{
    secrets_result result;
    const policy::source_location at{path, 0, 0};
    // Opened first and checked through the descriptor, so that the file
    // checked is the file read. O_NONBLOCK: a FIFO must not hang start-up.
    fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0)
    {
        result.diags.error(at,
                           "cannot open the secrets file: " + error_text(errno),
                           "check auth.secrets and that the daemon's user may read the file");
        return result;
    }
    struct stat st
    {};
    if (::fstat(fd.get(), &st) != 0)
    {
        result.diags.error(at, "cannot inspect the secrets file: " + error_text(errno));
        return result;
    }
    if (!S_ISREG(st.st_mode))
    {
        result.diags.error(at, "the secrets file is not a regular file", "point auth.secrets at a file");
        return result;
    }
    if (!util::private_enough(path, st.st_mode))
    {
        result.diags.error(at,
                           "the secrets file gives permissions to group or others (mode " +
                               octal_mode(st.st_mode) + "); it is not read",
                           "chmod 600 " + path);
        return result;
    }
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
    {
        // Whoever owns the file can change its mode and rewrite the secrets.
        result.diags.warning(at,
                             "the secrets file is owned by uid " + std::to_string(st.st_uid) +
                                 ", not by the daemon's user (uid " + std::to_string(::geteuid()) + ")",
                             "chown the file to the daemon's user");
    }
    std::string text;
    // One allocation for the usual case: no stray copies of the secrets in
    // freed memory.
    text.reserve(static_cast<std::size_t>(st.st_size) + 1);
    char buffer[4096];
    for (;;)
    {
        const auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n < 0)
        {
            const int err = errno;
            sodium_memzero(text.data(), text.size());
            sodium_memzero(buffer, sizeof buffer);
            result.diags.error(at, "cannot read the secrets file: " + error_text(err));
            return result;
        }
        if (n == 0)
        {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    sodium_memzero(buffer, sizeof buffer);
    auto loaded = load_secrets_text(text, path);
    sodium_memzero(text.data(), text.size());
    result.value = std::move(loaded.value);
    // The ownership warning first, then what the contents gave.
    result.diags.append(loaded.diags);
    return result;
}

} // namespace sekisho::auth
