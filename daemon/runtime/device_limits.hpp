#pragma once
// Open tunnels per device (keyed by certificate fingerprint), shared by all
// I/O threads. acquire() fails once a device holds `max` tunnels.

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sekisho::runtime {

class device_limits
{
public:
    bool acquire(const std::string& device, std::uint32_t max);
    void release(const std::string& device);
    std::uint32_t open(const std::string& device) const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::uint32_t> open_;
};

// Releases its slot on destruction.
class device_slot
{
public:
    device_slot() = default;
    device_slot(device_limits& limits, std::string device) : limits_(&limits), device_(std::move(device)) {}
    ~device_slot()
    {
        if (limits_ != nullptr)
        {
            limits_->release(device_);
        }
    }
    device_slot(const device_slot&) = delete;
    device_slot& operator=(const device_slot&) = delete;

private:
    device_limits* limits_ = nullptr;
    std::string device_;
};

} // namespace sekisho::runtime
