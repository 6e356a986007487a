#include "harness/haproxy.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstring>
#include <sstream>
#include <thread>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace sekisho::test {

namespace {

using steady = std::chrono::steady_clock;

constexpr auto start_timeout = std::chrono::seconds(10);
constexpr auto admin_timeout = std::chrono::seconds(2);
constexpr auto stop_timeout = std::chrono::seconds(5);

std::string executable()
{
    // /usr/sbin is not on every user's PATH.
    return ::access("/usr/sbin/haproxy", X_OK) == 0 ? "/usr/sbin/haproxy" : "haproxy";
}

std::string config_text(const haproxy_options& o, std::uint16_t port, const std::string& socket_path)
{
    std::string per_server;
    if (o.proxy_version == 2)
    {
        per_server += " send-proxy-v2";
    }
    else if (o.proxy_version == 1)
    {
        per_server += " send-proxy";
    }
    if (o.checks)
    {
        per_server += " check inter 200ms fall 1 rise 1";
        if (o.proxy_version != 0)
        {
            per_server += " check-send-proxy";
        }
    }
    std::ostringstream c;
    c << "global\n"
         "    log stderr format raw local0 info\n"
         "    stats socket "
      << socket_path
      << " mode 600 level admin\n"
         "    nbthread 1\n"
         "defaults\n"
         "    mode tcp\n"
         "    log global\n"
         "    option tcplog\n"
         "    option redispatch\n"
         "    retries 1\n"
         "    timeout connect 1s\n"
         "    timeout client 30s\n"
         "    timeout server 30s\n"
         "    timeout check 1s\n"
         "frontend front\n"
         "    bind 127.0.0.1:"
      << port
      << "\n"
         "    default_backend servers\n"
         "backend servers\n"
         "    balance roundrobin\n";
    for (std::size_t i = 0; i < o.servers.size(); ++i)
    {
        c << "    server " << haproxy_balancer::server_name(i) << " " << o.servers[i] << per_server << "\n";
    }
    return c.str();
}

// One command on the admin socket (non-interactive: HAProxy answers, then
// closes). Empty when it cannot connect or does not answer in time.
std::string admin_command(const std::string& socket_path, const std::string& command)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
    {
        return {};
    }
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, socket_path.c_str(), sizeof a.sun_path - 1);
    std::string out;
    const auto line = command + "\n";
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size()))
    {
        const auto deadline = steady::now() + admin_timeout;
        char buf[8192];
        for (;;)
        {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
            pollfd p{fd, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
            {
                break;
            }
            const auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
            {
                break;
            }
            out.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

std::vector<std::string> csv_fields(const std::string& line)
{
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string f; std::getline(in, f, ',');)
    {
        out.push_back(f);
    }
    return out;
}

} // namespace

haproxy_balancer::haproxy_balancer(haproxy_options options)
{
    port_ = free_loopback_port();
    const auto socket_path = dir_.file("admin.sock");
    write_file(dir_.file("haproxy.cfg"), config_text(options, port_, socket_path));
    process_ = std::make_unique<process>(
        std::vector<std::string>{executable(), "-db", "-f", dir_.file("haproxy.cfg")},
        dir_.file("stdout.log"),
        dir_.file("stderr.log"));
    const auto until = steady::now() + start_timeout;
    while (admin_command(socket_path, "show info").empty() && steady::now() < until && process_->running())
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_REQUIRE_MESSAGE(process_->running() && !admin_command(socket_path, "show info").empty(),
                          "haproxy did not start:\n"
                              << log() << "\nconfiguration:\n"
                              << read_file(dir_.file("haproxy.cfg")));
}

haproxy_balancer::~haproxy_balancer()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGTERM);
        process_->wait_for(stop_timeout);
    }
}

std::string haproxy_balancer::admin(const std::string& command) const
{
    return admin_command(dir_.file("admin.sock"), command);
}

std::string haproxy_balancer::server_status(std::size_t index) const
{
    // "# pxname,svname,...,status,..." then one line per proxy and server.
    const auto lines = lines_of(admin("show stat"));
    if (lines.empty() || lines[0].rfind("# ", 0) != 0)
    {
        return {};
    }
    const auto header = csv_fields(lines[0].substr(2));
    std::size_t column = 0;
    while (column < header.size() && header[column] != "status")
    {
        ++column;
    }
    const auto name = server_name(index);
    for (std::size_t i = 1; i < lines.size(); ++i)
    {
        const auto f = csv_fields(lines[i]);
        if (f.size() > column && f[0] == "servers" && f[1] == name)
        {
            return f[column];
        }
    }
    return {};
}

bool haproxy_balancer::wait_for_status(std::size_t index,
                                       const std::string& status,
                                       std::chrono::milliseconds timeout) const
{
    return eventually([&] { return server_status(index) == status; }, timeout);
}

std::string haproxy_balancer::log() const
{
    return read_file(dir_.file("stderr.log"));
}

} // namespace sekisho::test
