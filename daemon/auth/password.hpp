#pragma once
// Stored user passwords: argon2id hashes in libsodium's string format
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"), interactive cost.
// No exceptions: failures are nullopt or false.

#include <optional>
#include <string>
#include <string_view>

namespace sekisho::auth {

// nullopt if libsodium fails (out of memory, or it could not initialise).
std::optional<std::string> hash_password(std::string_view password);

// False on a wrong password and on anything that is not a valid hash string.
bool verify_password(std::string_view stored_hash, std::string_view password);

// Starts with "$argon2id$" and fits libsodium's hash buffer. A quick shape
// check for configuration validation, not a full parse.
bool is_argon2id_hash(std::string_view text);

// True when the hash should be replaced at the next successful login: other
// cost parameters than the current interactive ones, not argon2id, or not a
// valid hash at all.
bool needs_rehash(std::string_view stored_hash);

} // namespace sekisho::auth
