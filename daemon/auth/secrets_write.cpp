// write_secrets_file(): the whole file anew, atomically (secrets.hpp).

#include "daemon/auth/secrets.hpp"
#include "daemon/auth/secrets_internal.hpp"
#include "daemon/auth/totp.hpp"
#include "daemon/util/replace_file.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>

namespace sekisho::auth {

namespace {

using detail::well_formed_argon2id;

std::string render(const secrets& s, std::string* why)
{
    std::vector<const std::pair<const std::string, user_secret>*> sorted;
    sorted.reserve(s.users.size());
    for (const auto& entry : s.users)
    {
        sorted.push_back(&entry);
    }
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });

    std::string text = "# sekisho secrets: mode 0600, owned by the daemon's user.\n"
                       "# Written by sekishoctl; comments are not kept.\n"
                       "version: 1\n";
    text += sorted.empty() ? "users: {}\n" : "users:\n";
    for (const auto* entry : sorted)
    {
        const auto& [id, u] = *entry;
        if (!valid_user_id(id))
        {
            *why = "`" + id + "` is not a valid user id";
            return {};
        }
        // The shape check also guarantees that the hash needs no escaping.
        if (!well_formed_argon2id(u.password_hash))
        {
            *why = "user `" + id + "` has no well-formed argon2id password hash";
            return {};
        }
        text += "  " + id + ":\n";
        text += "    password: \"" + u.password_hash + "\"\n";
        if (!u.totp_key.empty())
        {
            auto encoded = base32_encode(u.totp_key);
            text += "    totp: " + encoded + "\n";
            sodium_memzero(encoded.data(), encoded.size());
        }
        if (u.locked)
        {
            text += "    locked: true\n";
        }
    }
    return text;
}

} // namespace

bool write_secrets_file(const std::string& path, const secrets& s, std::string* why)
{
    std::string ignored;
    if (why == nullptr)
    {
        why = &ignored;
    }
    auto text = render(s, why);
    if (text.empty())
    {
        return false;
    }
    // Mode 0600 whatever the old file's was (secrets.hpp).
    const bool ok = util::replace_file(path, text, {S_IRUSR | S_IWUSR, nullptr}, why);
    sodium_memzero(text.data(), text.size());
    return ok;
}

} // namespace sekisho::auth
