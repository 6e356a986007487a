#pragma once
// Reading a new password for `sekishoctl user passwd`.
//
// On a terminal: prompts on stderr (stdout may be --json), turns echo off
// with termios, reads the password twice and compares. A signal while echo
// is off (Ctrl-C) turns echo back on before the process dies.
//
// Otherwise (a pipe or a file, for scripts): the first line of stdin is the
// password; a second line, when present, must repeat it (so a script may
// replay the interactive dialogue). A trailing "\r" is dropped.
//
// Every buffer that held a password is wiped with sodium_memzero.

#include <optional>
#include <string>

namespace sekisho::ctl {

// The longest password accepted, in bytes.
inline constexpr std::size_t max_password_bytes = 1024;

// The password, or nullopt with the reason in *why (never the password).
std::optional<std::string> read_new_password(const std::string& user, std::string* why);

} // namespace sekisho::ctl
