#pragma once
// Real Redis for the integration tests (Debian's redis-server 7.0): servers
// on free loopback ports with ACL users written in their configuration,
// optional TLS, replicas, and Sentinels (redis-server --sentinel) watching a
// primary, for the shared session store (issue #10). No persistence: a
// server stopped and started again on the same port comes back empty.
//
// The harness speaks to every server as its own ACL user (`harness`, every
// key and command) on a plain loopback port, also when the server's clients
// must use TLS, so that tests can look at what the store wrote.

#include "daemon/redis/resp.hpp"
#include "harness/process.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::test {

// A blocking connection to 127.0.0.1:port that sends commands and reads
// parsed replies. Never throws and never fails the test: a refused
// connection, a timeout (5 s per reply), a closed connection or bytes that
// are not RESP come back as an error value whose text starts "harness: ".
class redis_connection
{
public:
    explicit redis_connection(std::uint16_t port);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    bool ok() const { return fd_ >= 0; }
    bool send(const std::string& bytes);
    // The next reply; reads `chunk` bytes at a time so that replies arrive
    // in pieces and are parsed again from their start.
    redis::value next(std::size_t chunk = 4096);
    redis::value call(std::initializer_list<std::string_view> args);
    redis::value call(const std::vector<std::string>& args);

private:
    int fd_ = -1;
    std::string buffer_;
};

struct redis_user
{
    std::string name;
    std::string password;
    std::string rules = "~* &* +@all"; // ACL rules after `on >password`
};

struct redis_options
{
    // `default`: on without a password (every right), or off.
    bool default_nopass = true;
    // More ACL users, e.g. {"sekishod", "..."}.
    std::vector<redis_user> users;
    // TLS: the server's certificate and key and the CA of its clients
    // (tls-ca-cert-file). When set, port() is the TLS port (tls-auth-clients
    // no) and the plain port is for the harness only.
    std::string tls_cert;
    std::string tls_key;
    std::string tls_ca;
    // A replica of the server on 127.0.0.1:replica_of (0: a primary).
    std::uint16_t replica_of = 0;
};

class redis_server
{
public:
    // Starts redis-server and waits (at most 10 s) until it answers PING; a
    // failed test when it does not.
    explicit redis_server(redis_options options = {});
    ~redis_server(); // SIGKILL if still running
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    // The port its clients use (TLS when options.tls_cert is set).
    std::uint16_t port() const { return options_.tls_cert.empty() ? plain_port_ : tls_port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port()); }

    // SIGTERM, and wait (at most 10 s) until it has exited.
    void stop();
    // SIGKILL, and wait until it has gone.
    void kill9();
    // Starts it again on the same ports with the same configuration (empty:
    // no persistence) and waits until it answers.
    void start();
    bool running();
    // SIGSTOP / SIGCONT: a server that accepts connections (the kernel
    // does) but answers nothing, like one that hangs.
    void pause();
    void resume();

    // One command as the harness user on a fresh connection (after SELECT
    // `database`), e.g. command({"SET", "k", "v"}); an error value
    // "harness: ..." when the server cannot be reached.
    redis::value command(const std::vector<std::string>& args, unsigned database = 0) const;
    // `ROLE`'s first item: "master" or "slave" (empty when unreachable).
    std::string role() const;
    // The keys matching `pattern` (KEYS), sorted.
    std::vector<std::string> keys(const std::string& pattern = "*", unsigned database = 0) const;
    // redis-server's log, for failure messages.
    std::string log() const;

private:
    void launch();

    temp_dir dir_;
    redis_options options_;
    std::uint16_t plain_port_ = 0;
    std::uint16_t tls_port_ = 0;
    std::unique_ptr<process> process_;
};

struct sentinel_options
{
    std::string master_name = "sekisho";
    std::uint16_t master_port = 0; // the primary on 127.0.0.1
    unsigned quorum = 2;
    std::chrono::milliseconds down_after{1000};
    std::chrono::milliseconds failover_timeout{3000};
};

// A Sentinel (redis-server --sentinel) watching one primary. Several of them
// find each other through the primary; wait_for_peers() tells when they have.
class redis_sentinel
{
public:
    explicit redis_sentinel(sentinel_options options);
    ~redis_sentinel();
    redis_sentinel(const redis_sentinel&) = delete;
    redis_sentinel& operator=(const redis_sentinel&) = delete;

    std::uint16_t port() const { return port_; }
    redis::value command(const std::vector<std::string>& args) const;
    // SENTINEL get-master-addr-by-name: the primary's port (0: unknown).
    std::uint16_t master_port() const;
    // Until it knows `sentinels` other sentinels and `replicas` replicas of
    // the primary (false after the timeout).
    bool wait_for_peers(std::size_t sentinels, std::size_t replicas, std::chrono::milliseconds timeout) const;
    std::string log() const;

private:
    temp_dir dir_;
    sentinel_options options_;
    std::uint16_t port_ = 0;
    std::unique_ptr<process> process_;
};

// A throwaway PKI for Redis with TLS, made by scripts/mkpki into dir/pki:
// server-ca.pem signs server.pem/.key (DNS:localhost, IP:127.0.0.1);
// rogue-ca.pem is a CA that signed neither.
struct redis_pki
{
    std::string dir;
    std::string ca() const { return dir + "/server-ca.pem"; }
    std::string cert() const { return dir + "/server.pem"; }
    std::string key() const { return dir + "/server.key"; }
    std::string wrong_ca() const { return dir + "/rogue-ca.pem"; }
};
redis_pki make_redis_pki(const temp_dir& dir);

} // namespace sekisho::test
