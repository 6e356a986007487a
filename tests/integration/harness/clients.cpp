#include "harness/clients.hpp"

#include "harness/process.hpp"
#include "harness/world.hpp"

#include <openssl/err.h>

#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sekisho::test {

namespace {

using steady = std::chrono::steady_clock;

int connect_loopback(std::uint16_t port, bool nonblocking, const std::string& source = {})
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!source.empty())
    {
        sockaddr_in from{};
        from.sin_family = AF_INET;
        ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0)
        {
            ::close(fd);
            return -1;
        }
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    {
        ::close(fd);
        return -1;
    }
    if (nonblocking)
    {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return fd;
}

std::uint16_t port_of(int fd)
{
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    {
        return 0;
    }
    return ntohs(sa.sin_port);
}

int remaining_ms(steady::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

} // namespace

curl_result curl_via(std::uint16_t proxy_port,
                     const std::string& url,
                     const std::string& device,
                     const std::vector<std::string>& extra)
{
    const auto& w = world::get();
    static temp_dir scratch;
    static int n = 0;
    const auto body_file = scratch.file("body-" + std::to_string(n++));
    std::vector<std::string> argv = {"curl",
                                     "-sS",
                                     "-v",
                                     "--max-time",
                                     "10",
                                     "--proxy",
                                     "https://127.0.0.1:" + std::to_string(proxy_port),
                                     "--proxy-cacert",
                                     w.pki + "/server-ca.pem",
                                     "-p",
                                     "-o",
                                     body_file,
                                     "-w",
                                     "%{http_connect} %{http_code} %{local_port}"};
    if (!device.empty())
    {
        argv.insert(argv.end(), {"--proxy-cert", w.cert(device), "--proxy-key", w.key(device)});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    auto r = run(argv, scratch, std::chrono::seconds(20));
    curl_result out;
    out.exit_code = r.exit_code;
    out.verbose = r.err;
    unsigned port = 0;
    std::sscanf(r.out.c_str(), "%d %d %u", &out.connect_code, &out.http_code, &port);
    out.local_port = static_cast<std::uint16_t>(port);
    out.body = read_file(body_file);
    return out;
}

tls_client::tls_client(std::uint16_t port, const std::string& device, std::chrono::milliseconds timeout)
    : tls_client(port, tls_client_options{device, timeout, {}, {}})
{}

tls_client::tls_client(std::uint16_t port, const tls_client_options& o)
{
    const auto& w = world::get();
    const auto& device = o.device;
    const auto deadline = steady::now() + o.timeout;
    fd_ = connect_loopback(port, true, o.source);
    if (fd_ < 0)
    {
        error_ = "connect failed";
        return;
    }
    if (!o.preamble.empty() && ::send(fd_, o.preamble.data(), o.preamble.size(), MSG_NOSIGNAL) !=
                                   static_cast<ssize_t>(o.preamble.size()))
    {
        error_ = "preamble not sent";
        return;
    }
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_3_VERSION);
    SSL_CTX_load_verify_locations(ctx_, (w.pki + "/server-ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (!device.empty())
    {
        SSL_CTX_use_certificate_chain_file(ctx_, w.cert(device).c_str());
        SSL_CTX_use_PrivateKey_file(ctx_, w.key(device).c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set1_host(ssl_, "localhost");
    if (o.resume != nullptr)
    {
        SSL_set_session(ssl_, o.resume);
    }
    for (;;)
    {
        ERR_clear_error();
        const int r = SSL_connect(ssl_);
        if (r == 1)
        {
            break;
        }
        const int e = SSL_get_error(ssl_, r);
        if ((e == SSL_ERROR_WANT_READ && wait(POLLIN, deadline)) ||
            (e == SSL_ERROR_WANT_WRITE && wait(POLLOUT, deadline)))
        {
            continue;
        }
        char buf[256] = "timeout";
        if (auto code = ERR_get_error())
        {
            ERR_error_string_n(code, buf, sizeof buf);
        }
        error_ = buf;
        return;
    }
    // In TLS 1.3 a refused client certificate is reported after the
    // handshake: read once briefly to see an alert.
    ok_ = true;
}

bool tls_client::resumed() const
{
    return ssl_ != nullptr && SSL_session_reused(ssl_) == 1;
}

ssl_session_ptr tls_client::session() const
{
    if (ssl_ == nullptr)
    {
        return nullptr;
    }
    // A copy: OpenSSL marks the connection's own session not resumable when
    // the connection is freed without a close_notify.
    SSL_SESSION* own = SSL_get0_session(ssl_);
    if (own == nullptr || SSL_SESSION_is_resumable(own) != 1)
    {
        return nullptr;
    }
    return ssl_session_ptr(SSL_SESSION_dup(own));
}

tls_client::~tls_client()
{
    if (ssl_ != nullptr)
    {
        SSL_free(ssl_);
    }
    if (ctx_ != nullptr)
    {
        SSL_CTX_free(ctx_);
    }
    if (fd_ >= 0)
    {
        ::close(fd_);
    }
}

std::uint16_t tls_client::local_port() const
{
    return port_of(fd_);
}

bool tls_client::wait(short events, steady::time_point deadline)
{
    pollfd p{fd_, events, 0};
    return ::poll(&p, 1, remaining_ms(deadline)) > 0;
}

bool tls_client::send(const std::string& data, std::chrono::milliseconds timeout)
{
    const auto deadline = steady::now() + timeout;
    std::size_t off = 0;
    while (off < data.size())
    {
        std::size_t n = 0;
        ERR_clear_error();
        const int r = SSL_write_ex(ssl_, data.data() + off, data.size() - off, &n);
        if (r == 1)
        {
            off += n;
            continue;
        }
        const int e = SSL_get_error(ssl_, r);
        if ((e == SSL_ERROR_WANT_WRITE && wait(POLLOUT, deadline)) ||
            (e == SSL_ERROR_WANT_READ && wait(POLLIN, deadline)))
        {
            continue;
        }
        return false;
    }
    return true;
}

std::string tls_client::recv_until(const std::string& marker, std::chrono::milliseconds timeout)
{
    const auto deadline = steady::now() + timeout;
    std::string out = std::move(pending_);
    pending_.clear();
    char buf[16384];
    while (!eof_ && (marker.empty() || out.find(marker) == std::string::npos))
    {
        std::size_t n = 0;
        ERR_clear_error();
        const int r = SSL_read_ex(ssl_, buf, sizeof buf, &n);
        if (r == 1)
        {
            out.append(buf, n);
            continue;
        }
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        {
            if (!wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
            {
                break;
            }
            continue;
        }
        eof_ = true;
    }
    if (!marker.empty())
    {
        const auto pos = out.find(marker);
        if (pos != std::string::npos)
        {
            pending_ = out.substr(pos + marker.size());
            out.resize(pos + marker.size());
        }
    }
    return out;
}

std::string tls_client::recv_exactly(std::size_t n, std::chrono::milliseconds timeout)
{
    const auto deadline = steady::now() + timeout;
    std::string out = std::move(pending_);
    pending_.clear();
    char buf[16384];
    while (!eof_ && out.size() < n && steady::now() < deadline)
    {
        std::size_t got = 0;
        ERR_clear_error();
        const int r = SSL_read_ex(ssl_, buf, std::min(sizeof buf, n - out.size()), &got);
        if (r == 1)
        {
            out.append(buf, got);
            continue;
        }
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        {
            wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
            continue;
        }
        eof_ = true;
    }
    return out;
}

bool tls_client::closed_by_peer(std::chrono::milliseconds timeout)
{
    recv_until({}, timeout);
    return eof_;
}

void tls_client::shutdown_write()
{
    SSL_shutdown(ssl_);
}

std::string tls_client::connect(const std::string& target, std::chrono::milliseconds timeout)
{
    send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n", timeout);
    return recv_until("\r\n\r\n", timeout);
}

tcp_client::tcp_client(std::uint16_t port) : fd_(connect_loopback(port, false)) {}

tcp_client::~tcp_client()
{
    if (fd_ >= 0)
    {
        ::close(fd_);
    }
}

std::uint16_t tcp_client::local_port() const
{
    return port_of(fd_);
}

void tcp_client::send(const std::string& data)
{
    ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
}

std::string tcp_client::recv_all(std::chrono::milliseconds timeout)
{
    const auto deadline = steady::now() + timeout;
    std::string out;
    char buf[4096];
    for (;;)
    {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0)
        {
            return out;
        }
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0)
        {
            return out;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

bool tcp_client::closed_by_peer(std::chrono::milliseconds timeout)
{
    const auto deadline = steady::now() + timeout;
    char buf[4096];
    for (;;)
    {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0)
        {
            return false;
        }
        if (::recv(fd_, buf, sizeof buf, 0) <= 0)
        {
            return true;
        }
    }
}

bool can_connect(std::uint16_t port)
{
    const int fd = connect_loopback(port, false);
    if (fd < 0)
    {
        return false;
    }
    ::close(fd);
    return true;
}

} // namespace sekisho::test
