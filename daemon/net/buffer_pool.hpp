#pragma once
// Relay buffers, taken only while bytes are in flight and given back before
// a pump waits, so an idle tunnel holds no buffer at all. One free list per
// I/O thread (no locks), capped so a burst does not pin memory for ever.
//
// Two sizes. A relay step takes a buffer of limits.relay_buffer_bytes (128
// KiB by default: one read from the upstream, then eight full 16 KiB TLS
// records in one send) while fewer than limits.relay_large_buffers of those
// are out on this thread; past that, a 16 KiB one. Bulk transfers get the
// few system calls per byte they need, and clients that stop reading (each
// pins its buffer until the idle timeout) cannot make the daemon hold more
// than relay_large_buffers large buffers per thread.

#include <cstddef>
#include <memory>

namespace sekisho::net {

// Set once at start-up, before I/O threads run.
void set_relay_buffers(std::size_t large_bytes, std::size_t large_per_thread);

class pooled_buffer
{
public:
    pooled_buffer();
    ~pooled_buffer();
    pooled_buffer(const pooled_buffer&) = delete;
    pooled_buffer& operator=(const pooled_buffer&) = delete;

    char* data() { return data_.get(); }
    // What a read may fill: limits.relay_buffer_bytes, or 16 KiB.
    std::size_t size() const { return size_; }
    // What the buffer holds: size() plus room for the TLS framing of the
    // records that size() bytes of payload make (tls_stream's output).
    std::size_t capacity() const;

private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
};

} // namespace sekisho::net
