// Egress per layer through a real Squid standing in for the prefecture's
// security cloud: the internet layer's tunnels are chained through it with
// credentials, after sekisho's own decision (a denied tunnel never reaches
// it); a refusal by the proxy is a 502 that says so; the LGWAN layer is not
// proxied; and with `resolve: proxy` sekisho vets the name only, which the
// DNS-rebinding case makes visible.

#include "harness/checks.hpp"
#include "harness/squid.hpp"

#include <thread>

using namespace sekisho::test;

namespace {

std::string url(const char* host, std::uint16_t port)
{
    return "http://" + std::string(host) + ":" + std::to_string(port) + "/";
}

std::vector<std::string> squid_hosts()
{
    // Squid's own view of names (rebind.cloud.test is an ordinary host to it).
    return {"127.0.30.1 files.cloud.test", "127.0.30.1 rebind.cloud.test"};
}

gateway_options
through(const squid_proxy& squid, const char* resolve = "local", const char* password = "s3cret")
{
    gateway_options o;
    o.files = {{"proxy-password", std::string(password) + "\n"}};
    o.extra_config =
        "egress:\n  internet:\n    proxy:\n      address: 127.0.0.1\n      port: " +
        std::to_string(squid.port()) +
        "\n      username: sekisho\n      password_file: proxy-password\n      resolve: " + resolve + "\n";
    return o;
}

// Squid logs a tunnel when it ends; give it a moment.
bool logged(const squid_proxy& squid, const std::string& text)
{
    return eventually([&] { return squid.access_log().find(text) != std::string::npos; },
                      std::chrono::seconds(5));
}

} // namespace

BOOST_AUTO_TEST_SUITE(egress)

BOOST_AUTO_TEST_CASE(internet_tunnels_leave_through_the_security_cloud_proxy)
{
    squid_proxy squid(squid_hosts(), "sekisho", "s3cret");
    gateway g(through(squid));
    const auto cloud = world::get().cloud.port();
    auto ok = curl_via(g.internet(), url("files.cloud.test", cloud));
    BOOST_TEST(ok.connect_code == 200, ok.verbose);
    BOOST_TEST(ok.body == cloud_body);
    const auto rec = g.record_for(ok.local_port);
    BOOST_TEST(str(rec, "upstream") == "proxy 127.0.0.1:" + std::to_string(squid.port()));
    BOOST_TEST(logged(squid, "CONNECT files.cloud.test:" + std::to_string(cloud) + " sekisho"),
               squid.access_log());

    // sekisho decides first: what it denies never reaches the proxy.
    auto denied = curl_via(g.internet(), url("uncatalogued.cloud.test", cloud));
    BOOST_TEST(denied.connect_code == 403);
    auto mynumber = curl_via(g.internet(), url("juki.mynumber.test", world::get().mynumber.port()));
    BOOST_TEST(mynumber.connect_code == 403);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    BOOST_TEST(squid.access_log().find("uncatalogued") == std::string::npos, squid.access_log());
    BOOST_TEST(squid.access_log().find("mynumber") == std::string::npos, squid.access_log());

    // The LGWAN layer has no proxy: its tunnels go straight to the endpoint.
    auto lg = curl_via(g.lgwan(), url("vdi.lgwan.test", world::get().lgwan.port()));
    BOOST_TEST(lg.connect_code == 200, lg.verbose);
    BOOST_TEST(str(g.record_for(lg.local_port), "upstream").rfind("proxy", 0) != 0);
}

BOOST_AUTO_TEST_CASE(a_refusal_by_the_proxy_is_a_502_that_says_so)
{
    squid_proxy squid(squid_hosts(), "sekisho", "s3cret");
    gateway g(through(squid, "local", "wrong password"));
    auto r = curl_via(g.internet(), url("files.cloud.test", world::get().cloud.port()));
    BOOST_TEST(r.connect_code == 502, r.verbose);
    const auto rec = g.record_for(r.local_port);
    BOOST_TEST(str(rec, "reason") == "proxy_refused");
    BOOST_TEST(str(rec, "detail").find("407") != std::string::npos, str(rec, "detail"));
    BOOST_TEST(g.proc().running());
}

BOOST_AUTO_TEST_CASE(a_dead_proxy_is_a_502_and_the_daemon_carries_on)
{
    std::uint16_t dead_port = 0;
    gateway_options o;
    {
        squid_proxy squid(squid_hosts(), "sekisho", "s3cret");
        o = through(squid);
        dead_port = squid.port();
    } // stopped: nothing listens there any more
    gateway g(o);
    auto r = curl_via(g.internet(), url("files.cloud.test", world::get().cloud.port()));
    BOOST_TEST(r.connect_code == 502, r.verbose);
    BOOST_TEST(str(g.record_for(r.local_port), "upstream") == "proxy 127.0.0.1:" + std::to_string(dead_port));
    BOOST_TEST(g.proc().running());
}

// resolve: local (the default) vets every address sekisho resolves, so a
// catalogued name whose DNS points into the My Number layer is refused
// before the proxy is asked; resolve: proxy leaves resolution to the proxy
// and sekisho can vet the name only (docs/configuration.md#egress).
BOOST_AUTO_TEST_CASE(resolve_local_keeps_the_rebinding_guard)
{
    squid_proxy squid(squid_hosts(), "sekisho", "s3cret");
    const auto cloud = world::get().cloud.port();
    {
        gateway g(through(squid, "local"));
        auto r = curl_via(g.internet(), url("rebind.cloud.test", cloud));
        BOOST_TEST(r.connect_code == 403);
        BOOST_TEST(str(g.record_for(r.local_port), "reason") == "mynumber_zone");
    }
    gateway g(through(squid, "proxy"));
    auto r = curl_via(g.internet(), url("rebind.cloud.test", cloud));
    BOOST_TEST(r.connect_code == 200, r.verbose);
    BOOST_TEST(logged(squid, "CONNECT rebind.cloud.test:" + std::to_string(cloud)), squid.access_log());
}

// TLS to the proxy (egress.<layer>.proxy.tls): the proxy's certificate must
// chain to the configured CA and be issued to server_name.
BOOST_AUTO_TEST_CASE(tls_to_the_proxy_verifies_its_certificate)
{
    squid_proxy squid(squid_hosts(), "sekisho", "s3cret", true);
    const auto with_tls = [&](const std::string& name) {
        auto o = through(squid);
        o.extra_config += "      tls: {ca: " + squid.ca_file() + ", server_name: " + name + "}\n";
        return o;
    };
    const auto cloud = world::get().cloud.port();
    {
        gateway g(with_tls("security-cloud.test"));
        auto ok = curl_via(g.internet(), url("files.cloud.test", cloud));
        BOOST_TEST(ok.connect_code == 200, ok.verbose);
        BOOST_TEST(ok.body == cloud_body);
        BOOST_TEST(logged(squid, "CONNECT files.cloud.test:" + std::to_string(cloud) + " sekisho"),
                   squid.access_log());
    }
    gateway g(with_tls("not-the-proxy.test"));
    auto bad = curl_via(g.internet(), url("files.cloud.test", cloud));
    BOOST_TEST(bad.connect_code == 502, bad.verbose);
    const auto rec = g.record_for(bad.local_port);
    BOOST_TEST(str(rec, "reason") == "proxy_tls_failed");
    BOOST_TEST(str(rec, "detail").find("TLS to the upstream proxy failed") != std::string::npos,
               str(rec, "detail"));
    BOOST_TEST(g.proc().running());
}

BOOST_AUTO_TEST_SUITE_END()
