#include "harness/rsyslog.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::test {

namespace {

// Whether a TCP socket listens on 127.0.0.1:port (from /proc/net/tcp, so
// that rsyslog's TLS listeners are not disturbed by probe connections).
bool listening(std::uint16_t port)
{
    std::ifstream in("/proc/net/tcp");
    std::string line;
    char wanted[32];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", static_cast<unsigned>(port));
    while (std::getline(in, line))
    {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (local == wanted && state == "0A")
        {
            return true;
        }
    }
    return false;
}

std::string rsyslogd()
{
    // Under /usr/sbin, which a test runner's PATH may lack.
    return ::access("/usr/sbin/rsyslogd", X_OK) == 0 ? "/usr/sbin/rsyslogd" : "rsyslogd";
}

std::uint16_t another_port(const std::set<std::uint16_t>& taken)
{
    for (int attempt = 0; attempt < 20; ++attempt)
    {
        const auto p = free_loopback_port();
        if (!taken.contains(p))
        {
            return p;
        }
    }
    throw std::runtime_error("no free loopback port");
}

} // namespace

rsyslog_collector::rsyslog_collector(const std::string& pki, bool start_now) : pki_(pki)
{
    tcp_port_ = another_port({});
    tls_port_ = another_port({tcp_port_});
    tls_client_cert_port_ = another_port({tcp_port_, tls_port_});
    ::mkdir(dir_.file("work").c_str(), 0700);
    const auto tls = [&](std::uint16_t port, const char* auth_mode, const std::string& ca) {
        return "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + std::to_string(port) +
               "\" ruleset=\"collect\"\n"
               "      streamDriver.name=\"ossl\" streamDriver.mode=\"1\" streamDriver.authMode=\"" +
               auth_mode + "\"\n      streamDriver.CAFile=\"" + ca + "\" streamDriver.CertFile=\"" + pki_ +
               "/server.pem\" streamDriver.KeyFile=\"" + pki_ + "/server.key\")\n";
    };
    // %msg% of an RFC 5424 message is the MSG part exactly (no leading
    // space); nothing in an audit line needs escaping (JSON has no raw
    // control characters), and UTF-8 passes unchanged.
    write_file(dir_.file("rsyslog.conf"),
               "global(workDirectory=\"" + dir_.file("work") +
                   "\" maxMessageSize=\"1m\")\n"
                   "module(load=\"imtcp\")\n"
                   "template(name=\"audit_line\" type=\"string\" string=\"%msg%\\n\")\n"
                   "template(name=\"header\" type=\"string\" "
                   "string=\"%pri% %hostname% %app-name% %procid% %msgid%\\n\")\n"
                   "ruleset(name=\"collect\") {\n"
                   "  action(type=\"omfile\" file=\"" +
                   dir_.file("collected.log") +
                   "\" template=\"audit_line\")\n"
                   "  action(type=\"omfile\" file=\"" +
                   dir_.file("headers.log") +
                   "\" template=\"header\")\n"
                   "}\n"
                   "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" +
                   std::to_string(tcp_port_) + "\" ruleset=\"collect\")\n" +
                   tls(tls_port_, "anon", pki_ + "/server-ca.pem") +
                   tls(tls_client_cert_port_, "x509/certvalid", pki_ + "/device-ca.pem"));
    const auto checked =
        run({rsyslogd(), "-N1", "-f", dir_.file("rsyslog.conf")}, dir_, std::chrono::seconds(20));
    BOOST_REQUIRE_MESSAGE(checked.exit_code == 0, "rsyslogd -N1 rejects the configuration: " << checked.err);
    if (start_now)
    {
        start();
    }
}

rsyslog_collector::~rsyslog_collector()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGTERM);
        process_->wait_for(std::chrono::seconds(10));
    }
}

void rsyslog_collector::start()
{
    BOOST_REQUIRE_MESSAGE(!process_ || !process_->running(), "rsyslogd is already running");
    ++starts_;
    const auto n = std::to_string(starts_);
    process_ = std::make_unique<process>(
        std::vector<std::string>{
            rsyslogd(), "-n", "-f", dir_.file("rsyslog.conf"), "-i", dir_.file("rsyslogd.pid")},
        dir_.file("stdout-" + n + ".log"),
        dir_.file("stderr-" + n + ".log"));
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    const auto up = [&] {
        return listening(tcp_port_) && listening(tls_port_) && listening(tls_client_cert_port_);
    };
    while (!up() && std::chrono::steady_clock::now() < until && process_->running())
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_REQUIRE_MESSAGE(up(), "rsyslogd did not start: " << diagnostics());
}

void rsyslog_collector::stop()
{
    if (process_ && process_->running())
    {
        process_->signal(SIGTERM);
        BOOST_REQUIRE_MESSAGE(process_->wait_for(std::chrono::seconds(20)).has_value(),
                              "rsyslogd did not stop within 20 s");
    }
}

bool rsyslog_collector::running()
{
    return process_ && process_->running();
}

std::vector<std::string> rsyslog_collector::lines() const
{
    return complete_lines(read_file(dir_.file("collected.log")));
}

std::vector<std::string> rsyslog_collector::headers() const
{
    return complete_lines(read_file(dir_.file("headers.log")));
}

std::vector<std::string> rsyslog_collector::complete_lines(const std::string& text)
{
    std::vector<std::string> out;
    std::size_t from = 0;
    for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from))
    {
        out.push_back(text.substr(from, nl - from));
        from = nl + 1;
    }
    return out;
}

std::string rsyslog_collector::diagnostics() const
{
    std::string out;
    for (int i = 1; i <= starts_; ++i)
    {
        out += read_file(dir_.file("stderr-" + std::to_string(i) + ".log"));
    }
    return out;
}

} // namespace sekisho::test
