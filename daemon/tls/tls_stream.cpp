#include "daemon/tls/tls_stream.hpp"

#include "daemon/tls/crl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

#include <sys/socket.h>

namespace sekisho::tls {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Room for one more full record on the wire (16 KiB of payload, the header,
// the content type and the AEAD tag, with margin): write_all gathers the
// next record into the output buffer while this much is free.
constexpr std::size_t full_record_bytes = SSL3_RT_MAX_PLAIN_LENGTH + 256;

// The output BIO: hands every write to its tls_stream (take_output).
int output_write(BIO* bio, const char* data, std::size_t size, std::size_t* written)
{
    BIO_clear_retry_flags(bio);
    auto* stream = static_cast<tls_stream*>(BIO_get_data(bio));
    const long n = stream->take_output(data, size);
    if (n > 0)
    {
        *written = static_cast<std::size_t>(n);
        return 1;
    }
    if (n == 0)
    {
        BIO_set_retry_write(bio);
    }
    return 0;
}

long output_ctrl(BIO* /*bio*/, int cmd, long /*num*/, void* /*ptr*/)
{
    // Flushing is write_all's job; OpenSSL's own flush after a handshake
    // flight finds nothing gathered (those writes go straight out).
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

BIO_METHOD* output_method()
{
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sekisho gathered output");
        if (m != nullptr)
        {
            BIO_meth_set_write_ex(m, output_write);
            BIO_meth_set_ctrl(m, output_ctrl);
        }
        return m;
    }();
    return method;
}

} // namespace

bool tls_stream::attach(SSL_CTX* ctx)
{
    ssl_ = SSL_new(ctx);
    if (ssl_ == nullptr)
    {
        return false;
    }
    BIO* out = output_method() != nullptr ? BIO_new(output_method()) : nullptr;
    if (out == nullptr || SSL_set_rfd(ssl_, socket_.native_handle()) != 1)
    {
        BIO_free(out);
        SSL_free(ssl_);
        ssl_ = nullptr;
        return false;
    }
    BIO_set_data(out, this);
    BIO_set_init(out, 1);
    SSL_set0_wbio(ssl_, out); // owned by ssl_ now
    return true;
}

long tls_stream::take_output(const char* data, std::size_t size)
{
    if (!gathering_ && out_begin_ == out_end_)
    {
        // Nothing waits: straight to the socket (handshake, alerts, tickets).
        const auto n = ::send(socket_.native_handle(), data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0)
        {
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        }
        return static_cast<long>(n);
    }
    if (!out_)
    {
        out_.emplace();
        out_begin_ = out_end_ = 0;
    }
    if (out_end_ + size > out_->capacity() && out_begin_ > 0)
    {
        std::memmove(out_->data(), out_->data() + out_begin_, out_end_ - out_begin_);
        out_end_ -= out_begin_;
        out_begin_ = 0;
    }
    const std::size_t room = out_->capacity() - out_end_;
    if (room == 0)
    {
        return 0; // full: write_all sends, then OpenSSL retries
    }
    const std::size_t n = std::min(room, size);
    std::memcpy(out_->data() + out_end_, data, n);
    out_end_ += n;
    return static_cast<long>(n);
}

asio::awaitable<error_code> tls_stream::flush_output()
{
    while (out_begin_ < out_end_)
    {
        const auto n = ::send(socket_.native_handle(),
                              out_->data() + out_begin_,
                              out_end_ - out_begin_,
                              MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
        {
            out_begin_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        {
            broken_ = true;
            co_return error_code(errno, boost::system::system_category());
        }
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        auto [ec] = co_await socket_.async_wait(asio::socket_base::wait_write, use_tuple);
        if (ec)
        {
            co_return ec;
        }
    }
    out_begin_ = out_end_ = 0;
    out_.reset(); // an idle tunnel holds no buffer
    co_return error_code{};
}

tls_stream::tls_stream(asio::ip::tcp::socket socket, SSL_CTX* ctx) : socket_(std::move(socket))
{
    error_code ec;
    socket_.non_blocking(true, ec);
    // The CRL in force now (a reload may have replaced the context's first
    // one); without it the session is refused (tls_setup_failed).
    if (ec || !attach(ctx) || !use_current_crl(ssl_))
    {
        if (ssl_ != nullptr)
        {
            SSL_free(ssl_);
            ssl_ = nullptr;
        }
        return;
    }
    SSL_set_accept_state(ssl_);
}

tls_stream::tls_stream(asio::ip::tcp::socket socket, SSL_CTX* ctx, const std::string& peer_name)
    : socket_(std::move(socket))
{
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec || !attach(ctx))
    {
        return;
    }
    boost::system::error_code parse_ec;
    asio::ip::make_address(peer_name, parse_ec);
    const bool is_address = !parse_ec;
    // (SSL_set_tlsext_host_name is a macro with a C cast: SSL_ctrl directly.)
    std::string sni = peer_name;
    const bool named =
        is_address
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), peer_name.c_str()) == 1
            : SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, sni.data()) == 1 &&
                  SSL_set1_host(ssl_, peer_name.c_str()) == 1;
    if (!named)
    {
        SSL_free(ssl_);
        ssl_ = nullptr;
        return;
    }
    SSL_set_verify(ssl_, SSL_VERIFY_PEER, nullptr);
    SSL_set_connect_state(ssl_);
}

tls_stream::~tls_stream()
{
    if (ssl_ != nullptr)
    {
        SSL_free(ssl_);
    }
}

error_code tls_stream::ssl_failure(int ret, int ssl_error)
{
    broken_ = true;
    if (ssl_error == SSL_ERROR_ZERO_RETURN)
    {
        broken_ = false;
        return asio::error::eof;
    }
    if (ssl_error == SSL_ERROR_SYSCALL)
    {
        const int err = errno;
        ERR_clear_error();
        if (ret == 0 || err == 0)
        {
            return asio::error::eof;
        }
        return error_code(err, boost::system::system_category());
    }
    const unsigned long e = ERR_peek_last_error();
    ERR_clear_error();
    return error_code(static_cast<int>(e), asio::error::get_ssl_category());
}

asio::awaitable<error_code> tls_stream::handshake()
{
    for (;;)
    {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl_);
        if (r == 1)
        {
            co_return error_code{};
        }
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        {
            auto [ec] = co_await socket_.async_wait(e == SSL_ERROR_WANT_READ ? asio::socket_base::wait_read
                                                                             : asio::socket_base::wait_write,
                                                    use_tuple);
            if (ec)
            {
                broken_ = true;
                co_return ec;
            }
            continue;
        }
        co_return ssl_failure(r, e);
    }
}

io_result tls_stream::try_read(void* data, std::size_t size)
{
    io_result out;
    ERR_clear_error();
    std::size_t n = 0;
    const int r = SSL_read_ex(ssl_, data, size, &n);
    if (r == 1)
    {
        out.bytes = n;
        return out;
    }
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
    {
        want_write_for_read_ = e == SSL_ERROR_WANT_WRITE;
        out.would_block = true;
        return out;
    }
    out.ec = ssl_failure(r, e);
    return out;
}

asio::awaitable<error_code> tls_stream::wait_readable()
{
    if (SSL_has_pending(ssl_) == 1 && !want_write_for_read_)
    {
        co_return error_code{};
    }
    auto [ec] = co_await socket_.async_wait(
        want_write_for_read_ ? asio::socket_base::wait_write : asio::socket_base::wait_read, use_tuple);
    want_write_for_read_ = false;
    co_return ec;
}

asio::awaitable<error_code> tls_stream::write_all(const void* data, std::size_t size)
{
    const auto* p = static_cast<const unsigned char*>(data);
    while (size > 0)
    {
        ERR_clear_error();
        std::size_t n = 0;
        gathering_ = true;
        const int r = SSL_write_ex(ssl_, p, size, &n);
        gathering_ = false;
        int e = SSL_ERROR_NONE;
        if (r == 1)
        {
            p += n;
            size -= n;
            // SSL_MODE_ENABLE_PARTIAL_WRITE returns after each record: gather
            // the next one too while a full record still fits.
            if (size > 0 && out_ && out_->capacity() - out_end_ >= full_record_bytes)
            {
                continue;
            }
        }
        else
        {
            e = SSL_get_error(ssl_, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
            {
                co_return ssl_failure(r, e);
            }
        }
        // The records gathered so far, in one send() when the kernel takes them.
        if (auto ec = co_await flush_output())
        {
            co_return ec;
        }
        if (e == SSL_ERROR_WANT_READ)
        {
            auto [ec] = co_await socket_.async_wait(asio::socket_base::wait_read, use_tuple);
            if (ec)
            {
                co_return ec;
            }
        }
    }
    co_return error_code{};
}

asio::awaitable<error_code> tls_stream::shutdown()
{
    if (broken_ || shutdown_sent_ || SSL_is_init_finished(ssl_) != 1)
    {
        co_return error_code{};
    }
    for (;;)
    {
        ERR_clear_error();
        const int r = SSL_shutdown(ssl_);
        if (r >= 0)
        {
            shutdown_sent_ = true;
            // close_notify may wait behind records a relay write left.
            co_return co_await flush_output();
        }
        const int e = SSL_get_error(ssl_, r);
        if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ)
        {
            co_return ssl_failure(r, e);
        }
        auto [ec] = co_await socket_.async_wait(asio::socket_base::wait_write, use_tuple);
        if (ec)
        {
            co_return ec;
        }
    }
}

} // namespace sekisho::tls
