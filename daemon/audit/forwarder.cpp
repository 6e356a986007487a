#include "daemon/audit/forwarder.hpp"

#include "daemon/audit/line.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/tls/context.hpp"
#include "daemon/util/fd.hpp"
#include "daemon/util/replace_file.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::audit {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

// How often the folder is looked at for new lines when nobody calls notify().
constexpr auto poll_interval = 150ms;
// A line is confirmed when every byte up to it was ACKed and the connection
// is still up this long afterwards: a collector that is stopped with our
// bytes still unread in its socket resets the connection, and the reset
// arrives within this time, so those lines are sent again.
constexpr auto confirm_settle = 500ms;
// The state file is rewritten at most this often (and at stop); a crash
// loses at most this much confirmation, which means lines sent twice.
constexpr auto state_save_interval = 1s;
// Bytes the collector has not ACKed (or a write that cannot progress) for
// this long: the connection is given up and made again.
constexpr auto stall_timeout = 60s;
// The first reconnection delay; doubled up to reconnect_max.
constexpr auto first_backoff = 200ms;
// One write(2) worth of messages.
constexpr std::size_t batch_bytes = 256 * 1024;
constexpr std::size_t read_chunk = 64 * 1024;
// As the writer's limit: a longer line was not written by this version.
constexpr std::size_t max_line_bytes = 1 << 20;
// Poll slices, so that stop() is noticed during long waits.
constexpr auto slice = 100ms;

constexpr std::string_view current_name = "audit.log";

using cancel_fn = std::function<bool()>;

void drain_sigpipe()
{
    // OpenSSL writes with write(2), which raises SIGPIPE on a closed
    // connection: the thread blocks it, and a pending one is consumed here.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    timespec zero{};
    while (sigtimedwait(&set, nullptr, &zero) > 0)
    {}
}

bool printable(std::string_view s, std::size_t max)
{
    return !s.empty() && s.size() <= max &&
           std::all_of(s.begin(), s.end(), [](char c) { return c > 32 && c < 127 && c != '\\'; });
}

// The record's "host" without parsing the line: nullopt when it is not a
// plain JSON string (escapes) or not there.
std::string_view record_host(std::string_view line)
{
    constexpr std::string_view key = ",\"host\":\"";
    const auto at = line.find(key);
    if (at == std::string_view::npos)
    {
        return {};
    }
    const auto from = at + key.size();
    const auto end = line.find('"', from);
    return end == std::string_view::npos ? std::string_view() : line.substr(from, end - from);
}

// `LEN SP <110>1 TS HOST APP-NAME PROCID MSGID - LINE` (RFC 5424, RFC 5425
// octet counting): facility 13 (log audit), severity 6 (info).
void append_message(std::string& out,
                    const envelope& e,
                    std::string_view line,
                    std::string_view fallback_host,
                    std::string_view app,
                    std::string_view procid)
{
    const auto host = record_host(line);
    const bool ts_ok = e.ts.size() <= 32 &&
                       e.ts.find_first_not_of("0123456789-:.TZ+") == std::string_view::npos && !e.ts.empty();
    std::string header = "<110>1 ";
    header += ts_ok ? e.ts : "-";
    header += ' ';
    header += printable(host, 255) ? host : fallback_host;
    header += ' ';
    header += app;
    header += ' ';
    header += procid;
    header += ' ';
    header += printable(e.event, 32) ? e.event : "-";
    header += " - ";
    out += std::to_string(header.size() + line.size());
    out += ' ';
    out += header;
    out += line;
}

std::string syslog_host(std::string host)
{
    if (!printable(host, 255))
    {
        return "-";
    }
    return host;
}

// ---------------------------------------------------------------------------
// The connection to the collector: a non-blocking socket driven with poll(),
// with TLS through OpenSSL when configured.
class connection
{
public:
    connection() = default;
    ~connection() { close(); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    bool open() const { return fd_ >= 0; }

    bool connect(const config::audit_forward_settings& s, const cancel_fn& cancelled, std::string& error)
    {
        close();
        const auto deadline = steady::now() + s.connect_timeout;
        sockaddr_storage addr{};
        socklen_t addr_len = 0;
        const auto& b = s.address.bytes();
        if (s.address.is_v4())
        {
            auto* a = reinterpret_cast<sockaddr_in*>(&addr);
            a->sin_family = AF_INET;
            a->sin_port = htons(s.port);
            std::copy_n(b.begin(), 4, reinterpret_cast<unsigned char*>(&a->sin_addr));
            addr_len = sizeof(sockaddr_in);
        }
        else
        {
            auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(s.port);
            std::copy_n(b.begin(), 16, reinterpret_cast<unsigned char*>(&a->sin6_addr));
            addr_len = sizeof(sockaddr_in6);
        }
        fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
        {
            error = "socket: " + util::error_text(errno);
            return false;
        }
        const int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        // Unacknowledged bytes for this long end the connection (a collector
        // host that vanished without a reset).
        const auto user_timeout = static_cast<unsigned>(milliseconds(stall_timeout).count());
        ::setsockopt(fd_, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0)
        {
            if (errno != EINPROGRESS)
            {
                error = "connect: " + util::error_text(errno);
                return false;
            }
            if (!wait(POLLOUT, deadline, cancelled, error))
            {
                error = "connect: " + error;
                return false;
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0)
            {
                error = "connect: " + util::error_text(err);
                return false;
            }
        }
        return !s.tls || handshake(s, deadline, cancelled, error);
    }

    // Writes all of `data`; false with the reason when the connection fails,
    // stalls for stall_timeout, or the caller gives up.
    bool write_all(std::string_view data, const cancel_fn& cancelled, std::string& error)
    {
        std::size_t done = 0;
        auto progress = steady::now();
        while (done < data.size())
        {
            const auto rest = std::min<std::size_t>(data.size() - done, INT_MAX);
            short want = POLLOUT;
            if (ssl_ != nullptr)
            {
                ERR_clear_error();
                const int n = SSL_write(ssl_, data.data() + done, static_cast<int>(rest));
                if (n > 0)
                {
                    done += static_cast<std::size_t>(n);
                    progress = steady::now();
                    continue;
                }
                const int e = SSL_get_error(ssl_, n);
                if (e == SSL_ERROR_WANT_READ)
                {
                    want = POLLIN;
                }
                else if (e != SSL_ERROR_WANT_WRITE)
                {
                    error = tls_error("TLS write", e);
                    return false;
                }
            }
            else
            {
                const auto n = ::send(fd_, data.data() + done, rest, MSG_NOSIGNAL);
                if (n > 0)
                {
                    done += static_cast<std::size_t>(n);
                    plain_out_ += static_cast<std::uint64_t>(n);
                    progress = steady::now();
                    continue;
                }
                if (n < 0 && errno == EINTR)
                {
                    continue;
                }
                if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                {
                    error = "send: " + util::error_text(n == 0 ? EPIPE : errno);
                    return false;
                }
            }
            if (!wait(want, progress + stall_timeout, cancelled, error))
            {
                error = "write: " + error;
                return false;
            }
        }
        return true;
    }

    // Bytes written to the socket since the connection was made (TLS:
    // records, handshake included).
    std::uint64_t bytes_out() const
    {
        return ssl_ != nullptr ? BIO_number_written(SSL_get_wbio(ssl_)) : plain_out_;
    }

    // How many of bytes_out() the collector's kernel has ACKed (SIOCOUTQ:
    // the bytes not yet ACKed); nullopt when the connection is no longer
    // established (a reset also empties the queue, so 0 would then mean nothing).
    std::optional<std::uint64_t> acked() const
    {
        int outq = -1;
        if (!established() || ::ioctl(fd_, SIOCOUTQ, &outq) != 0 || outq < 0)
        {
            return std::nullopt;
        }
        const auto out = bytes_out();
        const auto queued = static_cast<std::uint64_t>(outq);
        return queued > out ? 0 : out - queued;
    }

    bool established() const
    {
        tcp_info ti{};
        socklen_t len = sizeof ti;
        return fd_ >= 0 && ::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
               ti.tcpi_state == TCP_ESTABLISHED;
    }

    // Reads (and drops) what the collector sent, if anything: false with the
    // reason when it closed the connection or the connection failed.
    bool peer_alive(std::string& error)
    {
        for (int round = 0; round < 16; ++round)
        {
            pollfd p{fd_, POLLIN | POLLRDHUP, 0};
            if (::poll(&p, 1, 0) <= 0)
            {
                return true;
            }
            char buf[4096];
            if (ssl_ != nullptr)
            {
                ERR_clear_error();
                const int n = SSL_read(ssl_, buf, sizeof buf);
                if (n > 0)
                {
                    continue;
                }
                const int e = SSL_get_error(ssl_, n);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                {
                    return true;
                }
                error = e == SSL_ERROR_ZERO_RETURN ? "the collector closed the connection (TLS close_notify)"
                                                   : tls_error("the collector closed the connection", e);
                return false;
            }
            const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0)
            {
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            {
                return true;
            }
            error = n == 0 ? "the collector closed the connection" : "recv: " + util::error_text(errno);
            return false;
        }
        return true;
    }

    // The orderly end: our side is closed (close_notify, FIN) and the
    // collector's close is awaited until `deadline`. It closes only after
    // reading everything before, so true means it has every byte.
    bool finish(steady::time_point deadline)
    {
        const cancel_fn never = [] {
            return false;
        };
        std::string error;
        if (ssl_ != nullptr)
        {
            ERR_clear_error();
            if (SSL_shutdown(ssl_) < 0)
            {
                return false;
            }
        }
        ::shutdown(fd_, SHUT_WR);
        char buf[4096];
        while (wait(POLLIN, deadline, never, error))
        {
            if (ssl_ != nullptr)
            {
                ERR_clear_error();
                const int n = SSL_read(ssl_, buf, sizeof buf);
                if (n > 0)
                {
                    continue;
                }
                const int e = SSL_get_error(ssl_, n);
                if (e == SSL_ERROR_ZERO_RETURN ||
                    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0))
                {
                    return true;
                }
                if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                {
                    // OpenSSL 3 reports a close without close_notify as an
                    // SSL error ("unexpected eof"): the collector closed.
                    return ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
                }
                continue;
            }
            const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0)
            {
                return true;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            {
                return false;
            }
        }
        return false;
    }

    void close()
    {
        if (ssl_ != nullptr)
        {
            SSL_free(ssl_);
            ssl_ = nullptr;
        }
        if (ctx_ != nullptr)
        {
            SSL_CTX_free(ctx_);
            ctx_ = nullptr;
        }
        if (fd_ >= 0)
        {
            ::close(fd_);
            fd_ = -1;
        }
        plain_out_ = 0;
        ERR_clear_error();
        drain_sigpipe();
    }

private:
    // Waits for `events` until `deadline` in slices; false with the reason
    // on timeout or when the caller gives up. Errors and hang-ups count as
    // ready: the next operation reports them.
    bool wait(short events, steady::time_point deadline, const cancel_fn& cancelled, std::string& error) const
    {
        for (;;)
        {
            const auto now = steady::now();
            if (now >= deadline)
            {
                error = "timed out";
                return false;
            }
            if (cancelled())
            {
                error = "stopped";
                return false;
            }
            const auto left = std::min<steady::duration>(deadline - now, slice);
            pollfd p{fd_, events, 0};
            const int ms = static_cast<int>(std::chrono::ceil<milliseconds>(left).count());
            const int rc = ::poll(&p, 1, ms);
            if (rc > 0)
            {
                return true;
            }
            if (rc < 0 && errno != EINTR)
            {
                error = "poll: " + util::error_text(errno);
                return false;
            }
        }
    }

    std::string tls_error(const std::string& what, int ssl_error) const
    {
        std::string why = tls::drain_openssl_errors();
        if (why.empty())
        {
            why =
                ssl_error == SSL_ERROR_SYSCALL && errno != 0 ? util::error_text(errno) : "connection closed";
        }
        return what + ": " + why;
    }

    bool handshake(const config::audit_forward_settings& s,
                   steady::time_point deadline,
                   const cancel_fn& cancelled,
                   std::string& error)
    {
        ERR_clear_error();
        ctx_ = SSL_CTX_new(TLS_client_method());
        if (ctx_ == nullptr)
        {
            error = "TLS: " + tls::drain_openssl_errors();
            return false;
        }
        SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
        SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
        SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
        if (SSL_CTX_load_verify_locations(ctx_, s.ca_file.c_str(), nullptr) != 1)
        {
            error = "cannot load the collector's CA " + s.ca_file + ": " + tls::drain_openssl_errors();
            return false;
        }
        if (!s.certificate.empty())
        {
            if (SSL_CTX_use_certificate_chain_file(ctx_, s.certificate.c_str()) != 1 ||
                SSL_CTX_use_PrivateKey_file(ctx_, s.private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
                SSL_CTX_check_private_key(ctx_) != 1)
            {
                error = "cannot load the client certificate " + s.certificate + " and key " + s.private_key +
                        ": " + tls::drain_openssl_errors();
                return false;
            }
        }
        ssl_ = SSL_new(ctx_);
        if (ssl_ == nullptr)
        {
            error = "TLS: " + tls::drain_openssl_errors();
            return false;
        }
        std::string name = s.server_name.empty() ? s.address.to_string() : s.server_name;
        // (SSL_set_tlsext_host_name is a macro with a C cast: SSL_ctrl directly.)
        const bool named =
            policy::ip_address::parse(name)
                ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str()) == 1
                : SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name.data()) == 1 &&
                      SSL_set1_host(ssl_, name.c_str()) == 1;
        if (!named || SSL_set_fd(ssl_, fd_) != 1)
        {
            error = "TLS: cannot set the collector's name " + name + ": " + tls::drain_openssl_errors();
            return false;
        }
        for (;;)
        {
            ERR_clear_error();
            const int rc = SSL_connect(ssl_);
            if (rc == 1)
            {
                return true;
            }
            const int e = SSL_get_error(ssl_, rc);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
            {
                const auto verify = SSL_get_verify_result(ssl_);
                error = verify != X509_V_OK
                            ? "TLS handshake: the collector's certificate is not trusted for " + name + ": " +
                                  X509_verify_cert_error_string(verify)
                            : tls_error("TLS handshake", e);
                return false;
            }
            if (!wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, cancelled, error))
            {
                error = "TLS handshake: " + error;
                return false;
            }
        }
    }

    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::uint64_t plain_out_ = 0;
};

// ---------------------------------------------------------------------------
// The audit files as a queue: complete lines in seq order from a position,
// across rotations. Holds the open file, so a rename does not lose it.
class spool
{
public:
    explicit spool(std::string dir) : dir_(std::move(dir)) {}
    ~spool() { close(); }
    spool(const spool&) = delete;
    spool& operator=(const spool&) = delete;

    // The next read starts at line `seq` (0: the oldest line in the folder),
    // which must chain from a line hashing to `prev_hex` (when not empty):
    // otherwise the log was started anew, and reading restarts at its oldest line.
    void rewind(std::uint64_t seq, std::string prev_hex)
    {
        close();
        next_seq_ = seq;
        expect_prev_ = std::move(prev_hex);
    }

    // Calls `fn` for the complete lines from the position on, until about
    // `max_bytes` were given or none is left. Returns the bytes given.
    std::size_t read(std::size_t max_bytes, const std::function<void(const envelope&, std::string_view)>& fn)
    {
        std::size_t given = 0;
        if (fd_ < 0 && !locate())
        {
            return 0;
        }
        for (;;)
        {
            std::size_t nl = 0;
            while (given < max_bytes && (nl = buf_.find('\n', pos_)) != std::string::npos)
            {
                const auto line = std::string_view(buf_).substr(pos_, nl - pos_);
                pos_ = nl + 1;
                if (skipping_)
                {
                    skipping_ = false;
                    continue;
                }
                const auto e = read_envelope(line);
                if (!e)
                {
                    if (!unreadable_logged_)
                    {
                        log::warning("audit_forward_line_skipped",
                                     {{"file", path_}, {"reason", "not a sekisho audit record"}});
                        unreadable_logged_ = true;
                    }
                    continue;
                }
                if (e->seq < next_seq_)
                {
                    continue;
                }
                if (!expect_prev_.empty() && e->seq == next_seq_ && e->prev != expect_prev_)
                {
                    log::warning("audit_forward_new_chain",
                                 {{"file", path_},
                                  {"seq", std::to_string(e->seq)},
                                  {"detail",
                                   "the line after the last one forwarded does not chain from it: "
                                   "sending the folder from its oldest line"}});
                    rewind(0, {});
                    return given;
                }
                expect_prev_.clear();
                if (e->seq > next_seq_)
                {
                    gap(next_seq_, e->seq);
                }
                fn(*e, line);
                given += line.size() + 1;
                next_seq_ = e->seq + 1;
            }
            if (given >= max_bytes)
            {
                return given;
            }
            buf_.erase(0, pos_);
            pos_ = 0;
            if (buf_.size() > max_line_bytes)
            {
                log::warning("audit_forward_line_skipped",
                             {{"file", path_}, {"reason", "longer than 1 MiB"}});
                buf_.clear();
                skipping_ = true;
            }
            const auto old = buf_.size();
            buf_.resize(old + read_chunk);
            const auto n = ::pread(fd_, buf_.data() + old, read_chunk, offset_);
            buf_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
            if (n > 0)
            {
                offset_ += n;
                continue;
            }
            if (n < 0)
            {
                log::error("audit_forward_read_failed",
                           {{"file", path_}, {"error", util::error_text(errno)}});
                close();
                return given;
            }
            if (struct stat st{}; ::fstat(fd_, &st) == 0 && st.st_size < offset_)
            {
                // Cut shorter under us (not by this version's writer, which
                // only ever removes a partial line at start-up): read again.
                log::warning("audit_forward_file_truncated", {{"file", path_}});
                close();
                return given;
            }
            if (current_)
            {
                // audit.log still ours: wait for the writer. Renamed (rotated):
                // read what was written before the rename, then go on.
                struct stat st
                {};
                if (::stat((dir_ + "/" + std::string(current_name)).c_str(), &st) == 0 && st.st_ino == ino_ &&
                    st.st_dev == dev_)
                {
                    return given;
                }
                current_ = false;
                continue;
            }
            close();
            if (!locate())
            {
                return given;
            }
        }
    }

    std::uint64_t next_seq() const { return next_seq_; }

private:
    struct file
    {
        std::string path;
        std::uint64_t first = 0;
        int fd = -1; // audit.log only: opened before the listing
    };

    void close()
    {
        if (fd_ >= 0)
        {
            ::close(fd_);
            fd_ = -1;
        }
        buf_.clear();
        pos_ = 0;
        offset_ = 0;
        skipping_ = false;
    }

    void gap(std::uint64_t from, std::uint64_t to)
    {
        log::warning(
            "audit_forward_gap",
            {{"missing_from", std::to_string(from)},
             {"missing_to", std::to_string(to - 1)},
             {"detail", "these lines are not in the audit folder (removed before they were forwarded)"}});
    }

    // The seq of the first (or last) complete line of an open file; 0 when it has none.
    static std::uint64_t edge_seq(int fd, bool last)
    {
        struct stat st
        {};
        if (::fstat(fd, &st) != 0 || st.st_size == 0)
        {
            return 0;
        }
        const auto size = static_cast<std::size_t>(st.st_size);
        const auto len = std::min(size, max_line_bytes);
        const auto from = last ? size - len : 0;
        std::string text(len, '\0');
        const auto n = ::pread(fd, text.data(), len, static_cast<off_t>(from));
        text.resize(static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        std::string_view line;
        if (last)
        {
            const auto end = text.rfind('\n');
            if (end == std::string::npos)
            {
                return 0;
            }
            const auto begin = text.rfind('\n', end == 0 ? 0 : end - 1);
            line = std::string_view(text).substr(begin == std::string::npos || end == 0 ? 0 : begin + 1);
            line = line.substr(0, line.find('\n'));
        }
        else
        {
            const auto end = text.find('\n');
            if (end == std::string::npos)
            {
                return 0;
            }
            line = std::string_view(text).substr(0, end);
        }
        const auto e = read_envelope(line);
        return e ? e->seq : 0;
    }

    // The files of the folder in seq order. audit.log is opened first, so
    // that a rotation meanwhile shows up in the listing that follows.
    std::vector<file> list()
    {
        std::vector<file> out;
        const auto current = dir_ + "/" + std::string(current_name);
        const int cfd = ::open(current.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat cst
        {};
        bool have_current = false;
        if (cfd >= 0)
        {
            ::fstat(cfd, &cst);
            if (const auto first = edge_seq(cfd, false); first != 0)
            {
                out.push_back({current, first, cfd});
                have_current = true;
            }
            else
            {
                ::close(cfd);
            }
        }
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
        {
            const auto name = entry.path().filename().string();
            const auto dash = name.rfind('-');
            if (!name.starts_with("audit-") || !name.ends_with(".log") || dash == std::string::npos)
            {
                continue;
            }
            const auto digits = std::string_view(name).substr(dash + 1, name.size() - dash - 1 - 4);
            std::uint64_t first = 0;
            const auto [p, err] = std::from_chars(digits.data(), digits.data() + digits.size(), first);
            struct stat st
            {};
            if (err != std::errc{} || p != digits.data() + digits.size() || first == 0 ||
                ::stat(entry.path().c_str(), &st) != 0 ||
                (have_current && st.st_ino == cst.st_ino && st.st_dev == cst.st_dev))
            {
                continue;
            }
            out.push_back({entry.path().string(), first, -1});
        }
        std::sort(out.begin(), out.end(), [](const file& a, const file& b) { return a.first < b.first; });
        return out;
    }

    // Opens the file holding line next_seq_; false when there is none yet.
    // (`depth` bounds the retries after a gap or a new chain.)
    bool locate(int depth = 0)
    {
        if (depth > 4)
        {
            return false;
        }
        auto files = list();
        const auto release = [&](std::size_t keep) {
            for (std::size_t i = 0; i < files.size(); ++i)
            {
                if (i != keep && files[i].fd >= 0)
                {
                    ::close(files[i].fd);
                }
            }
        };
        if (files.empty())
        {
            return false;
        }
        if (next_seq_ == 0)
        {
            next_seq_ = files.front().first;
            expect_prev_.clear();
        }
        std::size_t idx = 0;
        while (idx + 1 < files.size() && files[idx + 1].first <= next_seq_)
        {
            ++idx;
        }
        if (files[idx].first > next_seq_)
        {
            gap(next_seq_, files[idx].first);
            next_seq_ = files[idx].first;
            expect_prev_.clear();
        }
        int fd = files[idx].fd >= 0 ? files[idx].fd : ::open(files[idx].path.c_str(), O_RDONLY | O_CLOEXEC);
        files[idx].fd = fd;
        if (fd < 0)
        {
            log::error("audit_forward_read_failed",
                       {{"file", files[idx].path}, {"error", util::error_text(errno)}});
            release(files.size());
            return false;
        }
        const auto last = edge_seq(fd, true);
        if (last != 0 && last < next_seq_)
        {
            if (idx + 1 < files.size())
            {
                gap(next_seq_, files[idx + 1].first);
                next_seq_ = files[idx + 1].first;
                expect_prev_.clear();
                release(files.size());
                return locate(depth + 1);
            }
            if (last + 1 < next_seq_)
            {
                log::warning("audit_forward_new_chain",
                             {{"file", files[idx].path},
                              {"seq", std::to_string(last)},
                              {"detail",
                               "the newest line is older than the last one forwarded: sending the "
                               "folder from its oldest line"}});
                next_seq_ = 0;
                expect_prev_.clear();
                release(files.size());
                return locate(depth + 1);
            }
            release(files.size());
            return false; // the next line is not written yet
        }
        release(idx);
        fd_ = fd;
        struct stat st
        {};
        ::fstat(fd_, &st);
        ino_ = st.st_ino;
        dev_ = st.st_dev;
        path_ = files[idx].path;
        current_ = files[idx].path == dir_ + "/" + std::string(current_name);
        unreadable_logged_ = false;
        return true;
    }

    const std::string dir_;
    std::uint64_t next_seq_ = 0;
    std::string expect_prev_;
    int fd_ = -1;
    ino_t ino_ = 0;
    dev_t dev_ = 0;
    bool current_ = false;
    std::string path_;
    off_t offset_ = 0;
    std::string buf_;
    std::size_t pos_ = 0;
    bool skipping_ = false;
    bool unreadable_logged_ = false;
};

} // namespace

// ---------------------------------------------------------------------------
struct forwarder::impl
{
    impl(const config::audit_forward_settings& s, std::string directory, std::string host)
        : settings_(s), fallback_host_(syslog_host(std::move(host))), procid_(std::to_string(::getpid())),
          collector_(s.address.is_v4() ? s.address.to_string() + ":" + std::to_string(s.port)
                                       : "[" + s.address.to_string() + "]:" + std::to_string(s.port)),
          spool_(std::move(directory))
    {
        load_state();
        shown_.forwarded_seq = confirmed_;
        shown_.sent_seq = confirmed_;
    }

    void run();
    bool cancelled() const
    {
        return stopping_.load() && steady::now().time_since_epoch().count() >= deadline_.load();
    }
    void load_state();
    void save_state(steady::time_point now, bool force);
    void connect(steady::time_point now);
    void disconnect(const std::string& why, steady::time_point now);
    bool pump();
    void check_acks(steady::time_point now);
    void publish();
    void back_off(steady::time_point now)
    {
        backoff_ = backoff_ == milliseconds(0)
                       ? std::min(milliseconds(first_backoff), settings_.reconnect_max)
                       : std::min(backoff_ * 2, settings_.reconnect_max);
        next_attempt_ = now + backoff_;
    }

    const config::audit_forward_settings settings_;
    const std::string fallback_host_;
    const std::string procid_;
    const std::string collector_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool notified_ = false;
    bool stop_called_ = false;
    bool stop_seen_ = false; // the thread has woken for the stop
    forwarder_status shown_;
    std::atomic<bool> stopping_{false};
    std::atomic<steady::rep> deadline_{0};
    std::thread thread_;

    // The thread's own.
    connection link_;
    spool spool_;
    std::uint64_t confirmed_ = 0;
    std::string confirmed_hash_; // of line confirmed_; empty: nothing forwarded yet
    std::uint64_t saved_ = 0;
    std::string saved_hash_;
    steady::time_point last_save_{};
    std::uint64_t sent_ = 0;
    std::string sent_hash_;
    // Batches written, by the socket byte position where each ends, until
    // ACKed; then ACKed batches waiting out confirm_settle.
    struct batch
    {
        std::uint64_t end = 0;
        std::uint64_t seq = 0;
        std::string hash;
        steady::time_point acked_at{};
    };
    std::deque<batch> in_flight_;
    std::deque<batch> acked_;
    std::string out_;
    std::string last_error_;
    std::string logged_error_;
    std::uint64_t reconnects_ = 0;
    bool ever_connected_ = false;
    milliseconds backoff_{0};
    steady::time_point next_attempt_{};
};

void forwarder::impl::load_state()
{
    std::error_code ec;
    if (!std::filesystem::exists(settings_.state_file, ec))
    {
        return; // never forwarded: from the oldest line in the folder
    }
    std::string text;
    util::fd_guard fd(::open(settings_.state_file.c_str(), O_RDONLY | O_CLOEXEC));
    char buf[1024];
    ssize_t n = 0;
    while (fd.get() >= 0 && (n = ::read(fd.get(), buf, sizeof buf)) > 0 && text.size() < 4096)
    {
        text.append(buf, static_cast<std::size_t>(n));
    }
    boost::system::error_code jec;
    const auto v = boost::json::parse(text, jec);
    const auto* o = jec ? nullptr : v.if_object();
    const auto* seq = o != nullptr ? o->if_contains("forwarded_seq") : nullptr;
    const auto* hash = o != nullptr ? o->if_contains("line_hash") : nullptr;
    if (fd.get() < 0 || seq == nullptr || !seq->is_number() || hash == nullptr || !hash->is_string())
    {
        log::error("audit_forward_state_unreadable",
                   {{"file", settings_.state_file},
                    {"error", fd.get() < 0 ? util::error_text(errno) : "not a forwarding state file"},
                    {"detail", "sending the audit folder from its oldest line"}});
        return;
    }
    confirmed_ = seq->to_number<std::uint64_t>(jec);
    confirmed_hash_ = std::string(hash->get_string());
    if (jec)
    {
        confirmed_ = 0;
        confirmed_hash_.clear();
    }
    saved_ = confirmed_;
    saved_hash_ = confirmed_hash_;
}

void forwarder::impl::save_state(steady::time_point now, bool force)
{
    if ((confirmed_ == saved_ && confirmed_hash_ == saved_hash_) ||
        (!force && now < last_save_ + state_save_interval))
    {
        return;
    }
    last_save_ = now;
    const auto text =
        "{\"forwarded_seq\":" + std::to_string(confirmed_) + ",\"line_hash\":\"" + confirmed_hash_ + "\"}\n";
    std::string why;
    if (!util::replace_file(settings_.state_file, text, {.mode = 0640}, &why))
    {
        if (why != logged_error_)
        {
            log::error("audit_forward_state_unwritable", {{"file", settings_.state_file}, {"error", why}});
            logged_error_ = why;
        }
        last_error_ = "state file: " + why;
        return;
    }
    saved_ = confirmed_;
    saved_hash_ = confirmed_hash_;
}

void forwarder::impl::connect(steady::time_point now)
{
    std::string why;
    if (!link_.connect(
            settings_, [this] { return cancelled(); }, why))
    {
        link_.close();
        last_error_ = why;
        back_off(now);
        if (why != logged_error_)
        {
            log::warning("audit_forward_connect_failed",
                         {{"collector", collector_},
                          {"error", why},
                          {"retry_ms", std::to_string(backoff_.count())},
                          {"forwarded_seq", std::to_string(confirmed_)}});
            logged_error_ = why;
        }
        return;
    }
    if (ever_connected_)
    {
        ++reconnects_;
    }
    ever_connected_ = true;
    logged_error_.clear();
    // Everything not confirmed is sent again.
    spool_.rewind(confirmed_hash_.empty() ? 0 : confirmed_ + 1, confirmed_hash_);
    sent_ = confirmed_;
    sent_hash_ = confirmed_hash_;
    in_flight_.clear();
    acked_.clear();
    log::info("audit_forward_connected",
              {{"collector", collector_},
               {"transport", settings_.tls ? "tls" : "tcp"},
               {"from_seq", std::to_string(confirmed_ + 1)}});
}

void forwarder::impl::disconnect(const std::string& why, steady::time_point now)
{
    link_.close();
    in_flight_.clear();
    acked_.clear();
    last_error_ = why;
    back_off(now);
    logged_error_ = why;
    log::warning("audit_forward_disconnected",
                 {{"collector", collector_},
                  {"error", why},
                  {"forwarded_seq", std::to_string(confirmed_)},
                  {"sent_seq", std::to_string(sent_)},
                  {"retry_ms", std::to_string(backoff_.count())}});
}

bool forwarder::impl::pump()
{
    out_.clear();
    std::uint64_t last_seq = 0;
    std::size_t last_at = 0;
    std::size_t last_size = 0;
    const auto given = spool_.read(batch_bytes, [&](const envelope& e, std::string_view line) {
        append_message(out_, e, line, fallback_host_, settings_.app_name, procid_);
        last_seq = e.seq;
        last_at = out_.size() - line.size();
        last_size = line.size();
    });
    if (out_.empty())
    {
        return false;
    }
    std::string why;
    if (!link_.write_all(
            out_, [this] { return cancelled(); }, why))
    {
        disconnect(why, steady::now());
        return false;
    }
    sent_ = last_seq;
    sent_hash_ = to_hex(line_hash(std::string_view(out_).substr(last_at, last_size)));
    in_flight_.push_back({link_.bytes_out(), sent_, sent_hash_, {}});
    return given >= batch_bytes;
}

void forwarder::impl::check_acks(steady::time_point now)
{
    const auto acked = link_.acked();
    if (!acked)
    {
        return; // not established any more: the next read reports why
    }
    while (!in_flight_.empty() && in_flight_.front().end <= *acked)
    {
        in_flight_.front().acked_at = now;
        acked_.push_back(std::move(in_flight_.front()));
        in_flight_.pop_front();
    }
    while (!acked_.empty() && now >= acked_.front().acked_at + confirm_settle)
    {
        confirmed_ = acked_.front().seq;
        confirmed_hash_ = std::move(acked_.front().hash);
        acked_.pop_front();
        backoff_ = milliseconds(0); // this connection works
    }
}

void forwarder::impl::publish()
{
    std::lock_guard lock(mutex_);
    shown_.connected = link_.open();
    shown_.forwarded_seq = confirmed_;
    shown_.sent_seq = sent_;
    shown_.last_error = last_error_;
    shown_.reconnects = reconnects_;
}

void forwarder::impl::run()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    spool_.rewind(confirmed_hash_.empty() ? 0 : confirmed_ + 1, confirmed_hash_);
    for (;;)
    {
        auto now = steady::now();
        const bool stopping = stopping_.load();
        const auto deadline = steady::time_point(steady::duration(deadline_.load()));
        if (stopping && (now >= deadline || (!link_.open() && next_attempt_ >= deadline)))
        {
            break;
        }
        if (!link_.open() && now >= next_attempt_)
        {
            connect(now);
        }
        bool busy = false;
        if (link_.open())
        {
            check_acks(now);
            busy = pump();
            std::string why;
            if (link_.open() && !link_.peer_alive(why))
            {
                disconnect(why, steady::now());
            }
            now = steady::now();
            if (link_.open())
            {
                check_acks(now);
            }
            if (stopping && link_.open() && !busy)
            {
                // Everything written is sent: end the connection in order;
                // the collector's close confirms all of it at once.
                if (link_.finish(deadline))
                {
                    confirmed_ = sent_;
                    confirmed_hash_ = sent_hash_;
                }
                link_.close();
                break;
            }
        }
        save_state(now, false);
        publish();
        if (!busy)
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, stopping ? milliseconds(20) : milliseconds(poll_interval), [this] {
                return notified_ || (stopping_.load() && !stop_seen_);
            });
            notified_ = false;
            stop_seen_ = stopping_.load();
        }
    }
    link_.close();
    save_state(steady::now(), true);
    publish();
    log::info("audit_forward_stopped",
              {{"collector", collector_},
               {"forwarded_seq", std::to_string(confirmed_)},
               {"sent_seq", std::to_string(sent_)}});
}

forwarder::forwarder(const config::audit_forward_settings& settings, std::string directory, std::string host)
    : impl_(std::make_unique<impl>(settings, std::move(directory), std::move(host)))
{}

forwarder::~forwarder()
{
    stop(milliseconds(0));
}

void forwarder::start()
{
    std::lock_guard lock(impl_->mutex_);
    if (!impl_->thread_.joinable() && !impl_->stop_called_)
    {
        impl_->thread_ = std::thread([p = impl_.get()] { p->run(); });
    }
}

void forwarder::notify()
{
    std::lock_guard lock(impl_->mutex_);
    impl_->notified_ = true;
    impl_->wake_.notify_one();
}

void forwarder::stop(std::chrono::milliseconds catch_up)
{
    {
        std::lock_guard lock(impl_->mutex_);
        if (impl_->stop_called_)
        {
            return;
        }
        impl_->stop_called_ = true;
        impl_->deadline_ = (steady::now() + catch_up).time_since_epoch().count();
        impl_->stopping_ = true;
        impl_->wake_.notify_one();
    }
    if (impl_->thread_.joinable())
    {
        impl_->thread_.join();
    }
}

forwarder_status forwarder::status() const
{
    std::lock_guard lock(impl_->mutex_);
    return impl_->shown_;
}

} // namespace sekisho::audit
