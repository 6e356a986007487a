// The RESP codec (daemon/redis/resp.hpp) against a real redis-server
// (Debian's 7.0) on loopback: the commands the shared session store will
// send, the replies Redis really gives in RESP2 and after HELLO 3 (RESP3),
// Lua scripts, pub/sub pushes, pipelined replies read in pieces, and an ACL
// user's refusal.

#include "daemon/redis/resp.hpp"
#include "harness/redis.hpp"

#include <boost/test/unit_test.hpp>

using namespace sekisho::test;
namespace redis = sekisho::redis;

namespace {

// No persistence; the ACL user `gateway` may use sekisho:* keys and channels only.
redis_server make_server()
{
    redis_options o;
    o.users.push_back({"gateway", "s3cret", "~sekisho:* &sekisho:* +@all -@dangerous"});
    return redis_server(o);
}

} // namespace

BOOST_AUTO_TEST_SUITE(redis_codec)

BOOST_AUTO_TEST_CASE(resp2_replies_from_a_real_server)
{
    auto server = make_server();
    redis_connection c(server.port());
    BOOST_REQUIRE(c.ok());
    BOOST_TEST(c.call({"PING"}).text == "PONG");
    BOOST_TEST(c.call({"SET", "sekisho:k", std::string_view("a\r\nb\0c", 6)}).text == "OK");
    const auto got = c.call({"GET", "sekisho:k"});
    BOOST_TEST((got.kind == redis::kind::bulk_string));
    BOOST_TEST(got.text == std::string("a\r\nb\0c", 6));
    BOOST_TEST((c.call({"GET", "sekisho:missing"}).kind == redis::kind::null));
    BOOST_TEST(c.call({"INCR", "sekisho:n"}).integer == 1);
    BOOST_TEST(c.call({"INCR", "sekisho:k"}).is_error());
    // A Lua script with the shapes the store's atomic claims return.
    const auto script =
        c.call({"EVAL", "return {1, 'layer', false, {redis.call('INCR', KEYS[1])}}", "1", "sekisho:n"});
    BOOST_REQUIRE(script.items.size() == 4U);
    BOOST_TEST(script.items[0].integer == 1);
    BOOST_TEST(script.items[1].text == "layer");
    BOOST_TEST((script.items[2].kind == redis::kind::null));
    BOOST_TEST(script.items[3].items[0].integer == 2);
}

BOOST_AUTO_TEST_CASE(pipelined_replies_read_a_few_bytes_at_a_time)
{
    auto server = make_server();
    redis_connection c(server.port());
    BOOST_REQUIRE(c.ok());
    std::string batch;
    for (int i = 0; i < 50; ++i)
    {
        batch += redis::encode_command({"RPUSH", "sekisho:list", std::to_string(i)});
    }
    batch += redis::encode_command({"LRANGE", "sekisho:list", "0", "-1"});
    c.send(batch);
    for (int i = 0; i < 50; ++i)
    {
        BOOST_TEST(c.next(7).integer == i + 1);
    }
    const auto list = c.next(3);
    BOOST_REQUIRE(list.items.size() == 50U);
    BOOST_TEST(list.items[49].text == "49");
}

BOOST_AUTO_TEST_CASE(resp3_hello_map_and_pubsub_pushes)
{
    auto server = make_server();
    redis_connection c(server.port());
    BOOST_REQUIRE(c.ok());
    const auto hello = c.call({"HELLO", "3"});
    BOOST_REQUIRE((hello.kind == redis::kind::map));
    bool proto3 = false;
    for (std::size_t i = 0; i + 1 < hello.items.size(); i += 2)
    {
        proto3 = proto3 || (hello.items[i].text == "proto" && hello.items[i + 1].integer == 3);
    }
    BOOST_TEST(proto3);
    BOOST_TEST((c.call({"HGETALL", "sekisho:none"}).kind == redis::kind::map));
    BOOST_TEST((c.call({"EXISTS", "sekisho:none"}).kind == redis::kind::integer));

    // A session kill on another instance arrives as a push.
    const auto subscribed = c.call({"SUBSCRIBE", "sekisho:kill"});
    BOOST_TEST((subscribed.kind == redis::kind::push));
    redis_connection other(server.port());
    BOOST_TEST(other.call({"PUBLISH", "sekisho:kill", "s-1234"}).integer == 1);
    const auto message = c.next();
    BOOST_REQUIRE((message.kind == redis::kind::push));
    BOOST_REQUIRE(message.items.size() == 3U);
    BOOST_TEST(message.items[0].text == "message");
    BOOST_TEST(message.items[2].text == "s-1234");
}

BOOST_AUTO_TEST_CASE(an_acl_user_signs_in_and_is_refused_outside_its_keys)
{
    auto server = make_server();
    redis_connection c(server.port());
    BOOST_REQUIRE(c.ok());
    const auto wrong = c.call({"AUTH", "gateway", "wrong"});
    BOOST_TEST(wrong.is_error());
    BOOST_TEST(wrong.text.find("WRONGPASS") == 0U, wrong.text);
    BOOST_TEST(c.call({"AUTH", "gateway", "s3cret"}).text == "OK");
    BOOST_TEST(c.call({"SET", "sekisho:session:1", "x"}).text == "OK");
    const auto outside = c.call({"SET", "other:key", "x"});
    BOOST_TEST(outside.is_error());
    BOOST_TEST(outside.text.find("NOPERM") == 0U, outside.text);
}

BOOST_AUTO_TEST_SUITE_END()
