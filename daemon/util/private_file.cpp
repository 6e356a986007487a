#include "daemon/util/private_file.hpp"

#include <cstdlib>
#include <filesystem>

namespace sekisho::util {

namespace {

// `path` lies inside `folder` (both made absolute and normal first).
bool inside(const std::string& path, const std::string& folder)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto p = fs::weakly_canonical(fs::absolute(path, ec), ec);
    const auto f = fs::weakly_canonical(fs::absolute(folder, ec), ec);
    if (ec || f.empty())
    {
        return false;
    }
    const auto rel = p.lexically_relative(f);
    return !rel.empty() && *rel.begin() != ".." && rel.is_relative();
}

} // namespace

bool private_enough(const std::string& path, mode_t mode)
{
    if ((mode & 077) == 0)
    {
        return true;
    }
    const char* credentials = std::getenv("CREDENTIALS_DIRECTORY");
    return credentials != nullptr && credentials[0] == '/' && (mode & 037) == 0 && inside(path, credentials);
}

} // namespace sekisho::util
