// The gateway's own HTTP answers: well-formed responses (checked by parsing
// them back with Beast), the deny and error headers, and no request bytes
// ever echoed back to the client.

#include "daemon/proto/reply.hpp"

#include "daemon/proto/connect_request.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace http = boost::beast::http;
namespace proto = sekisho::proto;

namespace {

// Parses a complete response; fails the test if it is not one.
http::response<http::string_body> parse_response(const std::string& text)
{
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    boost::beast::error_code ec;
    const auto used = parser.put(boost::asio::buffer(text.data(), text.size()), ec);
    BOOST_TEST_REQUIRE(!ec, ec.message() << " in:\n" << text);
    BOOST_TEST_REQUIRE(parser.is_done(), "incomplete response:\n" << text);
    BOOST_TEST(used == text.size(), "bytes after the response:\n" << text);
    return parser.release();
}

std::string field(const http::response<http::string_body>& res, std::string_view name)
{
    auto it = res.find(name);
    return it == res.end() ? std::string("<absent>") : std::string(it->value());
}

} // namespace

BOOST_AUTO_TEST_SUITE(reply)

BOOST_AUTO_TEST_CASE(established)
{
    BOOST_TEST(proto::reply_established() == "HTTP/1.1 200 Connection Established\r\n\r\n");
}

// 403 carries the reason code and the deciding rule in Sekisho-Deny.
BOOST_AUTO_TEST_CASE(denied_names_reason_and_rule)
{
    const auto text = proto::reply_denied("mynumber_zone", "invariant:mynumber");
    BOOST_TEST(text.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0U);
    const auto res = parse_response(text);
    BOOST_TEST(res.result_int() == 403U);
    BOOST_TEST(field(res, "Sekisho-Deny") == "reason=mynumber_zone; rule=invariant:mynumber");
    BOOST_TEST(field(res, "Connection") == "close");
    BOOST_TEST(res.body().find("mynumber_zone") != std::string::npos);
    BOOST_TEST(res.body().find("invariant:mynumber") != std::string::npos);
}

// 405 tells the client which method is allowed.
BOOST_AUTO_TEST_CASE(method_not_allowed_carries_allow)
{
    const auto res = parse_response(
        proto::reply_error(405, "method_not_allowed", "this gateway only relays CONNECT tunnels"));
    BOOST_TEST(res.result_int() == 405U);
    BOOST_TEST(field(res, "Allow") == "CONNECT");
    BOOST_TEST(field(res, "Sekisho-Error") == "method_not_allowed");
}

BOOST_AUTO_TEST_CASE(errors_carry_their_code)
{
    for (unsigned status : {400U, 408U, 429U, 431U, 502U, 504U})
    {
        BOOST_TEST_CONTEXT("status " << status)
        {
            const auto res = parse_response(proto::reply_error(status, "some_code", "one line"));
            BOOST_TEST(res.result_int() == status);
            BOOST_TEST(field(res, "Sekisho-Error") == "some_code");
            BOOST_TEST(field(res, "Allow") == "<absent>");
            BOOST_TEST(res.body().find("one line") != std::string::npos);
            BOOST_TEST(!res.reason().empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(plaintext_on_tls_port)
{
    const auto res = parse_response(proto::reply_plaintext_on_tls_port());
    BOOST_TEST(res.result_int() == 400U);
    BOOST_TEST(field(res, "Sekisho-Error") == "tls_required");
}

// Hostile requests carrying a marker in every place a request can carry
// bytes: none of the replies built for them contains the marker.
BOOST_AUTO_TEST_CASE(request_bytes_never_echoed)
{
    const std::string m = "ZQXMARKER7731";
    const std::string hostile[] = {
        "GET /" + m + " HTTP/1.1\r\nHost: " + m + "\r\n\r\n",
        m + " / HTTP/1.1\r\n\r\n",
        "CONNECT /" + m + " HTTP/1.1\r\n\r\n",
        "CONNECT " + m + " HTTP/1.1\r\n\r\n",
        "CONNECT " + m + ".example:0 HTTP/1.1\r\n\r\n",
        "CONNECT http://" + m + ".example:443/ HTTP/1.1\r\n\r\n",
        "CONNECT [" + m + "]:443 HTTP/1.1\r\n\r\n",
        "CONNECT a.example:443 HTTP/1.1\r\n" + m + " broken\r\n\r\n",
        "CONNECT a.example:443 HTTP/1.1\r\nX-" + m + ": <script>\r\nContent-Length: 13\r\n\r\n" + m,
        "CONNECT a.example:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX: " + m + "\r\n\r\n",
        "CONNECT a.example:443 " + m + "\r\n\r\n",
        "CONNECT a.example:443 HTTP/1.1\r\nX-Pad: " + m + std::string(2048, 'x') + "\r\n\r\n",
        "<script>" + m + "</script>\r\n\r\n",
    };
    for (const auto& request : hostile)
    {
        BOOST_TEST_CONTEXT(request.substr(0, 80))
        {
            proto::connect_parser parser(1024);
            const auto s = parser.parse(request);
            BOOST_TEST_REQUIRE((s == proto::connect_parser::state::failed));
            const auto& e = parser.error();
            const auto reply = proto::reply_error(e.status, e.reason, e.text);
            BOOST_TEST(reply.find(m) == std::string::npos, reply);
            BOOST_TEST(e.text.find(m) == std::string::npos);
            parse_response(reply);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
