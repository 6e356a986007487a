#pragma once
// Helpers shared by the secrets file's reader (secrets.cpp) and writer
// (secrets_write.cpp). Internal to daemon/auth/.

#include <string>
#include <string_view>

#include <unistd.h>

namespace sekisho::auth::detail {

// Closes a descriptor on every path out of a function.
class fd_guard
{
public:
    explicit fd_guard(int fd) : fd_(fd) {}
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    ~fd_guard()
    {
        if (fd_ >= 0)
        {
            ::close(fd_);
        }
    }
    int get() const { return fd_; }
    // Closes now, reporting the error (close can report a failed write-back).
    int close()
    {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

// strerror(err) as a string.
std::string error_text(int err);

// "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>": the shape libsodium writes
// (and nothing that would need quoting in YAML).
bool well_formed_argon2id(std::string_view text);

} // namespace sekisho::auth::detail
