// A real HAProxy in front of sekishod, as a deployment with several
// instances behind a load balancer runs it: the PROXY protocol header
// (send-proxy-v2, and v1 send-proxy) carries the teleworker's own address to
// the tunnel record and the audit log, with the balancer's in `via`; HAProxy's
// health checks (v2 LOCAL headers) are not mistaken for failed connections;
// one instance killed leaves the other's tunnels relaying and takes the new
// ones; and a sender that is not trusted, or a trusted one that sends no
// header or a malformed one, is closed with the reason logged.
//
// The client reaches HAProxy from 127.0.0.77, so the address sekishod reports
// can only have come from the header (HAProxy itself connects from 127.0.0.1).

#include "daemon/proto/proxy_header.hpp"
#include "harness/audit_log.hpp"
#include "harness/checks.hpp"
#include "harness/haproxy.hpp"
#include "harness/signin.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sekisho::test;

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// The teleworker's address: any 127/8 address is local on Linux.
constexpr const char* client_address = "127.0.0.77";

std::string cloud_url()
{
    return "http://files.cloud.test:" + std::to_string(world::get().cloud.port()) + "/";
}

std::string internet_of(const gateway& g)
{
    return "127.0.0.1:" + std::to_string(g.internet());
}

gateway_options proxied_options(const std::string& trusted)
{
    gateway_options o;
    o.listener_extra = "proxy_protocol:\n  trusted: [" + trusted + "]\n";
    return o;
}

// With the audit log (audit/ beside sekisho.yaml), keys made in `keys`.
gateway_options audited_options(const temp_dir& keys, const std::string& trusted)
{
    auto o = proxied_options(trusted);
    o.files.emplace_back("audit.key", make_audit_keys(keys).secret_text);
    o.extra_config += audit_section("audit", "audit.key");
    return o;
}

curl_result curl_from_client(std::uint16_t balancer_port)
{
    return curl_via(balancer_port, cloud_url(), "device-demo", {"--interface", client_address});
}

// The tunnel record whose peer is `peer`, waiting at most `timeout`.
std::optional<boost::json::object>
record_with_peer(const gateway& g, const std::string& peer, std::chrono::milliseconds timeout = 5s)
{
    std::optional<boost::json::object> found;
    eventually(
        [&] {
            for (auto& r : g.records())
            {
                if (str(r, "peer") == peer)
                {
                    found = std::move(r);
                    return true;
                }
            }
            return false;
        },
        timeout);
    return found;
}

// The audit tunnel_allowed event whose peer is `peer`.
std::optional<boost::json::object>
allowed_event_with_peer(const gateway& g, const std::string& peer, std::chrono::milliseconds timeout = 5s)
{
    std::optional<boost::json::object> found;
    eventually(
        [&] {
            for (auto& r : audit_events(g.dir().file("audit"), "tunnel_allowed"))
            {
                if (str(r, "peer") == peer)
                {
                    found = std::move(r);
                    return true;
                }
            }
            return false;
        },
        timeout);
    return found;
}

// Which of the instances (0 or 1) `holds` something (`holds` checks once),
// -1 when neither does within the timeout.
template <typename Holds>
int instance_holding(const gateway& a, const gateway& b, Holds holds, std::chrono::milliseconds timeout = 5s)
{
    int which = -1;
    eventually(
        [&] {
            which = holds(a) ? 0 : (holds(b) ? 1 : -1);
            return which >= 0;
        },
        timeout);
    return which;
}

std::size_t records_ending(const gateway& g, const std::string& cause)
{
    std::size_t n = 0;
    for (const auto& r : g.records())
    {
        n += str(r, "end") == cause ? 1U : 0U;
    }
    return n;
}

// "closed×3 health_check×40 ...": how the records so far ended, for
// failure messages (the log itself is long with 200 ms health checks).
std::string end_causes(const gateway& g)
{
    std::map<std::string, int> n;
    for (const auto& r : g.records())
    {
        ++n[str(r, "end") + (str(r, "detail").empty() ? "" : " (" + str(r, "detail") + ")")];
    }
    std::string out;
    for (const auto& [cause, count] : n)
    {
        out += cause + "×" + std::to_string(count) + "  ";
    }
    return out;
}

bool is_loopback_endpoint(const std::string& text)
{
    static const std::regex endpoint(R"(127\.0\.0\.1:[1-9][0-9]{0,4})");
    return std::regex_match(text, endpoint);
}

// A plain TCP connection from a chosen local address (the harness clients
// always connect from 127.0.0.1).
class source_bound_tcp
{
public:
    source_bound_tcp(const std::string& source, std::uint16_t port)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
        sockaddr_in remote{};
        remote.sin_family = AF_INET;
        remote.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
            ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0)
        {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~source_bound_tcp()
    {
        if (fd_ >= 0)
        {
            ::close(fd_);
        }
    }
    source_bound_tcp(const source_bound_tcp&) = delete;
    source_bound_tcp& operator=(const source_bound_tcp&) = delete;

    bool ok() const { return fd_ >= 0; }
    std::uint16_t local_port() const
    {
        sockaddr_in a{};
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        return ntohs(a.sin_port);
    }
    void send(const std::string& data) { ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL); }
    // Reads until `marker` has come, end of stream or the timeout.
    std::string recv_until(const std::string& marker, std::chrono::milliseconds timeout)
    {
        const auto deadline = steady::now() + timeout;
        std::string out;
        char buf[4096];
        while (out.find(marker) == std::string::npos)
        {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
            pollfd p{fd_, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
            {
                break;
            }
            const auto got = ::recv(fd_, buf, sizeof buf, 0);
            if (got <= 0)
            {
                break;
            }
            out.append(buf, static_cast<std::size_t>(got));
        }
        return out;
    }

private:
    int fd_ = -1;
};

// A v2 PROXY header: PROXY command, `family_protocol` (0x11 TCP over IPv4,
// 0x12 UDP over IPv4), source 10.9.8.7:40000, destination 127.0.0.1:443.
std::string v2_header(unsigned char family_protocol)
{
    std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
    h += '\x21';
    h += static_cast<char>(family_protocol);
    h += std::string("\x00\x0c", 2);
    h += std::string("\x0a\x09\x08\x07", 4);
    h += std::string("\x7f\x00\x00\x01", 4);
    h += std::string("\x9c\x40", 2); // 40000
    h += std::string("\x01\xbb", 2); // 443
    return h;
}

// Waits until `g` has more tunnel records ending with `cause` than
// `before`. (Not the log: sekishod writes at most one proxy_* warning a
// second per thread, with a count, so that a scan cannot flood the journal.)
bool recorded_more(const gateway& g, const std::string& cause, std::size_t before)
{
    return eventually([&] { return records_ending(g, cause) > before; }, 5s);
}

} // namespace

BOOST_AUTO_TEST_SUITE(haproxy)

// The harness itself, against the echo stand-in (no sekishod): what HAProxy
// sends is the client's address in a header sekishod's parser reads, then
// the client's bytes; a dead server is marked DOWN and skipped.
BOOST_AUTO_TEST_CASE(haproxy_sends_the_clients_address_in_a_proxy_header)
{
    const auto& w = world::get();
    const auto echo = "127.0.30.1:" + std::to_string(w.echo.port());
    const auto refused = "127.0.30.2:" + std::to_string(w.refused_port);
    for (const int version : {2, 1})
    {
        BOOST_TEST_CONTEXT("send-proxy v" << version)
        {
            haproxy_balancer h({{echo, refused}, version, true});
            BOOST_REQUIRE_MESSAGE(h.wait_for_status(1, "DOWN", 5s), h.server_status(1) << "\n" << h.log());
            BOOST_REQUIRE_MESSAGE(h.wait_for_status(0, "UP", 5s), h.server_status(0) << "\n" << h.log());
            for (int i = 0; i < 2; ++i)
            {
                source_bound_tcp c(client_address, h.port());
                BOOST_REQUIRE(c.ok());
                c.send("hello");
                // The echo server sends back what HAProxy sent it: header + "hello".
                const auto got = c.recv_until("hello", 5s);
                const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(got.data()),
                                                          got.size());
                const auto parsed = sekisho::proto::parse_proxy_header(bytes);
                BOOST_REQUIRE_MESSAGE(parsed.state == sekisho::proto::proxy_parse::done,
                                      "not a PROXY header: " << parsed.error << " in " << got.size()
                                                             << " bytes");
                const auto& hd = parsed.header;
                BOOST_TEST(hd.version == version);
                BOOST_TEST(!hd.local);
                BOOST_REQUIRE(hd.source.has_value());
                BOOST_TEST(hd.source->to_string() == client_address);
                BOOST_TEST(hd.source_port == c.local_port());
                BOOST_REQUIRE(hd.destination.has_value());
                BOOST_TEST(hd.destination->to_string() == "127.0.0.1");
                BOOST_TEST(hd.destination_port == h.port());
                BOOST_TEST(got.substr(hd.length) == "hello");
            }
        }
    }
}

// Six tunnels through HAProxy spread over two instances; each instance's
// tunnel record and audit event name the client (127.0.0.77 and its port)
// as the peer and HAProxy as `via`. HAProxy's health checks (a LOCAL header,
// then close) end as health_check and never as failed connections.
BOOST_AUTO_TEST_CASE(two_instances_record_the_clients_address_and_the_balancer)
{
    temp_dir keys;
    gateway a(audited_options(keys, "127.0.0.1"));
    gateway b(audited_options(keys, "127.0.0.1"));
    haproxy_balancer h({{internet_of(a), internet_of(b)}, 2, true});
    BOOST_REQUIRE_MESSAGE(h.wait_for_status(0, "UP", 5s) && h.wait_for_status(1, "UP", 5s),
                          h.server_status(0) << "/" << h.server_status(1) << "\n"
                                             << h.log() << "\n"
                                             << a.log());
    const gateway* instances[] = {&a, &b};
    int served[2] = {0, 0};
    for (int i = 0; i < 6; ++i)
    {
        BOOST_TEST_CONTEXT("tunnel " << i)
        {
            const auto r = curl_from_client(h.port());
            BOOST_REQUIRE_MESSAGE(r.connect_code == 200 && r.http_code == 200 && r.body == cloud_body,
                                  r.verbose << "\nhaproxy:\n"
                                            << h.log() << "\na:\n"
                                            << a.log() << "\nb:\n"
                                            << b.log());
            const auto peer = std::string(client_address) + ":" + std::to_string(r.local_port);
            const int which = instance_holding(
                a, b, [&](const gateway& g) { return record_with_peer(g, peer, 0ms).has_value(); });
            BOOST_REQUIRE_MESSAGE(which >= 0,
                                  "no tunnel record with peer " << peer << "\na:\n"
                                                                << a.log() << "\nb:\n"
                                                                << b.log());
            const auto rec = record_with_peer(*instances[which], peer, 0ms);
            ++served[which];
            BOOST_TEST(str(*rec, "decision") == "allow");
            BOOST_TEST(str(*rec, "end") == "closed");
            BOOST_TEST(num(*rec, "bytes_down") > 0);
            const auto via = str(*rec, "via");
            BOOST_TEST(is_loopback_endpoint(via), via);
            const auto event = allowed_event_with_peer(*instances[which], peer);
            BOOST_REQUIRE_MESSAGE(event, "no tunnel_allowed audit event with peer " << peer);
            BOOST_TEST(str(*event, "via") == via);
        }
    }
    BOOST_TEST_MESSAGE("tunnels served: a " << served[0] << ", b " << served[1]);
    BOOST_TEST(served[0] > 0);
    BOOST_TEST(served[1] > 0);
    BOOST_TEST(served[0] + served[1] == 6);
    for (const auto* g : instances)
    {
        // 200 ms checks: several have come and gone by now.
        BOOST_TEST(eventually([&] { return records_ending(*g, "health_check") >= 2U; }, 3s),
                   "records ended: " << end_causes(*g));
        for (const auto& r : g->records())
        {
            if (str(r, "end") == "health_check")
            {
                // A LOCAL header: the socket's own address stays the peer.
                BOOST_TEST(is_loopback_endpoint(str(r, "peer")), str(r, "peer"));
            }
        }
        const auto failed = audit_events(g->dir().file("audit"), "connection_failed");
        BOOST_TEST(failed.empty(),
                   failed.size() << " connection_failed audit events, the first: "
                                 << (failed.empty() ? std::string() : boost::json::serialize(failed[0])));
    }
}

// Long-lived tunnels through both instances; kill -9 one of them: its
// tunnels end, the survivor's keep relaying, and new tunnels all reach the
// survivor once HAProxy has marked the dead one DOWN.
BOOST_AUTO_TEST_CASE(killing_one_instance_leaves_the_others_tunnels_relaying)
{
    temp_dir keys;
    gateway a(audited_options(keys, "127.0.0.1"));
    gateway b(audited_options(keys, "127.0.0.1"));
    {
        haproxy_balancer h({{internet_of(a), internet_of(b)}, 2, true});
        BOOST_REQUIRE(h.wait_for_status(0, "UP", 5s) && h.wait_for_status(1, "UP", 5s));
        constexpr std::size_t tunnels = 4;
        std::vector<std::unique_ptr<tls_client>> clients;
        std::vector<int> on; // 0: a, 1: b
        for (std::size_t i = 0; i < tunnels; ++i)
        {
            tls_client_options from_client;
            from_client.source = client_address;
            auto c = std::make_unique<tls_client>(h.port(), from_client);
            BOOST_REQUIRE_MESSAGE(c->ok(), c->error() << "\n" << h.log());
            const auto head = c->connect(echo_target());
            BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
            const auto ping = "before-" + std::to_string(i);
            BOOST_REQUIRE(c->send(ping));
            BOOST_REQUIRE(c->recv_exactly(ping.size()) == ping);
            const auto peer = std::string(client_address) + ":" + std::to_string(c->local_port());
            const int which = instance_holding(
                a, b, [&](const gateway& g) { return allowed_event_with_peer(g, peer, 0ms).has_value(); });
            BOOST_REQUIRE_MESSAGE(which >= 0, "no tunnel_allowed with peer " << peer);
            on.push_back(which);
            clients.push_back(std::move(c));
        }
        BOOST_REQUIRE_MESSAGE(std::count(on.begin(), on.end(), 0) > 0 &&
                                  std::count(on.begin(), on.end(), 1) > 0,
                              "roundrobin did not use both instances");

        a.crash();
        for (std::size_t i = 0; i < tunnels; ++i)
        {
            BOOST_TEST_CONTEXT("tunnel " << i << " on "
                                         << (on[i] == 0 ? "the killed instance" : "the survivor"))
            {
                if (on[i] == 0)
                {
                    BOOST_TEST(clients[i]->closed_by_peer(5s));
                }
                else
                {
                    const auto more = "after-the-kill-" + std::to_string(i) + std::string(64 * 1024, 'x');
                    BOOST_TEST(clients[i]->send(more));
                    BOOST_TEST((clients[i]->recv_exactly(more.size(), 5s) == more));
                }
            }
        }

        BOOST_REQUIRE_MESSAGE(h.wait_for_status(0, "DOWN", 5s), h.server_status(0) << "\n" << h.log());
        for (int i = 0; i < 4; ++i)
        {
            // Bounded retry: a connection HAProxy had already sent to the
            // dead server before marking it down.
            curl_result r;
            for (int attempt = 0; attempt < 3 && r.connect_code != 200; ++attempt)
            {
                r = curl_from_client(h.port());
            }
            BOOST_REQUIRE_MESSAGE(r.connect_code == 200 && r.body == cloud_body,
                                  r.verbose << "\n"
                                            << h.log());
            const auto peer = std::string(client_address) + ":" + std::to_string(r.local_port);
            BOOST_TEST(record_with_peer(b, peer).has_value(), "the survivor has no record of " << peer);
        }
        // The survivor's tunnels, still open, end with the client.
        for (std::size_t i = 0; i < tunnels; ++i)
        {
            if (on[i] == 1)
            {
                clients[i]->shutdown_write();
                BOOST_TEST(clients[i]->closed_by_peer(5s));
            }
        }
    }
    BOOST_TEST(b.proc().running());
}

// A sekishod that trusts only 127.0.0.2: HAProxy (127.0.0.1) is closed
// before anything else, and so is a header sent straight from 127.0.0.1;
// the address it claims is never believed.
BOOST_AUTO_TEST_CASE(an_untrusted_sender_is_closed_without_a_tunnel)
{
    temp_dir keys;
    gateway g(audited_options(keys, "127.0.0.2"));
    {
        haproxy_balancer h({{internet_of(g)}, 2, false});
        const auto before = records_ending(g, "proxy_untrusted");
        const auto r = curl_from_client(h.port());
        BOOST_TEST(r.exit_code != 0);
        BOOST_TEST(r.connect_code != 200);
        BOOST_TEST(recorded_more(g, "proxy_untrusted", before), g.log());
    }
    {
        const auto before = records_ending(g, "proxy_untrusted");
        tcp_client c(g.internet());
        BOOST_REQUIRE(c.ok());
        c.send(v2_header(0x11));
        BOOST_TEST(c.closed_by_peer(5s));
        BOOST_TEST(recorded_more(g, "proxy_untrusted", before), g.log());
    }
    {
        const auto before = records_ending(g, "proxy_untrusted");
        tls_client c(g.internet());
        BOOST_TEST(!c.ok());
        BOOST_TEST(recorded_more(g, "proxy_untrusted", before), g.log());
    }
    BOOST_TEST(eventually([&] { return records_ending(g, "proxy_untrusted") >= 3U; }, 5s), g.log());
    BOOST_TEST(g.count_events("proxy_untrusted") >= 1U, g.log());
    for (const auto& r : g.records())
    {
        BOOST_TEST(str(r, "decision") != "allow");
        BOOST_TEST(str(r, "peer").rfind(client_address, 0) != 0, "an untrusted header was believed");
        BOOST_TEST(str(r, "peer").rfind("10.9.8.7", 0) != 0, "an untrusted header was believed");
    }
    BOOST_TEST(audit_events(g.dir().file("audit"), "tunnel_allowed").empty());
}

// A trusted sender must still send a header, and a valid one: direct TLS, a
// malformed v1 line and a v2 header for UDP are each closed and logged as
// proxy_invalid; silence, or half a header, is closed at the handshake
// deadline. The listener still serves HAProxy afterwards.
BOOST_AUTO_TEST_CASE(a_trusted_sender_without_a_valid_header_is_closed)
{
    gateway g(proxied_options("127.0.0.1"));
    {
        const auto before = records_ending(g, "proxy_invalid");
        tls_client c(g.internet());
        BOOST_TEST(!c.ok());
        BOOST_TEST(recorded_more(g, "proxy_invalid", before), g.log());
    }
    const std::pair<const char*, std::string> malformed[] = {
        {"v1 with a port out of range", "PROXY TCP4 127.0.0.77 127.0.0.1 99999 443\r\n"},
        {"v1 with a bad address", "PROXY TCP4 127.0.0.777 127.0.0.1 4000 443\r\n"},
        {"v2 for UDP", v2_header(0x12)},
    };
    for (const auto& [name, bytes] : malformed)
    {
        BOOST_TEST_CONTEXT(name)
        {
            const auto before = records_ending(g, "proxy_invalid");
            tcp_client c(g.internet());
            BOOST_REQUIRE(c.ok());
            c.send(bytes);
            BOOST_TEST(c.closed_by_peer(5s));
            BOOST_TEST(recorded_more(g, "proxy_invalid", before), g.log());
        }
    }
    BOOST_TEST(eventually([&] { return records_ending(g, "proxy_invalid") >= 4U; }, 5s), g.log());
    BOOST_TEST(g.count_events("proxy_invalid") >= 1U, g.log());
    {
        // timeouts.tls_handshake is 2 s in the harness.
        tcp_client silent(g.internet());
        tcp_client partial(g.internet());
        partial.send("PROXY TCP4 127.0.0.77 ");
        const auto start = steady::now();
        BOOST_TEST(silent.closed_by_peer(5s));
        BOOST_TEST(partial.closed_by_peer(5s));
        BOOST_TEST((steady::now() - start < 4s));
        BOOST_TEST(eventually([&] { return records_ending(g, "proxy_header_timeout") >= 2U; }, 2s), g.log());
    }
    for (const auto& r : g.records())
    {
        BOOST_TEST(str(r, "decision") != "allow");
    }
    haproxy_balancer h({{internet_of(g)}, 2, true});
    const auto r = curl_from_client(h.port());
    BOOST_TEST(r.connect_code == 200, r.verbose);
    BOOST_TEST(r.body == cloud_body);
}

// HAProxy's `send-proxy` (the v1 text line) works the same.
BOOST_AUTO_TEST_CASE(send_proxy_version_1_works_the_same)
{
    gateway g(proxied_options("127.0.0.0/8"));
    haproxy_balancer h({{internet_of(g)}, 1, true});
    BOOST_REQUIRE_MESSAGE(h.wait_for_status(0, "UP", 5s), h.server_status(0) << "\n" << h.log());
    const auto r = curl_from_client(h.port());
    BOOST_REQUIRE_MESSAGE(r.connect_code == 200 && r.http_code == 200 && r.body == cloud_body,
                          r.verbose << "\n"
                                    << g.log());
    const auto rec = record_with_peer(g, std::string(client_address) + ":" + std::to_string(r.local_port));
    BOOST_REQUIRE_MESSAGE(rec, g.log());
    BOOST_TEST(str(*rec, "decision") == "allow");
    BOOST_TEST(is_loopback_endpoint(str(*rec, "via")), str(*rec, "via"));
}

BOOST_AUTO_TEST_SUITE_END()
