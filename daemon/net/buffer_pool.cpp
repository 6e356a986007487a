#include "daemon/net/buffer_pool.hpp"

#include <vector>

namespace sekisho::net {

namespace {

// Buffers kept per thread for reuse: 64 × 16 KiB = 1 MiB by default.
constexpr std::size_t max_cached_per_thread = 64;

std::size_t g_buffer_size = 16384;

std::vector<std::unique_ptr<char[]>>& free_list()
{
    thread_local std::vector<std::unique_ptr<char[]>> list;
    return list;
}

} // namespace

void set_relay_buffer_size(std::size_t bytes)
{
    g_buffer_size = bytes;
}

pooled_buffer::pooled_buffer()
{
    auto& list = free_list();
    if (!list.empty())
    {
        data_ = std::move(list.back());
        list.pop_back();
    }
    else
    {
        data_ = std::make_unique_for_overwrite<char[]>(g_buffer_size);
    }
}

pooled_buffer::~pooled_buffer()
{
    auto& list = free_list();
    if (list.size() < max_cached_per_thread)
    {
        list.push_back(std::move(data_));
    }
}

std::size_t pooled_buffer::size() const
{
    return g_buffer_size;
}

} // namespace sekisho::net
