#include "daemon/util/fd.hpp"

#include <cerrno>
#include <cstring>

namespace sekisho::util {

std::string error_text(int err)
{
    return std::strerror(err);
}

bool write_all(int fd, std::string_view text, std::string* why)
{
    while (!text.empty())
    {
        const auto n = ::write(fd, text.data(), text.size());
        if (n < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            *why = "cannot write the temporary file: " + error_text(errno);
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

} // namespace sekisho::util
