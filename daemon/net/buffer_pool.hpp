#pragma once
// Relay buffers, taken only while bytes are in flight and given back before
// a pump waits, so an idle tunnel holds no buffer at all. One free list per
// I/O thread (no locks), capped so a burst does not pin memory for ever.

#include <cstddef>
#include <memory>

namespace sekisho::net {

// Set once at start-up, before I/O threads run.
void set_relay_buffer_size(std::size_t bytes);

class pooled_buffer
{
public:
    pooled_buffer();
    ~pooled_buffer();
    pooled_buffer(const pooled_buffer&) = delete;
    pooled_buffer& operator=(const pooled_buffer&) = delete;

    char* data() { return data_.get(); }
    std::size_t size() const;

private:
    std::unique_ptr<char[]> data_;
};

} // namespace sekisho::net
