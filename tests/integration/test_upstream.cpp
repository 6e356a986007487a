// Destinations that fail: refused (502), silent (504 at the connect
// deadline), unresolvable (502/504 from DNS). The client always gets an
// answer and the daemon keeps serving.

#include "harness/checks.hpp"

using namespace sekisho::test;

BOOST_AUTO_TEST_SUITE(upstream)

BOOST_AUTO_TEST_CASE(a_refusing_upstream_gets_502)
{
    auto& g = shared_gateway();
    auto r = curl_via(g.internet(),
                      "http://refused.cloud.test:" + std::to_string(world::get().refused_port) + "/");
    BOOST_TEST(r.connect_code == 502);
    BOOST_TEST(r.verbose_has("Sekisho-Error: upstream_refused"), r.verbose);
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(a_blackholed_upstream_gets_504_at_the_connect_deadline)
{
    auto& g = shared_gateway();
    const auto start = std::chrono::steady_clock::now();
    auto r = curl_via(g.internet(),
                      "http://blackhole.cloud.test:" + std::to_string(world::get().hole.port()) + "/");
    const auto waited = std::chrono::steady_clock::now() - start;
    BOOST_TEST(r.connect_code == 504);
    BOOST_TEST(r.verbose_has("Sekisho-Error: upstream_timeout"), r.verbose);
    BOOST_TEST((waited < std::chrono::seconds(5))); // connect deadline is 1 s
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(an_unresolvable_name_gets_a_dns_error)
{
    auto& g = shared_gateway();
    auto r = curl_via(g.internet(), "http://nxdomain.invalid:443/");
    BOOST_TEST((r.connect_code == 502 || r.connect_code == 504), r.connect_code);
    BOOST_TEST((r.verbose_has("Sekisho-Error: dns_failed") || r.verbose_has("Sekisho-Error: dns_timeout")),
               r.verbose);
    require_serving(g);
}

BOOST_AUTO_TEST_SUITE_END()
