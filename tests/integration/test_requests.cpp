// Malformed, oversized, wrong-method and silent requests: each gets a clear
// answer or a close within its deadline, nothing is echoed back, and the
// daemon keeps serving.

#include "harness/checks.hpp"

using namespace sekisho::test;

namespace {

struct answered
{
    std::string head;
    boost::json::object record;
};

answered send_raw(gateway& g, const std::string& bytes)
{
    tls_client c(g.internet());
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    c.send(bytes);
    answered a;
    a.head = c.recv_until("\r\n\r\n");
    BOOST_TEST(c.closed_by_peer(std::chrono::seconds(5)));
    a.record = g.record_for(c.local_port());
    return a;
}

} // namespace

BOOST_AUTO_TEST_SUITE(requests)

BOOST_AUTO_TEST_CASE(garbage_gets_400_and_is_not_echoed)
{
    auto& g = shared_gateway();
    auto a = send_raw(g, std::string("\x01\x02 marker-93ab \xff\xfe\r\n\r\n", 22));
    BOOST_TEST(a.head.rfind("HTTP/1.1 400", 0) == 0, a.head);
    BOOST_TEST(a.head.find("marker-93ab") == std::string::npos);
    BOOST_TEST(str(a.record, "reason") == "malformed_request");
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(other_methods_get_405_with_allow_connect)
{
    auto& g = shared_gateway();
    auto a = send_raw(g, "GET http://files.cloud.test/ HTTP/1.1\r\nHost: files.cloud.test\r\n\r\n");
    BOOST_TEST(a.head.rfind("HTTP/1.1 405", 0) == 0, a.head);
    BOOST_TEST(a.head.find("Allow: CONNECT") != std::string::npos);
    BOOST_TEST(str(a.record, "reason") == "method_not_allowed");
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(oversized_head_gets_431)
{
    auto& g = shared_gateway();
    auto a = send_raw(
        g, "CONNECT files.cloud.test:443 HTTP/1.1\r\nX-Pad: " + std::string(10000, 'a') + "\r\n\r\n");
    BOOST_TEST(a.head.rfind("HTTP/1.1 431", 0) == 0, a.head);
    BOOST_TEST(str(a.record, "reason") == "request_head_too_large");
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(bad_targets_get_400)
{
    auto& g = shared_gateway();
    for (const std::string target : {"/index.html",
                                     "files.cloud.test",
                                     "files.cloud.test:0",
                                     "user@files.cloud.test:443",
                                     "f\xc3\xa4iles.cloud.test:443",
                                     "::1:443",
                                     "127.1:443"})
    {
        BOOST_TEST_CONTEXT(target)
        {
            auto a = send_raw(g, "CONNECT " + target + " HTTP/1.1\r\n\r\n");
            BOOST_TEST(a.head.rfind("HTTP/1.1 400", 0) == 0, a.head);
            BOOST_TEST(str(a.record, "reason") == "invalid_target");
        }
    }
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(a_body_on_connect_gets_400)
{
    auto& g = shared_gateway();
    auto a = send_raw(g, "CONNECT files.cloud.test:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    BOOST_TEST(a.head.rfind("HTTP/1.1 400", 0) == 0, a.head);
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(a_silent_client_gets_408_at_the_request_deadline)
{
    auto& g = shared_gateway();
    tls_client c(g.internet());
    BOOST_REQUIRE(c.ok());
    const auto start = std::chrono::steady_clock::now();
    const auto head = c.recv_until("\r\n\r\n", std::chrono::seconds(5));
    const auto waited = std::chrono::steady_clock::now() - start;
    BOOST_TEST(head.rfind("HTTP/1.1 408", 0) == 0, head);
    BOOST_TEST((waited < std::chrono::seconds(4))); // request deadline is 1 s
    BOOST_TEST(c.closed_by_peer(std::chrono::seconds(3)));
    BOOST_TEST(str(g.record_for(c.local_port()), "reason") == "request_timeout");
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(a_half_open_connection_is_closed_at_the_handshake_deadline)
{
    auto& g = shared_gateway();
    tcp_client c(g.internet());
    BOOST_REQUIRE(c.ok());
    BOOST_TEST(c.closed_by_peer(std::chrono::seconds(6))); // handshake deadline is 2 s
    BOOST_TEST(str(g.record_for(c.local_port()), "reason") == "tls_handshake_timeout");
    require_serving(g);
}

BOOST_AUTO_TEST_SUITE_END()
