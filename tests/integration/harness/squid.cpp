#include "harness/squid.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdio>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::test {

namespace {

bool accepts(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

} // namespace

squid_proxy::squid_proxy(const std::vector<std::string>& hosts,
                         const std::string& user,
                         const std::string& password,
                         bool tls)
{
    // Squid drops to user `proxy`, which must write its logs here.
    ::chmod(dir_.path().c_str(), 0777);
    port_ = free_loopback_port();
    std::string hosts_text;
    for (const auto& h : hosts)
    {
        hosts_text += h + "\n";
    }
    write_file(dir_.file("hosts"), hosts_text);
    const auto hashed = run({"openssl", "passwd", "-apr1", password}, dir_);
    BOOST_REQUIRE_MESSAGE(hashed.exit_code == 0, hashed.err);
    write_file(dir_.file("passwd"), user + ":" + hashed.out);
    const auto d = dir_.path();
    std::string listen = "http_port 127.0.0.1:" + std::to_string(port_) + "\n";
    if (tls)
    {
        const auto made = run({"openssl",
                               "req",
                               "-x509",
                               "-newkey",
                               "ec",
                               "-pkeyopt",
                               "ec_paramgen_curve:P-256",
                               "-nodes",
                               "-days",
                               "2",
                               "-subj",
                               "/CN=security-cloud.test",
                               "-addext",
                               "subjectAltName=DNS:security-cloud.test,IP:127.0.0.1",
                               "-keyout",
                               dir_.file("key.pem"),
                               "-out",
                               dir_.file("cert.pem")},
                              dir_);
        BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.err);
        ::chmod(dir_.file("key.pem").c_str(), 0644); // read by user `proxy`; a test key
        listen = "https_port 127.0.0.1:" + std::to_string(port_) + " tls-cert=" + dir_.file("cert.pem") +
                 " tls-key=" + dir_.file("key.pem") + "\n";
    }
    write_file(dir_.file("squid.conf"),
               listen + "pid_filename " + d +
                   "/squid.pid\n"
                   "access_log stdio:" +
                   d + "/access.log squid\ncache_log " + d +
                   "/cache.log\ncache_store_log none\ncache deny all\nhosts_file " + d +
                   "/hosts\ncoredump_dir " + d +
                   "\nshutdown_lifetime 0 seconds\ncache_effective_user proxy\n"
                   "auth_param basic program /usr/lib/squid/basic_ncsa_auth " +
                   d +
                   "/passwd\nauth_param basic realm security-cloud\n"
                   "acl authed proxy_auth REQUIRED\nacl CONNECT method CONNECT\n"
                   "http_access allow CONNECT authed\nhttp_access deny all\n");
    for (const char* f : {"hosts", "passwd", "squid.conf"})
    {
        ::chmod(dir_.file(f).c_str(), 0644);
    }
    process_ =
        std::make_unique<process>(std::vector<std::string>{"squid", "-N", "-f", dir_.file("squid.conf")},
                                  dir_.file("stdout.log"),
                                  dir_.file("stderr.log"));
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!accepts(port_) && std::chrono::steady_clock::now() < until && process_->running())
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_REQUIRE_MESSAGE(accepts(port_),
                          "squid did not start: " << read_file(dir_.file("stderr.log"))
                                                  << read_file(dir_.file("cache.log")));
}

squid_proxy::~squid_proxy()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGTERM);
        process_->wait_for(std::chrono::seconds(10));
    }
}

std::string squid_proxy::access_log() const
{
    // Squid writes its log line when a tunnel ends.
    return read_file(dir_.file("access.log"));
}

} // namespace sekisho::test
