#include "daemon/ctl/user_secrets.hpp"

#include "daemon/ctl/admin.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstdio>

#include <sys/stat.h>

namespace sekisho::ctl {

loaded_secrets::~loaded_secrets()
{
    for (auto& [id, u] : value.users)
    {
        sodium_memzero(u.totp_key.data(), u.totp_key.size());
    }
}

bool load_secrets(const std::string& file, bool allow_missing, const char* what, loaded_secrets& out)
{
    struct stat st
    {};
    if (allow_missing && ::stat(file.c_str(), &st) != 0 && errno == ENOENT)
    {
        out.file_exists = false;
        return true;
    }
    auto loaded = auth::load_secrets_file(file);
    print_diagnostics(loaded.diags);
    if (loaded.diags.has_errors() || !loaded.value)
    {
        std::fprintf(stderr, "sekishoctl: %s has errors; nothing %s\n", file.c_str(), what);
        return false;
    }
    out.value = std::move(*loaded.value);
    return true;
}

} // namespace sekisho::ctl
