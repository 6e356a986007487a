#include "daemon/net/buffer_pool.hpp"

#include <algorithm>
#include <vector>

namespace sekisho::net {

namespace {

constexpr std::size_t small_size = 16384; // one full TLS record
// Bytes of free buffers kept per thread for reuse, per size.
constexpr std::size_t cached_bytes_per_thread = 4 * 1024 * 1024;

std::size_t g_large_size = 131072;
std::size_t g_large_per_thread = 32;

// TLS 1.3 adds 22 bytes per record of at most 16 KiB (header, content type,
// AEAD tag); 256 per record leaves room for any suite.
std::size_t framing_for(std::size_t payload)
{
    return (payload / small_size + 1) * 256;
}

struct thread_pool
{
    std::vector<std::unique_ptr<char[]>> large;
    std::vector<std::unique_ptr<char[]>> small;
    std::size_t large_out = 0;
};

thread_pool& pool()
{
    thread_local thread_pool p;
    return p;
}

std::unique_ptr<char[]> take(std::vector<std::unique_ptr<char[]>>& list, std::size_t size)
{
    if (!list.empty())
    {
        auto out = std::move(list.back());
        list.pop_back();
        return out;
    }
    return std::make_unique_for_overwrite<char[]>(size + framing_for(size));
}

} // namespace

void set_relay_buffers(std::size_t large_bytes, std::size_t large_per_thread)
{
    g_large_size = std::max(large_bytes, small_size);
    g_large_per_thread = large_per_thread;
}

pooled_buffer::pooled_buffer()
{
    auto& p = pool();
    if (g_large_size > small_size && p.large_out < g_large_per_thread)
    {
        data_ = take(p.large, g_large_size);
        size_ = g_large_size;
        ++p.large_out;
    }
    else
    {
        data_ = take(p.small, small_size);
        size_ = small_size;
    }
}

pooled_buffer::~pooled_buffer()
{
    auto& p = pool();
    const bool large = size_ != small_size;
    auto& list = large ? p.large : p.small;
    if (large)
    {
        --p.large_out;
    }
    if ((list.size() + 1) * size_ <= cached_bytes_per_thread)
    {
        list.push_back(std::move(data_));
    }
}

std::size_t pooled_buffer::capacity() const
{
    return size_ + framing_for(size_);
}

} // namespace sekisho::net
