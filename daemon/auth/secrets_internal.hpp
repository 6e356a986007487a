#pragma once
// Helpers shared by the secrets file's reader (secrets.cpp) and writer
// (secrets_write.cpp). Internal to daemon/auth/.

#include "daemon/util/fd.hpp"

#include <string>
#include <string_view>

namespace sekisho::auth::detail {

using util::error_text;
using util::fd_guard;

// "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>": the shape libsodium writes
// (and nothing that would need quoting in YAML).
bool well_formed_argon2id(std::string_view text);

} // namespace sekisho::auth::detail
