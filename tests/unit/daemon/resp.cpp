// The RESP codec of the shared session store (daemon/redis/resp.hpp): every
// RESP2 and RESP3 type, replies split at every byte, limits, and garbage.

#include "daemon/redis/resp.hpp"

#include "daemon/redis/client.hpp"

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace sekisho::redis;

extern "C" int sekisho_resp_fuzz_one(const std::uint8_t* data, std::size_t size);

namespace {

parse_result parse(std::string_view text, const parse_limits& limits = {})
{
    return parse_reply(std::span<const char>(text.data(), text.size()), limits);
}

} // namespace

BOOST_AUTO_TEST_SUITE(resp)

BOOST_AUTO_TEST_CASE(commands_are_arrays_of_bulk_strings)
{
    BOOST_TEST(encode_command({"SET", "k", "v"}) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    const std::string binary("a\r\nb\0c", 6);
    BOOST_TEST(encode_command({"SET", binary}) == std::string("*2\r\n$3\r\nSET\r\n$6\r\na\r\nb\0c\r\n", 25));
    BOOST_TEST(encode_command({}) == "*0\r\n");
}

BOOST_AUTO_TEST_CASE(resp2_types)
{
    auto r = parse("+OK\r\n");
    BOOST_TEST((r.state == parse_state::done));
    BOOST_TEST((r.reply.kind == kind::simple_string));
    BOOST_TEST(r.reply.text == "OK");
    BOOST_TEST(r.length == 5U);

    r = parse("-WRONGPASS invalid username-password pair\r\n");
    BOOST_TEST(r.reply.is_error());
    BOOST_TEST(r.reply.text == "WRONGPASS invalid username-password pair");

    r = parse(":-42\r\n");
    BOOST_TEST(r.reply.integer == -42);

    r = parse("$5\r\nhe\r\no\r\n");
    BOOST_TEST((r.reply.kind == kind::bulk_string));
    BOOST_TEST(r.reply.text == "he\r\no");

    BOOST_TEST((parse("$-1\r\n").reply.kind == kind::null));
    BOOST_TEST((parse("*-1\r\n").reply.kind == kind::null));
    BOOST_TEST((parse("$0\r\n\r\n").reply.kind == kind::bulk_string));

    r = parse("*3\r\n:1\r\n$-1\r\n*1\r\n+x\r\n");
    BOOST_REQUIRE((r.state == parse_state::done));
    BOOST_REQUIRE(r.reply.items.size() == 3U);
    BOOST_TEST(r.reply.items[0].integer == 1);
    BOOST_TEST((r.reply.items[1].kind == kind::null));
    BOOST_TEST(r.reply.items[2].items[0].text == "x");
}

BOOST_AUTO_TEST_CASE(resp3_types)
{
    auto r = parse("%2\r\n+server\r\n$5\r\nredis\r\n+proto\r\n:3\r\n");
    BOOST_REQUIRE((r.reply.kind == kind::map));
    BOOST_REQUIRE(r.reply.items.size() == 4U);
    BOOST_TEST(r.reply.items[1].text == "redis");
    BOOST_TEST(r.reply.items[3].integer == 3);

    r = parse(">3\r\n$7\r\nmessage\r\n$4\r\nkill\r\n$6\r\ns-1234\r\n");
    BOOST_TEST((r.reply.kind == kind::push));
    BOOST_TEST(r.reply.items[2].text == "s-1234");

    BOOST_TEST((parse("_\r\n").reply.kind == kind::null));
    BOOST_TEST(parse("#t\r\n").reply.integer == 1);
    BOOST_TEST(parse("#f\r\n").reply.integer == 0);
    BOOST_TEST(parse(",3.25\r\n").reply.text == "3.25");
    BOOST_TEST(parse("(3492890328409238509324850943850943825024385\r\n").reply.text.size() == 43U);
    BOOST_TEST(parse("!21\r\nSYNTAX invalid syntax\r\n").reply.is_error());
    BOOST_TEST(parse("=15\r\ntxt:Some string\r\n").reply.text == "Some string");
    BOOST_TEST(parse("~2\r\n:1\r\n:2\r\n").reply.items.size() == 2U);
}

BOOST_AUTO_TEST_CASE(every_prefix_needs_more_and_what_follows_is_left)
{
    const std::string reply = "*2\r\n%1\r\n+k\r\n$3\r\nabc\r\n>1\r\n#t\r\n";
    for (std::size_t n = 0; n < reply.size(); ++n)
    {
        const auto r = parse(std::string_view(reply).substr(0, n));
        BOOST_TEST((r.state == parse_state::need_more), "prefix " << n << ": " << r.error);
    }
    const auto whole = parse(reply + "+NEXT\r\n");
    BOOST_TEST((whole.state == parse_state::done));
    BOOST_TEST(whole.length == reply.size());
}

BOOST_AUTO_TEST_CASE(garbage_and_limits_are_invalid)
{
    for (const std::string_view bad : {"?x\r\n",
                                       "+OK\n",
                                       ":12a\r\n",
                                       ":\r\n",
                                       "$3\r\nabcd\r\n",
                                       "$-2\r\n",
                                       "*-2\r\n",
                                       "#x\r\n",
                                       "_x\r\n",
                                       "=3\r\ntxt\r\n",
                                       "HTTP/1.1 400 Bad Request\r\n"})
    {
        const auto r = parse(bad);
        BOOST_TEST((r.state == parse_state::invalid), bad);
        BOOST_TEST(!r.error.empty(), bad);
    }
    parse_limits small;
    small.max_bulk_bytes = 4;
    small.max_elements = 3;
    small.max_depth = 2;
    BOOST_TEST((parse("$5\r\nabcde\r\n", small).state == parse_state::invalid));
    BOOST_TEST((parse("*4\r\n", small).state == parse_state::invalid));
    BOOST_TEST((parse("*2\r\n*2\r\n", small).state == parse_state::invalid)); // 4 elements in all
    BOOST_TEST((parse("*1\r\n*1\r\n*1\r\n:1\r\n", small).state == parse_state::invalid));
    BOOST_TEST((parse("*1\r\n*1\r\n:1\r\n", small).state == parse_state::done));
    // A header alone promises a lot and is only waited on, not allocated.
    BOOST_TEST((parse("*100000\r\n").state == parse_state::need_more));
}

// The fuzz target (tests/fuzz/resp_fuzz.cpp) over its corpus: its invariants
// (prefixes need more, limits hold in the value) abort on a violation.
BOOST_AUTO_TEST_CASE(fuzz_corpus_replays_cleanly)
{
    std::size_t inputs = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(std::string(SEKISHO_SOURCE_DIR) + "/tests/fuzz/corpus/resp"))
    {
        std::ifstream in(e.path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        const auto data = bytes.str();
        BOOST_TEST_CONTEXT(e.path().filename().string())
        {
            BOOST_TEST(
                sekisho_resp_fuzz_one(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()) == 0);
        }
        ++inputs;
    }
    BOOST_TEST(inputs >= 30U);
}

// A sentinel's [host, port] is followed only with a port 1-65535: a broken
// or hostile sentinel's answer neither throws nor wraps to another port.
BOOST_AUTO_TEST_CASE(a_sentinels_primary_is_checked)
{
    const auto reply = [](const char* text) {
        return parse_reply(std::string_view(text)).reply;
    };
    const auto ok = primary_from_sentinel(reply("*2\r\n$8\r\n10.0.0.5\r\n$4\r\n6380\r\n"));
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->text() == "10.0.0.5:6380");
    for (const char* bad : {"*2\r\n$1\r\nh\r\n$5\r\n70000\r\n",
                            "*2\r\n$1\r\nh\r\n$1\r\n0\r\n",
                            "*2\r\n$1\r\nh\r\n$22\r\n0999999999999999999999\r\n",
                            "*2\r\n$1\r\nh\r\n$3\r\n-1x\r\n",
                            "*2\r\n$0\r\n\r\n$4\r\n6379\r\n",
                            "*-1\r\n",
                            "-IDONTKNOW\r\n"})
    {
        BOOST_TEST(!primary_from_sentinel(reply(bad)).has_value(), bad);
    }
}

BOOST_AUTO_TEST_SUITE_END()
