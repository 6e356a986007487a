#include "harness/dnsmasq.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::test {

dns_server::dns_server(const std::vector<std::pair<std::string, std::string>>& records, unsigned ttl)
{
    ::chmod(dir_.path().c_str(), 0777); // dnsmasq drops to `nobody` and logs here
    port_ = free_loopback_port();
    std::vector<std::string> argv{"dnsmasq",
                                  "--keep-in-foreground",
                                  "--no-resolv",
                                  "--no-hosts",
                                  "--bind-interfaces",
                                  "--listen-address=127.0.0.1",
                                  "--port=" + std::to_string(port_),
                                  "--local-ttl=" + std::to_string(ttl),
                                  "--log-queries",
                                  "--log-facility=" + dir_.file("queries.log"),
                                  "--pid-file=" + dir_.file("dnsmasq.pid")};
    for (const auto& [name, address] : records)
    {
        argv.push_back("--host-record=" + name + "," + address);
    }
    process_ = std::make_unique<process>(argv, dir_.file("stdout.log"), dir_.file("stderr.log"));
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (read_file(dir_.file("queries.log")).find("started") == std::string::npos &&
           std::chrono::steady_clock::now() < until && process_->running())
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_REQUIRE_MESSAGE(process_->running(),
                          "dnsmasq did not start: " << read_file(dir_.file("stderr.log")));
}

dns_server::~dns_server()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGTERM);
        process_->wait_for(std::chrono::seconds(5));
    }
}

std::size_t dns_server::queries_for(const std::string& name) const
{
    const auto log = read_file(dir_.file("queries.log"));
    const auto needle = "query[A] " + name + " ";
    std::size_t n = 0;
    for (auto pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1))
    {
        ++n;
    }
    return n;
}

} // namespace sekisho::test
