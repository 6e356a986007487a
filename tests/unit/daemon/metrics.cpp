// The Prometheus exposition writer and the per-thread counters: cumulative
// histogram buckets, label escaping, adding shards up, and how a finished
// connection's record is counted.

#include "daemon/metrics/exposition.hpp"
#include "daemon/metrics/shard.hpp"

#include <boost/test/unit_test.hpp>

using namespace sekisho::metrics;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_in_the_text)
{
    histogram h;
    h.observe(5us);  // <= 10 µs
    h.observe(40us); // <= 50 µs
    h.observe(40us); // <= 50 µs
    h.observe(3s);   // above every bound: +Inf only
    exposition e;
    e.histogram("x_seconds", "help", h);
    const auto text = e.take();
    BOOST_TEST(text.find("# TYPE x_seconds histogram\n") != std::string::npos);
    BOOST_TEST(text.find("x_seconds_bucket{le=\"1e-05\"} 1\n") != std::string::npos, text);
    BOOST_TEST(text.find("x_seconds_bucket{le=\"2.5e-05\"} 1\n") != std::string::npos, text);
    BOOST_TEST(text.find("x_seconds_bucket{le=\"5e-05\"} 3\n") != std::string::npos, text);
    BOOST_TEST(text.find("x_seconds_bucket{le=\"1\"} 3\n") != std::string::npos, text);
    BOOST_TEST(text.find("x_seconds_bucket{le=\"+Inf\"} 4\n") != std::string::npos, text);
    BOOST_TEST(text.find("x_seconds_count 4\n") != std::string::npos, text);
    BOOST_TEST(text.find("x_seconds_sum 3.000085\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped)
{
    exposition e;
    e.sample("y", 2, {{"reason", "a\"b\\c\nd"}});
    BOOST_TEST(e.take() == "y{reason=\"a\\\"b\\\\c\\nd\"} 2\n");
}

BOOST_AUTO_TEST_CASE(a_record_is_counted_by_its_outcome)
{
    shard s;
    sekisho::log::tunnel_record allowed;
    allowed.decision = "allow";
    allowed.status = 200;
    allowed.bytes_up = 10;
    allowed.bytes_down = 20;
    s.tunnel_opened("internet", 2ms);
    s.connection_ended(allowed);
    sekisho::log::tunnel_record denied;
    denied.decision = "deny";
    denied.reason = "mynumber_zone";
    s.connection_ended(denied);
    sekisho::log::tunnel_record failed;
    failed.decision = "error";
    failed.end_cause = "tls_handshake_timeout";
    s.connection_ended(failed);
    sekisho::log::tunnel_record challenged; // a 407 asking for credentials
    challenged.decision = "deny";
    challenged.end_cause = "auth_required";
    challenged.reason = "missing";
    s.connection_ended(challenged);

    const auto c = s.read();
    BOOST_TEST(c.connections == 4U);
    BOOST_TEST(c.tunnels_opened.at("internet") == 1U);
    BOOST_TEST(c.tunnels_closed == 1U);
    BOOST_TEST(c.denied.at("mynumber_zone") == 1U);
    BOOST_TEST(c.denied.count("missing") == 0U);
    BOOST_TEST(c.failed.at("tls_handshake_timeout") == 1U);
    BOOST_TEST(c.bytes_up == 10U);
    BOOST_TEST(c.bytes_down == 20U);
    BOOST_TEST(c.setup.count == 1U);
}

BOOST_AUTO_TEST_CASE(shards_add_up)
{
    shard a;
    shard b;
    a.auth_failed("bad_password");
    b.auth_failed("bad_password");
    b.auth_failed("bad_totp");
    a.decided(1us);
    b.decided(1ms);
    counters sum;
    sum.add(a.read());
    sum.add(b.read());
    BOOST_TEST(sum.auth_failures.at("bad_password") == 2U);
    BOOST_TEST(sum.auth_failures.at("bad_totp") == 1U);
    BOOST_TEST(sum.decision.count == 2U);
}

BOOST_AUTO_TEST_CASE(note_does_nothing_on_a_thread_without_a_shard)
{
    BOOST_TEST(shard::current() == nullptr);
    bool called = false;
    note([&](shard&) { called = true; });
    BOOST_TEST(!called);
    shard s;
    shard::current() = &s;
    note([](shard& m) { m.proxy_refused(); });
    shard::current() = nullptr;
    BOOST_TEST(s.read().proxy_refused == 1U);
}

BOOST_AUTO_TEST_SUITE_END()
