#pragma once
// Whether a key or secrets file is private enough to use: nobody but its
// owner may read it (mode & 077 == 0). One exception: a credential systemd
// hands over with LoadCredential= ($CREDENTIALS_DIRECTORY). systemd 254 and
// later on Linux 6.3 and later grant the service's user through an ACL, so
// stat shows the ACL mask as group read (0440); that folder is private to
// the service, so group read is accepted there, but never write or others.

#include <string>

#include <sys/types.h>

namespace sekisho::util {

bool private_enough(const std::string& path, mode_t mode);

} // namespace sekisho::util
