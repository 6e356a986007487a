#pragma once
// Creating the admin API's Unix socket safely: never readable or writable by
// others, even for an instant (the umask is tightened around bind); a stale
// socket left by a crash is replaced, a live one (another sekishod) or a file
// that is not a socket is refused; the folder is created if missing (0750).
// With a group the socket is mode 0660 and owned by that group, else 0600.

#include <string>

namespace sekisho::admin {

// A listening socket's descriptor, or -1 with the reason in *why.
int open_socket_file(const std::string& path, const std::string& group, int backlog, std::string* why);

} // namespace sekisho::admin
