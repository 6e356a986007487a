#include "tunnel.hpp"

#include "pattern.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gw::bench {

namespace {

constexpr std::size_t max_response_head = 8192;
constexpr std::size_t head_chunk = 4096;
constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t write_chunk = 64 * 1024;

// Runs a non-blocking step to completion, waiting with poll(2) until d in between.
template <class Step>
bool drive(tunnel& t, want w, deadline d, Step step)
{
    while (w == want::read || w == want::write)
    {
        if (!wait_fd(t.fd(), poll_events(w), d))
        {
            t.fail_timeout();
            return false;
        }
        w = step();
    }
    return w == want::done;
}

} // namespace

const char* stage_name(stage s)
{
    switch (s)
    {
        case stage::connect:
            return "connect";
        case stage::handshake:
            return "handshake";
        case stage::request:
            return "request";
        case stage::response:
            return "response";
        case stage::payload:
            return "payload";
        case stage::close:
            return "close";
    }
    return "unknown";
}

short poll_events(want w)
{
    return w == want::write ? POLLOUT : POLLIN;
}

tunnel::tunnel(const client_context& ctx) : ctx_(ctx) {}

tunnel::~tunnel()
{
    abort();
}

want tunnel::fail(stage s, std::string message)
{
    failed_stage_ = s;
    error_ = std::move(message);
    return want::failed;
}

stage tunnel::current_stage() const
{
    switch (phase_)
    {
        case phase::idle:
        case phase::connecting:
            return stage::connect;
        case phase::handshaking:
            return stage::handshake;
        case phase::requesting:
            return stage::request;
        case phase::reading_head:
            return stage::response;
        case phase::open:
            return stage::payload;
        case phase::closing:
            return stage::close;
    }
    return stage::payload;
}

void tunnel::fail_timeout()
{
    const stage s = current_stage();
    fail(s, std::string(stage_name(s)) + ": timed out");
}

tunnel::io_result tunnel::classify(int ssl_result)
{
    const int err = SSL_get_error(ssl_, ssl_result);
    switch (err)
    {
        case SSL_ERROR_WANT_READ:
            return {io_status::want_read, 0};
        case SSL_ERROR_WANT_WRITE:
            return {io_status::want_write, 0};
        case SSL_ERROR_ZERO_RETURN:
            return {io_status::eof, 0};
        case SSL_ERROR_SYSCALL:
            if (ERR_peek_error() == 0 && errno == 0)
            {
                return {io_status::eof, 0};
            }
            error_ = errno != 0 ? errno_text("socket") : openssl_errors("TLS");
            return {io_status::failed, 0};
        default:
            error_ = openssl_errors("TLS");
            return {io_status::failed, 0};
    }
}

tunnel::io_result tunnel::read_step(void* data, std::size_t size)
{
    ERR_clear_error();
    errno = 0;
    std::size_t got = 0;
    const int r = SSL_read_ex(ssl_, data, size, &got);
    if (r == 1)
    {
        return {io_status::done, got};
    }
    return classify(r);
}

tunnel::io_result tunnel::write_step(const void* data, std::size_t size)
{
    ERR_clear_error();
    errno = 0;
    std::size_t put = 0;
    const int r = SSL_write_ex(ssl_, data, size, &put);
    if (r == 1)
    {
        return {io_status::done, put};
    }
    return classify(r);
}

want tunnel::start(const endpoint& proxy, std::string_view target, std::string_view authorization)
{
    abort();
    buffer_ = "CONNECT ";
    buffer_.append(target);
    buffer_ += " HTTP/1.1\r\nHost: ";
    buffer_.append(target);
    if (!authorization.empty())
    {
        buffer_ += "\r\nProxy-Authorization: ";
        buffer_.append(authorization);
    }
    buffer_ += "\r\n\r\n";
    buffer_pos_ = 0;
    phase_ = phase::connecting;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
    {
        return fail(stage::connect, errno_text("socket"));
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const auto* addr = reinterpret_cast<const sockaddr*>(&proxy.addr);
    if (::connect(fd_, addr, sizeof proxy.addr) != 0 && errno != EINPROGRESS)
    {
        return fail(stage::connect, errno_text("connect " + proxy.text));
    }
    // Writable means connected (or failed); advance_open() looks at SO_ERROR.
    return want::write;
}

want tunnel::advance_open()
{
    if (phase_ == phase::connecting)
    {
        int so_error = 0;
        socklen_t len = sizeof so_error;
        if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0)
        {
            errno = so_error;
            return fail(stage::connect, errno_text("connect"));
        }
        ssl_ = SSL_new(ctx_.native());
        if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1)
        {
            return fail(stage::handshake, openssl_errors("SSL_new"));
        }
        if (ctx_.resume())
        {
            // The tickets of this connection go to session_ (see client_context), and the
            // newest one of the last connection is offered, unless OpenSSL marked it spent
            // (a connection freed without close_notify makes its session not resumable).
            SSL_set_ex_data(ssl_, 0, &session_);
            if (session_.session != nullptr && SSL_SESSION_is_resumable(session_.session) == 1)
            {
                if (SSL_set_session(ssl_, session_.session) != 1)
                {
                    return fail(stage::handshake, openssl_errors("SSL_set_session"));
                }
                ++offered_;
            }
        }
        if (!ctx_.server_name().empty())
        {
            const char* name = ctx_.server_name().c_str();
            // SSL_set_tlsext_host_name() spelt out: the macro's C cast trips -Wold-style-cast.
            void* sni = const_cast<char*>(name);
            if (SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, sni) != 1 ||
                SSL_set1_host(ssl_, name) != 1)
            {
                return fail(stage::handshake, openssl_errors("server name"));
            }
        }
        phase_ = phase::handshaking;
    }
    if (phase_ == phase::handshaking)
    {
        ERR_clear_error();
        errno = 0;
        const int r = SSL_connect(ssl_);
        if (r != 1)
        {
            const auto res = classify(r);
            if (res.status == io_status::want_read || res.status == io_status::want_write)
            {
                return res.status == io_status::want_read ? want::read : want::write;
            }
            if (res.status == io_status::eof)
            {
                return fail(stage::handshake, "handshake: connection closed by proxy");
            }
            std::string msg = "handshake: " + error_;
            const long verify = SSL_get_verify_result(ssl_);
            if (verify != X509_V_OK)
            {
                msg += " (verify: ";
                msg += X509_verify_cert_error_string(verify);
                msg += ")";
            }
            return fail(stage::handshake, msg);
        }
        handshake_done_at_ = steady::now();
        ++handshakes_;
        cipher_ = SSL_get_cipher_name(ssl_);
        if (SSL_session_reused(ssl_) == 1)
        {
            ++resumed_;
        }
        phase_ = phase::requesting;
    }
    if (phase_ == phase::requesting)
    {
        const want w = advance_write(buffer_.data(), buffer_.size(), buffer_pos_);
        if (w != want::done)
        {
            if (w == want::failed)
            {
                failed_stage_ = stage::request;
            }
            return w;
        }
        buffer_.clear();
        buffer_pos_ = 0;
        phase_ = phase::reading_head;
    }
    if (phase_ == phase::reading_head)
    {
        std::array<char, head_chunk> buf{};
        for (;;)
        {
            const auto res = read_step(buf.data(), buf.size());
            if (res.status == io_status::done)
            {
                buffer_.append(buf.data(), res.bytes);
                if (buffer_.find("\r\n\r\n") != std::string::npos)
                {
                    return head_received();
                }
                if (buffer_.size() > max_response_head)
                {
                    return fail(stage::response, "response: head too long");
                }
                continue;
            }
            if (res.status == io_status::want_read || res.status == io_status::want_write)
            {
                return res.status == io_status::want_read ? want::read : want::write;
            }
            if (res.status == io_status::eof)
            {
                const auto line = buffer_.substr(0, buffer_.find("\r\n"));
                return fail(stage::response,
                            "response: closed by proxy" + (line.empty() ? "" : " after " + line));
            }
            return fail(stage::response, "response: " + error_);
        }
    }
    return phase_ == phase::open ? want::done : fail(current_stage(), "open: wrong phase");
}

want tunnel::head_received()
{
    const auto end = buffer_.find("\r\n\r\n");
    if (!buffer_.starts_with("HTTP/1.1 200") && !buffer_.starts_with("HTTP/1.0 200"))
    {
        return fail(stage::response, "response: " + buffer_.substr(0, buffer_.find("\r\n")));
    }
    head_received_at_ = steady::now();
    buffer_.erase(0, end + 4); // what is left is tunnel data
    buffer_pos_ = 0;
    phase_ = phase::open;
    return want::done;
}

want tunnel::advance_write(const void* data, std::size_t size, std::size_t& done)
{
    const auto* p = static_cast<const unsigned char*>(data);
    while (done < size)
    {
        const auto res = write_step(p + done, size - done);
        switch (res.status)
        {
            case io_status::done:
                done += res.bytes;
                break;
            case io_status::want_read:
                return want::read;
            case io_status::want_write:
                return want::write;
            case io_status::eof:
                return fail(stage::payload, "write: closed by proxy");
            case io_status::failed:
                return fail(stage::payload, "write: " + error_);
        }
    }
    return want::done;
}

want tunnel::advance_read(void* data, std::size_t size, std::size_t& done)
{
    auto* p = static_cast<unsigned char*>(data);
    if (done < size && buffer_pos_ < buffer_.size())
    {
        const auto n = std::min(size - done, buffer_.size() - buffer_pos_);
        std::memcpy(p + done, buffer_.data() + buffer_pos_, n);
        buffer_pos_ += n;
        done += n;
        if (buffer_pos_ == buffer_.size())
        {
            buffer_.clear();
            buffer_.shrink_to_fit();
            buffer_pos_ = 0;
        }
    }
    while (done < size)
    {
        const auto res = read_step(p + done, size - done);
        switch (res.status)
        {
            case io_status::done:
                done += res.bytes;
                break;
            case io_status::want_read:
                return want::read;
            case io_status::want_write:
                return want::write;
            case io_status::eof:
                return fail(stage::payload, "read: closed by proxy");
            case io_status::failed:
                return fail(stage::payload, "read: " + error_);
        }
    }
    return want::done;
}

want tunnel::advance_close()
{
    if (ssl_ == nullptr || fd_ < 0)
    {
        abort();
        return want::done;
    }
    phase_ = phase::closing;
    if (!shutdown_sent_)
    {
        ERR_clear_error();
        errno = 0;
        const int r = SSL_shutdown(ssl_);
        if (r < 0)
        {
            const auto res = classify(r);
            if (res.status == io_status::want_write || res.status == io_status::want_read)
            {
                return res.status == io_status::want_read ? want::read : want::write;
            }
            abort(); // the proxy is gone already: nothing left to wait for
            return want::done;
        }
        shutdown_sent_ = true;
    }
    std::array<unsigned char, head_chunk> buf{};
    for (;;)
    {
        const auto res = read_step(buf.data(), buf.size());
        if (res.status == io_status::done)
        {
            continue;
        }
        if (res.status == io_status::want_read || res.status == io_status::want_write)
        {
            return res.status == io_status::want_read ? want::read : want::write;
        }
        abort(); // close_notify, FIN or reset: closed either way
        return want::done;
    }
}

bool tunnel::open(const endpoint& proxy, std::string_view target, deadline d, std::string_view authorization)
{
    const want w = start(proxy, target, authorization);
    return drive(*this, w, d, [this] { return advance_open(); });
}

bool tunnel::write_all(const void* data, std::size_t size, deadline d)
{
    std::size_t done = 0;
    const want w = advance_write(data, size, done);
    return drive(*this, w, d, [&] { return advance_write(data, size, done); });
}

bool tunnel::read_exact(void* data, std::size_t size, deadline d)
{
    std::size_t done = 0;
    const want w = advance_read(data, size, done);
    return drive(*this, w, d, [&] { return advance_read(data, size, done); });
}

bool tunnel::close(deadline d)
{
    const want w = advance_close();
    const bool clean = drive(*this, w, d, [this] { return advance_close(); });
    abort();
    return clean;
}

bool tunnel::pump(
    std::uint64_t to_send, std::uint64_t to_recv, deadline d, std::uint64_t& sent, std::uint64_t& received)
{
    sent = 0;
    received = 0;
    const auto leftover = static_cast<std::uint64_t>(buffer_.size() - buffer_pos_);
    received = std::min(leftover, to_recv);
    buffer_pos_ += static_cast<std::size_t>(received);
    std::vector<unsigned char> buf(read_chunk);
    const auto& block = pattern_block();
    while (sent < to_send || received < to_recv)
    {
        bool progress = false;
        short events = 0;
        if (received < to_recv)
        {
            const auto want_bytes =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), to_recv - received));
            const auto res = read_step(buf.data(), want_bytes);
            if (res.status == io_status::done)
            {
                received += res.bytes;
                progress = true;
            }
            else if (res.status == io_status::eof || res.status == io_status::failed)
            {
                fail(stage::payload, "read: " + (res.status == io_status::eof ? "closed" : error_));
                return false;
            }
            else
            {
                events |= res.status == io_status::want_write ? POLLOUT : POLLIN;
            }
        }
        if (sent < to_send)
        {
            // Always offer the start of the block: with ACCEPT_MOVING_WRITE_BUFFER and a
            // constant pattern, a retried write sees the same bytes and the same length.
            const auto want_bytes =
                static_cast<std::size_t>(std::min<std::uint64_t>(write_chunk, to_send - sent));
            const auto res = write_step(block.data(), want_bytes);
            if (res.status == io_status::done)
            {
                sent += res.bytes;
                progress = true;
            }
            else if (res.status == io_status::eof || res.status == io_status::failed)
            {
                fail(stage::payload, "write: " + (res.status == io_status::eof ? "closed" : error_));
                return false;
            }
            else
            {
                events |= res.status == io_status::want_write ? POLLOUT : POLLIN;
            }
        }
        if (!progress && !wait_fd(fd_, events, d))
        {
            fail(stage::payload, "payload: timed out");
            return false;
        }
        if (progress && steady::now() > d)
        {
            fail(stage::payload, "payload: timed out");
            return false;
        }
    }
    return true;
}

void tunnel::abort()
{
    if (ssl_ != nullptr)
    {
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    if (fd_ >= 0)
    {
        ::close(fd_);
        fd_ = -1;
    }
    buffer_.clear();
    buffer_pos_ = 0;
    shutdown_sent_ = false;
    phase_ = phase::idle;
}

} // namespace gw::bench
