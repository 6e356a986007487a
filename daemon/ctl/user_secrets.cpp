#include "daemon/ctl/user_secrets.hpp"

#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/common.hpp"
#include "policy/yaml_reader.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <string_view>
#include <vector>

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
        print_error("sekishoctl: %s has errors; nothing %s\n", file.c_str(), what);
        return false;
    }
    out.value = std::move(*loaded.value);
    return true;
}

bool check_user_id(const std::string& id)
{
    if (auth::valid_user_id(id))
    {
        return true;
    }
    print_error("sekishoctl: `%s` is not a valid user id: use 1-64 lower-case letters, digits, '-', '_' or "
                "'.'\n",
                id.c_str());
    return false;
}

bool write_secrets(const std::string& file, const auth::secrets& s)
{
    std::string why;
    if (!auth::write_secrets_file(file, s, &why))
    {
        print_error("sekishoctl: %s not written: %s\n", file.c_str(), why.c_str());
        return false;
    }
    return true;
}

// "no user `tanka` in FILE (did you mean `tanaka`?)"
std::string unknown_user(const std::string& id, const std::string& file, const auth::secrets& s)
{
    std::vector<std::string> ids;
    for (const auto& [known, u] : s.users)
    {
        ids.push_back(known);
    }
    std::vector<std::string_view> views(ids.begin(), ids.end());
    const auto near = policy::closest_word(id, views);
    return "no user `" + id + "` in " + file +
           (near.empty() ? std::string() : " (did you mean `" + near + "`?)");
}

auth::user_secret* load_existing_user(const std::string& file, const std::string& id, loaded_secrets& s)
{
    if (!check_user_id(id) || !load_secrets(file, false, "changed", s))
    {
        return nullptr;
    }
    auto it = s.value.users.find(id);
    if (it == s.value.users.end())
    {
        print_error("sekishoctl: %s; nothing changed\n", unknown_user(id, file, s.value).c_str());
        return nullptr;
    }
    return &it->second;
}

} // namespace sekisho::ctl
