#include "harness/redis.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
#include <sstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sekisho::test {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr auto start_timeout = 10s;
constexpr auto stop_timeout = 10s;
constexpr auto reply_timeout = 5s;

// The harness's own ACL user on every server (and replication's).
constexpr const char* harness_user = "harness";
constexpr const char* harness_password = "harness-8c1f";

redis::value failure(const std::string& what)
{
    redis::value v;
    v.kind = redis::kind::error;
    v.text = "harness: " + what;
    return v;
}

// One command on a fresh connection, after AUTH when `auth` and SELECT
// when `database` is not 0.
redis::value
one_command(std::uint16_t port, const std::vector<std::string>& args, bool auth, unsigned database = 0)
{
    redis_connection c(port);
    if (!c.ok())
    {
        return failure("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    if (auth)
    {
        const auto a = c.call({"AUTH", harness_user, harness_password});
        if (a.is_error())
        {
            return a;
        }
    }
    if (database != 0)
    {
        const auto d = std::to_string(database);
        const auto selected = c.call({"SELECT", d});
        if (selected.is_error())
        {
            return selected;
        }
    }
    return c.call(args);
}

std::string server_config(const redis_options& o,
                          std::uint16_t plain_port,
                          std::uint16_t tls_port,
                          const std::string& dir)
{
    std::ostringstream c;
    c << "bind 127.0.0.1\n"
         "port "
      << plain_port
      << "\n"
         "save \"\"\n"
         "appendonly no\n"
         // A replica's first sync starts at once (7.0 waits 5 s for more).
         "repl-diskless-sync-delay 0\n"
         "dir "
      << dir << "\n";
    if (!o.tls_cert.empty())
    {
        c << "tls-port " << tls_port << "\ntls-cert-file " << o.tls_cert << "\ntls-key-file " << o.tls_key
          << "\ntls-ca-cert-file " << (o.tls_ca.empty() ? o.tls_cert : o.tls_ca) << "\ntls-auth-clients no\n";
    }
    c << (o.default_nopass ? "user default on nopass ~* &* +@all\n" : "user default off\n");
    c << "user " << harness_user << " on >" << harness_password << " ~* &* +@all\n";
    for (const auto& u : o.users)
    {
        c << "user " << u.name << " on >" << u.password << " " << u.rules << "\n";
    }
    if (o.replica_of != 0)
    {
        c << "replicaof 127.0.0.1 " << o.replica_of << "\nmasteruser " << harness_user << "\nmasterauth "
          << harness_password << "\n";
    }
    return c.str();
}

} // namespace

redis_connection::redis_connection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    {
        ::close(fd_);
        fd_ = -1;
    }
}

redis_connection::~redis_connection()
{
    if (fd_ >= 0)
    {
        ::close(fd_);
    }
}

bool redis_connection::send(const std::string& bytes)
{
    return fd_ >= 0 &&
           ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

redis::value redis_connection::next(std::size_t chunk)
{
    if (fd_ < 0)
    {
        return failure("not connected");
    }
    const auto end = steady::now() + reply_timeout;
    for (;;)
    {
        auto r = redis::parse_reply(std::span<const char>(buffer_.data(), buffer_.size()));
        if (r.state == redis::parse_state::invalid)
        {
            return failure("not RESP: " + r.error);
        }
        if (r.state == redis::parse_state::done)
        {
            buffer_.erase(0, r.length);
            return r.reply;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now()).count();
        if (left <= 0)
        {
            return failure("no reply within 5 s");
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000))) <= 0)
        {
            continue;
        }
        char buf[4096];
        const auto n = ::recv(fd_, buf, std::min(chunk, sizeof buf), MSG_DONTWAIT);
        if (n == 0)
        {
            return failure("connection closed");
        }
        if (n > 0)
        {
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }
}

redis::value redis_connection::call(std::initializer_list<std::string_view> args)
{
    if (!send(redis::encode_command(args)))
    {
        return failure("cannot send");
    }
    return next();
}

redis::value redis_connection::call(const std::vector<std::string>& args)
{
    const std::vector<std::string_view> views(args.begin(), args.end());
    if (!send(redis::encode_command(std::span<const std::string_view>(views))))
    {
        return failure("cannot send");
    }
    return next();
}

redis_server::redis_server(redis_options options) : options_(std::move(options))
{
    plain_port_ = free_loopback_port();
    if (!options_.tls_cert.empty())
    {
        do
        {
            tls_port_ = free_loopback_port();
        } while (tls_port_ == plain_port_);
    }
    write_file(dir_.file("redis.conf"), server_config(options_, plain_port_, tls_port_, dir_.path()));
    launch();
}

redis_server::~redis_server()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGKILL);
        process_->wait_for(stop_timeout);
    }
}

void redis_server::launch()
{
    process_ = std::make_unique<process>(std::vector<std::string>{"redis-server", dir_.file("redis.conf")},
                                         dir_.file("redis.out"),
                                         dir_.file("redis.err"));
    const bool up =
        eventually([&] { return !process_->running() || command({"PING"}).text == "PONG"; }, start_timeout);
    BOOST_REQUIRE_MESSAGE(up && process_->running(),
                          "redis-server did not start:\n"
                              << log() << "\nconfiguration:\n"
                              << read_file(dir_.file("redis.conf")));
}

void redis_server::stop()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGTERM);
        BOOST_REQUIRE_MESSAGE(process_->wait_for(stop_timeout).has_value(), "redis-server did not stop");
    }
}

void redis_server::kill9()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGKILL);
        BOOST_REQUIRE(process_->wait_for(stop_timeout).has_value());
    }
}

void redis_server::start()
{
    BOOST_REQUIRE_MESSAGE(!running(), "redis-server is already running");
    launch();
}

bool redis_server::running()
{
    return process_ && process_->running();
}

void redis_server::pause()
{
    BOOST_REQUIRE(running());
    process_->signal(SIGSTOP);
}

void redis_server::resume()
{
    if (process_)
    {
        process_->signal(SIGCONT);
    }
}

redis::value redis_server::command(const std::vector<std::string>& args, unsigned database) const
{
    return one_command(plain_port_, args, true, database);
}

std::string redis_server::role() const
{
    const auto r = command({"ROLE"});
    return r.items.empty() ? std::string() : r.items[0].text;
}

std::vector<std::string> redis_server::keys(const std::string& pattern, unsigned database) const
{
    std::vector<std::string> out;
    for (const auto& k : command({"KEYS", pattern}, database).items)
    {
        out.push_back(k.text);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string redis_server::log() const
{
    return read_file(dir_.file("redis.out")) + read_file(dir_.file("redis.err"));
}

redis_sentinel::redis_sentinel(sentinel_options options) : options_(std::move(options))
{
    port_ = free_loopback_port();
    const auto& o = options_;
    std::ostringstream c;
    c << "bind 127.0.0.1\n"
         "port "
      << port_ << "\ndir " << dir_.path() << "\nsentinel monitor " << o.master_name << " 127.0.0.1 "
      << o.master_port << " " << o.quorum << "\nsentinel auth-user " << o.master_name << " " << harness_user
      << "\nsentinel auth-pass " << o.master_name << " " << harness_password
      << "\nsentinel down-after-milliseconds " << o.master_name << " " << o.down_after.count()
      << "\nsentinel failover-timeout " << o.master_name << " " << o.failover_timeout.count()
      << "\nsentinel parallel-syncs " << o.master_name << " 1\n";
    // Sentinel rewrites its configuration file: it lives in our folder.
    write_file(dir_.file("sentinel.conf"), c.str());
    process_ = std::make_unique<process>(
        std::vector<std::string>{"redis-server", dir_.file("sentinel.conf"), "--sentinel"},
        dir_.file("sentinel.out"),
        dir_.file("sentinel.err"));
    const bool up =
        eventually([&] { return !process_->running() || command({"PING"}).text == "PONG"; }, start_timeout);
    BOOST_REQUIRE_MESSAGE(up && process_->running(), "redis-sentinel did not start:\n" << log());
}

redis_sentinel::~redis_sentinel()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGKILL);
        process_->wait_for(stop_timeout);
    }
}

redis::value redis_sentinel::command(const std::vector<std::string>& args) const
{
    return one_command(port_, args, false);
}

std::uint16_t redis_sentinel::master_port() const
{
    const auto r = command({"SENTINEL", "get-master-addr-by-name", options_.master_name});
    if (r.items.size() != 2U)
    {
        return 0;
    }
    try
    {
        return static_cast<std::uint16_t>(std::stoul(r.items[1].text));
    }
    catch (const std::exception&)
    {
        return 0;
    }
}

bool redis_sentinel::wait_for_peers(std::size_t sentinels,
                                    std::size_t replicas,
                                    std::chrono::milliseconds timeout) const
{
    return eventually(
        [&] {
            return command({"SENTINEL", "sentinels", options_.master_name}).items.size() >= sentinels &&
                   command({"SENTINEL", "replicas", options_.master_name}).items.size() >= replicas;
        },
        timeout);
}

std::string redis_sentinel::log() const
{
    return read_file(dir_.file("sentinel.out")) + read_file(dir_.file("sentinel.err"));
}

redis_pki make_redis_pki(const temp_dir& dir)
{
    redis_pki pki{dir.file("pki")};
    const auto r = run({std::string(SEKISHO_SOURCE_DIR) + "/scripts/mkpki", pki.dir}, dir);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "scripts/mkpki failed: " + r.err);
    return pki;
}

} // namespace sekisho::test
