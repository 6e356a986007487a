#pragma once
// Small POSIX file helpers shared by the tools that rewrite files sekishod
// reads (the secrets file, the device inventory): a descriptor closed on
// every path, strerror as a string, and a write that finishes or says why.

#include <string>
#include <string_view>

#include <unistd.h>

namespace sekisho::util {

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
    // Hands the descriptor over to the caller, who closes it.
    int release()
    {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
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

// Writes all of `text` (retrying on EINTR and short writes); false with
// "cannot write the temporary file: <reason>" in *why.
bool write_all(int fd, std::string_view text, std::string* why);

} // namespace sekisho::util
