// to_json: one tunnel record as one line of JSON, whatever the strings in it
// contain (they come from certificates, requests and OpenSSL).

#include "daemon/log/tunnel_record.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

namespace json = boost::json;
namespace lg = sekisho::log;

namespace {

lg::tunnel_record sample()
{
    lg::tunnel_record r;
    r.id = 42;
    r.started = std::chrono::system_clock::time_point{std::chrono::milliseconds(1700000000123)};
    r.duration = std::chrono::milliseconds(2500);
    r.listener = "internet";
    r.layer = "internet";
    r.peer = "127.0.0.1:50000";
    r.device_subject = "dev-001";
    r.device_fingerprint = "ab12";
    r.device_serial = "01";
    r.target = "files.cloud.example:443";
    r.decision = "allow";
    r.status = 200;
    r.reason = "allowed";
    r.rule = "service:groupware";
    r.zone = "internet";
    r.service = "groupware";
    r.upstream = "127.0.30.1:8080";
    r.bytes_up = 1234;
    r.bytes_down = 5678901234ULL;
    r.end_cause = "closed";
    r.policy_hash = "0e57";
    return r;
}

// Parses the line back; fails the test when it is not one JSON object.
json::object parse_line(const std::string& line)
{
    BOOST_TEST(line.find('\n') == std::string::npos, "not one line: " << line);
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    BOOST_TEST_REQUIRE(!ec, ec.message() << " in: " << line);
    BOOST_TEST_REQUIRE(v.is_object());
    return v.as_object();
}

std::string str(const json::object& o, const char* key)
{
    return std::string(o.at(key).as_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(tunnel_record)

BOOST_AUTO_TEST_CASE(fields_and_types)
{
    const auto o = parse_line(lg::to_json(sample()));
    BOOST_TEST(str(o, "event") == "tunnel");
    BOOST_TEST(o.at("id").to_number<std::uint64_t>() == 42U);
    BOOST_TEST(str(o, "started") == "2023-11-14T22:13:20.123Z");
    BOOST_TEST(str(o, "ts") == "2023-11-14T22:13:22.623Z");
    BOOST_TEST(o.at("duration_ms").to_number<std::int64_t>() == 2500);
    BOOST_TEST(str(o, "target") == "files.cloud.example:443");
    BOOST_TEST(str(o, "rule") == "service:groupware");
    BOOST_TEST(o.at("status").to_number<unsigned>() == 200U);
    BOOST_TEST(o.at("bytes_down").to_number<std::uint64_t>() == 5678901234ULL);
    BOOST_TEST(std::string(o.at("device").as_object().at("subject").as_string()) == "dev-001");
    // No user yet: null, not "".
    BOOST_TEST(o.at("user").is_null());

    auto with_user = sample();
    with_user.user = "tanaka";
    BOOST_TEST(str(parse_line(lg::to_json(with_user)), "user") == "tanaka");
}

// Quotes, backslashes, newlines and control characters are escaped: the
// record stays one line of valid JSON and reads back byte for byte.
BOOST_AUTO_TEST_CASE(hostile_strings_are_escaped)
{
    const std::string hostile[] = {
        "quote\" and \\backslash",
        "line\nbreak\r\n{\"event\":\"forged\"}",
        std::string("nul\0byte", 8),
        "tab\tbell\a esc\x1b del\x7f unit\x1f",
        "</script><script>alert(1)</script>",
        "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", // 東京都, valid UTF-8
        "\\u0000 \\n literal escapes",
    };
    for (const auto& h : hostile)
    {
        BOOST_TEST_CONTEXT("value of " << h.size() << " bytes")
        {
            auto r = sample();
            r.device_subject = h;
            r.target = h;
            r.detail = h;
            r.user = h;
            const auto o = parse_line(lg::to_json(r));
            BOOST_TEST(str(o, "target") == h);
            BOOST_TEST(str(o, "detail") == h);
            BOOST_TEST(str(o, "user") == h);
            BOOST_TEST(std::string(o.at("device").as_object().at("subject").as_string()) == h);
            BOOST_TEST(str(o, "event") == "tunnel");
        }
    }
}

// Bytes that are not UTF-8 (a certificate subject, an OpenSSL message) must
// not make the line invalid JSON (RFC 8259 §8.1: JSON text is UTF-8).
BOOST_AUTO_TEST_CASE(invalid_utf8_still_valid_json)
{
    for (const std::string bad :
         {"\xff\xfe", "truncated \xe6\x9d", "overlong \xc0\xaf", "surrogate \xed\xa0\x80"})
    {
        BOOST_TEST_CONTEXT("value of " << bad.size() << " bytes")
        {
            auto r = sample();
            r.device_subject = bad;
            r.detail = bad;
            const auto o = parse_line(lg::to_json(r));
            BOOST_TEST(str(o, "event") == "tunnel");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
