#pragma once
// The users' secrets file (named by `auth.secrets` in sekisho.yaml): each
// user's argon2id password hash and TOTP key. docs/configuration.md#the-secrets-file.
//
//   version: 1
//   users:
//     tanaka:
//       password: "$argon2id$v=19$m=65536,t=2,p=1$..."   # sekishoctl user passwd
//       totp: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP            # sekishoctl user totp-enroll
//       locked: true                                     # sekishoctl user lock / unlock
//
// The file must be a regular file with no permission for group or others
// (mode 0600 or stricter); anything else is refused with the `chmod` that
// fixes it. `password` is required; `totp` is optional (a user not yet
// enrolled has an empty totp_key); `locked` is optional (false). Diagnostics name the user and the key,
// never a value: a password written in plain text is reported without being
// repeated.
//
// write_secrets_file() writes the whole file anew (temporary file with mode
// 0600 in the same folder, fsync, rename, fsync of the folder), so a reader
// sees either the old or the new file. Comments and key order of the old file
// are not kept: users are written sorted by id.

#include "policy/diagnostics.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sekisho::auth {

struct user_secret
{
    std::string password_hash;          // "$argon2id$v=19$m=...,t=...,p=...$salt$hash"
    std::vector<std::uint8_t> totp_key; // decoded; empty: not enrolled
    bool locked = false;                // by an operator: no sign-in, sessions ended, until unlocked
    policy::source_location where;      // the user's entry in the file
};

struct secrets
{
    std::unordered_map<std::string, user_secret> users; // by user id
};

struct secrets_result
{
    // Use only when diags.has_errors() is false.
    std::optional<secrets> value;
    policy::diagnostics diags;
};

// The smallest TOTP key accepted, in bytes (RFC 4226 section 4: at least 128
// bits; sekishoctl enrols 160).
inline constexpr std::size_t min_totp_key_bytes = 16;

secrets_result load_secrets_file(const std::string& path);
// The checks of load_secrets_file() without the file: `name` is used in
// diagnostics. For tests and for sekishoctl's dry runs.
secrets_result load_secrets_text(const std::string& yaml, const std::string& name);

// False with the reason in *why (which names no secret); the old file is then
// untouched. When the file exists, the new one keeps its owner and group
// (possible only as root or as that owner).
bool write_secrets_file(const std::string& path, const secrets& s, std::string* why);

// 1-64 of [a-z0-9._-], like policy ids.
bool valid_user_id(std::string_view id);

} // namespace sekisho::auth
