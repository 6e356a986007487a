#pragma once
// The secrets file as the `sekishoctl user` commands load it
// (daemon/auth/secrets.hpp), shared by user_cmd.cpp and user_list.cpp.

#include "daemon/auth/secrets.hpp"

#include <string>

namespace sekisho::ctl {

// The TOTP keys of every user are wiped when the set goes.
struct loaded_secrets
{
    auth::secrets value;
    bool file_exists = true;

    loaded_secrets() = default;
    loaded_secrets(const loaded_secrets&) = delete;
    loaded_secrets& operator=(const loaded_secrets&) = delete;
    ~loaded_secrets();
};

// Loads the file (its diagnostics go to stderr); false when it has errors,
// after "FILE has errors; nothing <what>". A missing file is an empty set
// when allow_missing (passwd creates it).
bool load_secrets(const std::string& file, bool allow_missing, const char* what, loaded_secrets& out);

// True for a valid user id; otherwise says why on stderr.
bool check_user_id(const std::string& id);
// write_secrets_file(), saying on stderr why not.
bool write_secrets(const std::string& file, const auth::secrets& s);
// "no user `tanka` in FILE (did you mean `tanaka`?)"
std::string unknown_user(const std::string& id, const std::string& file, const auth::secrets& s);

// An existing user's entry for a command that changes it: the id checked,
// the file loaded into `s`, the user found; otherwise says why on stderr
// (with "nothing changed") and returns null.
auth::user_secret* load_existing_user(const std::string& file, const std::string& id, loaded_secrets& s);

// sekishod re-reads the secrets file at a reload (daemon/app/server.cpp,
// reload_secrets): new sign-ins use it; sessions of users it locks or no
// longer lists end (daemon/app/session_sweep.hpp).
inline constexpr const char* reload_secrets_hint =
    "sekishod uses it for new sign-ins from the next reload: systemctl reload sekishod (or kill -HUP <pid>)";

} // namespace sekisho::ctl
