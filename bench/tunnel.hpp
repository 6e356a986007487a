#pragma once
// The client end of one gateway tunnel: TCP connect, TLS 1.3 handshake with the device
// certificate, "CONNECT target" (with a Proxy-Authorization header when signing in), then
// bytes both ways.
//
// The core is non-blocking and resumable: each advance_*() call goes as far as the socket
// allows and returns what it waits for (want::read / want::write), so that one event loop
// can drive many tunnels on one thread (see client_loop.hpp). The blocking wrappers (open,
// write_all, read_exact, close) drive the same steps with poll(2) and a deadline. A tunnel
// is used by one thread at a time; the client_context is shared read-only by all of them.

#include "net_util.hpp"
#include "tls_context.hpp"

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gw::bench {

// The phase in which a tunnel failed, for error counts.
enum class stage
{
    connect,
    handshake,
    request,
    response,
    payload,
    close,
};
inline constexpr std::size_t stage_count = 6;
const char* stage_name(stage s);

// What a non-blocking step needs before it can go on.
enum class want
{
    done,   // the step is complete
    read,   // call again once the socket is readable
    write,  // call again once the socket is writable
    failed, // see failed_stage() and error()
};

// poll(2) events for a want::read or want::write.
short poll_events(want w);

class tunnel
{
public:
    explicit tunnel(const client_context& ctx);
    ~tunnel();
    tunnel(const tunnel&) = delete;
    tunnel& operator=(const tunnel&) = delete;

    // --- non-blocking steps -------------------------------------------------------------

    // Starts the TCP connect; then call advance_open() until it returns want::done.
    // authorization: the Proxy-Authorization value to send, or empty for none.
    want start(const endpoint& proxy, std::string_view target, std::string_view authorization = {});
    // Connect, TLS handshake, CONNECT request, response head; done once a "200" status
    // line and the end of the head have arrived. Bytes after the head are kept for reads.
    want advance_open();
    // Writes data[done, size); done counts progress across calls.
    want advance_write(const void* data, std::size_t size, std::size_t& done);
    // Reads into data[done, size) until full.
    want advance_read(void* data, std::size_t size, std::size_t& done);
    // Sends close_notify, then reads until the proxy's close_notify or FIN: then the proxy
    // has torn the tunnel down and its CPU for this tunnel is spent. The socket is closed
    // when this returns done.
    want advance_close();

    // The socket to wait on (-1 before start() and after close).
    int fd() const { return fd_; }
    // The stage the current step belongs to (for timeouts).
    stage current_stage() const;
    // Records a timeout in the current stage.
    void fail_timeout();

    // --- blocking wrappers, each bounded by a deadline -----------------------------------

    bool
    open(const endpoint& proxy, std::string_view target, deadline d, std::string_view authorization = {});
    bool write_all(const void* data, std::size_t size, deadline d);
    bool read_exact(void* data, std::size_t size, deadline d);

    // Sends to_send bytes of a fixed pattern and reads (and discards) to_recv bytes,
    // interleaved on the one socket, until both are done. received and sent count progress
    // even on failure.
    bool pump(std::uint64_t to_send,
              std::uint64_t to_recv,
              deadline d,
              std::uint64_t& sent,
              std::uint64_t& received);

    // advance_close() until d; false if the proxy did not close in time. Always closes.
    bool close(deadline d);

    // Closes at once without waiting for the proxy.
    void abort();

    // When the last open's TLS handshake completed (the CONNECT request goes out at once)
    // and when its "200" head arrived: the gateway's CONNECT handling, sign-in included.
    steady::time_point handshake_done_at() const { return handshake_done_at_; }
    steady::time_point head_received_at() const { return head_received_at_; }

    stage failed_stage() const { return failed_stage_; }
    const std::string& error() const { return error_; }

    // TLS handshakes over all opens of this tunnel object: completed, and of those how many
    // the server resumed (SSL_session_reused); sessions offered (with a resuming context:
    // every handshake after one that left a ticket); session tickets received.
    std::uint64_t handshakes() const { return handshakes_; }
    std::uint64_t resumed_handshakes() const { return resumed_; }
    std::uint64_t offered_sessions() const { return offered_; }
    std::uint64_t tickets_received() const { return session_.tickets; }
    // The TLS 1.3 suite of the last handshake ("" before the first).
    const char* cipher() const { return cipher_; }

private:
    enum class phase
    {
        idle,
        connecting,
        handshaking,
        requesting,
        reading_head,
        open,
        closing,
    };
    enum class io_status
    {
        done,
        want_read,
        want_write,
        eof,
        failed,
    };
    struct io_result
    {
        io_status status;
        std::size_t bytes;
    };

    io_result read_step(void* data, std::size_t size);
    io_result write_step(const void* data, std::size_t size);
    io_result classify(int ssl_result);
    want fail(stage s, std::string message);
    want head_received();

    const client_context& ctx_;
    int fd_ = -1;
    SSL* ssl_ = nullptr;
    phase phase_ = phase::idle;
    bool shutdown_sent_ = false;
    std::string buffer_; // the CONNECT request, then the response head, then bytes after it
    std::size_t buffer_pos_ = 0;
    stage failed_stage_ = stage::connect;
    std::string error_;
    steady::time_point handshake_done_at_{};
    steady::time_point head_received_at_{};
    session_slot session_; // the newest ticket, kept across opens (resuming context only)
    std::uint64_t handshakes_ = 0;
    std::uint64_t resumed_ = 0;
    std::uint64_t offered_ = 0;
    const char* cipher_ = ""; // OpenSSL's static name
};

} // namespace gw::bench
