#include "daemon/redis/client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sekisho::redis {

namespace {

using steady = std::chrono::steady_clock;

bool is_ip_literal(const std::string& host)
{
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string ssl_error_text()
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0)
    {
        return "unknown TLS error";
    }
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return text;
}

int remaining_ms(steady::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

// A non-blocking TCP connection to one of the host's addresses, within the
// deadline; -1 and `error` otherwise.
int connect_tcp(const endpoint& at, steady::time_point deadline, std::string& error)
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const auto port = std::to_string(at.port);
    if (const int rc = ::getaddrinfo(at.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    {
        error = "cannot look up " + at.host + ": " + ::gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (auto* a = found; a != nullptr && fd < 0; a = a->ai_next)
    {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0)
        {
            error = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS)
        {
            error = "connect to " + at.text() + ": " + std::strerror(errno);
            ::close(fd);
            fd = -1;
            continue;
        }
        pollfd p{fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, remaining_ms(deadline));
        int so_error = 0;
        socklen_t len = sizeof so_error;
        if (ready <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0)
        {
            error = "connect to " + at.text() + ": " +
                    (ready == 0 ? std::string("timed out")
                                : std::string(std::strerror(so_error ? so_error : errno)));
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd >= 0)
    {
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

} // namespace

std::string endpoint::text() const
{
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<endpoint> primary_from_sentinel(const value& reply)
{
    if (reply.kind != kind::array || reply.items.size() != 2 || reply.items[0].text.empty())
    {
        return std::nullopt;
    }
    const auto& port = reply.items[1].text;
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    {
        return std::nullopt;
    }
    const auto n = std::stoul(port);
    if (n == 0 || n > 65535)
    {
        return std::nullopt;
    }
    return endpoint{reply.items[0].text, static_cast<std::uint16_t>(n)};
}

std::shared_ptr<SSL_CTX> make_tls_context(const tls_settings& s, std::string& error)
{
    std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    if (!ctx)
    {
        error = "cannot create a TLS context: " + ssl_error_text();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx.get(), s.ca_file.c_str(), nullptr) != 1)
    {
        error = "cannot read the CA file " + s.ca_file + ": " + ssl_error_text();
        return nullptr;
    }
    if (!s.certificate_file.empty())
    {
        if (SSL_CTX_use_certificate_chain_file(ctx.get(), s.certificate_file.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx.get(), s.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx.get()) != 1)
        {
            error = "cannot use the client certificate " + s.certificate_file + " and key " + s.key_file +
                    ": " + ssl_error_text();
            return nullptr;
        }
    }
    return ctx;
}

connection::connection(int fd, endpoint peer, connect_options o)
    : fd_(fd), peer_(std::move(peer)), options_(std::move(o))
{}

connection::~connection()
{
    if (ssl_ != nullptr)
    {
        SSL_free(ssl_);
    }
    if (fd_ >= 0)
    {
        ::close(fd_);
    }
}

std::unique_ptr<connection> connection::open(const endpoint& at, const connect_options& o, std::string& error)
{
    const auto deadline = steady::now() + o.connect_timeout;
    const int fd = connect_tcp(at, deadline, error);
    if (fd < 0)
    {
        return nullptr;
    }
    std::unique_ptr<connection> c(new connection(fd, at, o));
    if (!c->handshake(deadline, error))
    {
        return nullptr;
    }
    return c;
}

bool connection::handshake(steady::time_point deadline, std::string& error)
{
    if (options_.tls)
    {
        ssl_ = SSL_new(options_.tls.get());
        if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1)
        {
            error = "TLS to " + peer_.text() + ": " + ssl_error_text();
            return false;
        }
        const auto& name = options_.server_name.empty() ? peer_.host : options_.server_name;
        if (is_ip_literal(name))
        {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str());
        }
        else
        {
            // SSL_set_tlsext_host_name is a macro with a C cast.
            SSL_ctrl(ssl_,
                     SSL_CTRL_SET_TLSEXT_HOSTNAME,
                     TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(name.c_str()));
            SSL_set1_host(ssl_, name.c_str());
        }
        for (;;)
        {
            const int rc = SSL_connect(ssl_);
            if (rc == 1)
            {
                break;
            }
            const int why = SSL_get_error(ssl_, rc);
            const auto st = why == SSL_ERROR_WANT_READ    ? wait_for(POLLIN, deadline)
                            : why == SSL_ERROR_WANT_WRITE ? wait_for(POLLOUT, deadline)
                                                          : io_status::failed;
            if (st != io_status::ok)
            {
                const long verify = SSL_get_verify_result(ssl_);
                error = "TLS handshake with " + peer_.text() + ": " +
                        (st == io_status::timeout ? std::string("timed out")
                         : verify != X509_V_OK    ? std::string(X509_verify_cert_error_string(verify))
                                                  : ssl_error_text());
                return false;
            }
        }
    }
    value reply;
    const auto saved = options_.command_timeout;
    options_.command_timeout = std::chrono::milliseconds(std::max(remaining_ms(deadline), 1));
    bool ok = true;
    if (!options_.password.empty())
    {
        ok = options_.username.empty() ? call({"AUTH", options_.password}, reply, error)
                                       : call({"AUTH", options_.username, options_.password}, reply, error);
        if (ok && reply.is_error())
        {
            error = "AUTH at " + peer_.text() + " refused: " + reply.text;
            ok = false;
        }
    }
    if (ok && options_.database != 0)
    {
        ok = call({"SELECT", std::to_string(options_.database)}, reply, error);
        if (ok && reply.is_error())
        {
            error = "SELECT at " + peer_.text() + " refused: " + reply.text;
            ok = false;
        }
    }
    options_.command_timeout = saved;
    return ok;
}

io_status connection::wait_for(short events, steady::time_point deadline)
{
    for (;;)
    {
        pollfd p{fd_, events, 0};
        const int rc = ::poll(&p, 1, remaining_ms(deadline));
        if (rc > 0)
        {
            return (p.revents & (POLLERR | POLLNVAL)) != 0 && (p.revents & events) == 0 ? io_status::failed
                                                                                        : io_status::ok;
        }
        if (rc == 0)
        {
            return io_status::timeout;
        }
        if (errno != EINTR)
        {
            return io_status::failed;
        }
    }
}

io_status connection::write_all(std::string_view bytes, steady::time_point deadline)
{
    while (!bytes.empty())
    {
        ssize_t n = 0;
        if (ssl_ != nullptr)
        {
            const int rc = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
            if (rc > 0)
            {
                n = rc;
            }
            else
            {
                const int why = SSL_get_error(ssl_, rc);
                if (why != SSL_ERROR_WANT_READ && why != SSL_ERROR_WANT_WRITE)
                {
                    return io_status::failed;
                }
                if (const auto st = wait_for(why == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                    st != io_status::ok)
                {
                    return st;
                }
                continue;
            }
        }
        else
        {
            n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0)
            {
                if (errno == EINTR)
                {
                    continue;
                }
                if (errno != EAGAIN && errno != EWOULDBLOCK)
                {
                    return io_status::failed;
                }
                if (const auto st = wait_for(POLLOUT, deadline); st != io_status::ok)
                {
                    return st;
                }
                continue;
            }
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return io_status::ok;
}

io_status connection::read_some(steady::time_point deadline)
{
    char chunk[16384];
    for (;;)
    {
        if (ssl_ != nullptr)
        {
            const int rc = SSL_read(ssl_, chunk, sizeof chunk);
            if (rc > 0)
            {
                buffer_.append(chunk, static_cast<std::size_t>(rc));
                return io_status::ok;
            }
            const int why = SSL_get_error(ssl_, rc);
            if (why != SSL_ERROR_WANT_READ && why != SSL_ERROR_WANT_WRITE)
            {
                return io_status::failed;
            }
            if (const auto st = wait_for(why == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                st != io_status::ok)
            {
                return st;
            }
            continue;
        }
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0)
        {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return io_status::ok;
        }
        if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
        {
            return io_status::failed;
        }
        if (errno != EINTR)
        {
            if (const auto st = wait_for(POLLIN, deadline); st != io_status::ok)
            {
                return st;
            }
        }
    }
}

io_status connection::read_reply(value& reply, steady::time_point deadline, std::string& error)
{
    for (;;)
    {
        auto r = parse_reply(std::span<const char>(buffer_.data(), buffer_.size()), options_.limits);
        if (r.state == parse_state::done)
        {
            buffer_.erase(0, r.length);
            reply = std::move(r.reply);
            return io_status::ok;
        }
        if (r.state == parse_state::invalid)
        {
            error = peer_.text() + " sent something that is not RESP: " + r.error;
            return io_status::failed;
        }
        if (const auto st = read_some(deadline); st != io_status::ok)
        {
            error = peer_.text() + (st == io_status::timeout ? ": no reply in time" : ": connection lost");
            return st;
        }
    }
}

bool connection::call(std::initializer_list<std::string_view> args, value& reply, std::string& error)
{
    return call(std::span<const std::string_view>(args.begin(), args.size()), reply, error);
}

bool connection::call(std::span<const std::string_view> args, value& reply, std::string& error)
{
    const auto deadline = steady::now() + options_.command_timeout;
    if (write_all(encode_command(args), deadline) != io_status::ok)
    {
        error = peer_.text() + ": cannot send a command";
        return false;
    }
    return read_reply(reply, deadline, error) == io_status::ok;
}

bool connection::send(std::string_view bytes, std::string& error)
{
    if (write_all(bytes, steady::now() + options_.command_timeout) != io_status::ok)
    {
        error = peer_.text() + ": cannot send commands";
        return false;
    }
    return true;
}

io_status connection::read(value& reply, std::chrono::milliseconds wait, std::string& error)
{
    return read_reply(reply, steady::now() + wait, error);
}

} // namespace sekisho::redis
