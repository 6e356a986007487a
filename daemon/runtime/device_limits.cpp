#include "daemon/runtime/device_limits.hpp"

namespace sekisho::runtime {

bool device_limits::acquire(const std::string& device, std::uint32_t max)
{
    std::lock_guard lock(mutex_);
    auto& n = open_[device];
    if (n >= max)
    {
        if (n == 0)
        {
            open_.erase(device);
        }
        return false;
    }
    ++n;
    return true;
}

void device_limits::release(const std::string& device)
{
    std::lock_guard lock(mutex_);
    auto it = open_.find(device);
    if (it != open_.end() && --it->second == 0)
    {
        open_.erase(it);
    }
}

std::uint32_t device_limits::open(const std::string& device) const
{
    std::lock_guard lock(mutex_);
    auto it = open_.find(device);
    return it == open_.end() ? 0 : it->second;
}

} // namespace sekisho::runtime
