#include "daemon/tls/tls_stream.hpp"

#include "daemon/tls/crl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>

namespace sekisho::tls {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

} // namespace

tls_stream::tls_stream(asio::ip::tcp::socket socket, SSL_CTX* ctx) : socket_(std::move(socket))
{
    error_code ec;
    socket_.non_blocking(true, ec);
    ssl_ = ec ? nullptr : SSL_new(ctx);
    // The CRL in force now (a reload may have replaced the context's first
    // one); without it the session is refused (tls_setup_failed).
    if (ssl_ != nullptr && !use_current_crl(ssl_))
    {
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    if (ssl_ != nullptr)
    {
        if (SSL_set_fd(ssl_, socket_.native_handle()) != 1)
        {
            SSL_free(ssl_);
            ssl_ = nullptr;
        }
        else
        {
            SSL_set_accept_state(ssl_);
        }
    }
}

tls_stream::tls_stream(asio::ip::tcp::socket socket, SSL_CTX* ctx, const std::string& peer_name)
    : socket_(std::move(socket))
{
    error_code ec;
    socket_.non_blocking(true, ec);
    ssl_ = ec ? nullptr : SSL_new(ctx);
    if (ssl_ == nullptr)
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
    if (!named || SSL_set_fd(ssl_, socket_.native_handle()) != 1)
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
        const int r = SSL_write_ex(ssl_, p, size, &n);
        if (r == 1)
        {
            p += n;
            size -= n;
            continue;
        }
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        {
            auto [ec] = co_await socket_.async_wait(e == SSL_ERROR_WANT_WRITE ? asio::socket_base::wait_write
                                                                              : asio::socket_base::wait_read,
                                                    use_tuple);
            if (ec)
            {
                co_return ec;
            }
            continue;
        }
        co_return ssl_failure(r, e);
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
            co_return error_code{};
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
