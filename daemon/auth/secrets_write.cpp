// write_secrets_file(): the whole file anew, atomically (secrets.hpp).

#include "daemon/auth/secrets.hpp"
#include "daemon/auth/secrets_internal.hpp"
#include "daemon/auth/totp.hpp"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
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

using util::write_all;

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

bool write_secrets_text(const std::string& path, std::string_view text, std::string* why)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    // mkostemp creates the file with mode 0600 (O_EXCL): the secrets are
    // never readable by others, not even for a moment.
    fd_guard fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0)
    {
        *why = "cannot create a temporary file in " + dir.string() + ": " + error_text(errno);
        return false;
    }
    auto fail = [&](std::string reason) {
        *why = std::move(reason);
        ::unlink(temp.c_str());
        return false;
    };
    if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0)
    {
        return fail("cannot set mode 0600 on the temporary file: " + error_text(errno));
    }
    struct stat old
    {};
    if (::stat(path.c_str(), &old) == 0 && (old.st_uid != ::geteuid() || old.st_gid != ::getegid()))
    {
        // The daemon must still be able to read the file a root operator
        // rewrote.
        if (::fchown(fd.get(), old.st_uid, old.st_gid) != 0)
        {
            return fail("cannot give the new file the owner of " + path + " (uid " +
                        std::to_string(old.st_uid) + ", gid " + std::to_string(old.st_gid) +
                        "): " + error_text(errno));
        }
    }
    if (!write_all(fd.get(), text, why))
    {
        return fail(*why);
    }
    if (::fsync(fd.get()) != 0)
    {
        return fail("cannot sync the temporary file: " + error_text(errno));
    }
    if (fd.close() != 0)
    {
        return fail("cannot close the temporary file: " + error_text(errno));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0)
    {
        return fail("cannot rename the temporary file to " + path + ": " + error_text(errno));
    }
    // The rename is durable only once the folder is synced.
    fd_guard dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0)
    {
        *why = path + " was replaced, but its folder could not be synced: " + error_text(errno);
        return false;
    }
    return true;
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
    const bool ok = write_secrets_text(path, text, why);
    sodium_memzero(text.data(), text.size());
    return ok;
}

} // namespace sekisho::auth
