// SIGHUP reload: a new policy applies to new tunnels, a broken one never takes
// effect (the last good policy stays), open tunnels are re-checked and closed
// when the new policy withdraws them, and reloads under load drop nothing.

#include "harness/checks.hpp"

#include <atomic>
#include <thread>

using namespace sekisho::test;

namespace {

// The test policy with files.cloud.test withdrawn (the *.cdn.cloud.test
// names of the same service stay allowed).
std::string policy_without_files()
{
    auto p = test_policy_yaml();
    const std::string from = "domains: [files.cloud.test, \"*.cdn.cloud.test\"]";
    const auto pos = p.find(from);
    BOOST_REQUIRE(pos != std::string::npos);
    p.replace(pos, from.size(), "domains: [\"*.cdn.cloud.test\"]");
    return p;
}

const std::string broken_policy = "version: 1\nmodel: alpha\nzones:\n  mynumber: {cidrs: [127.0.20.0/24]}\n"
                                  "  lgwan: {cidrs: [127.0.20.0/25]}\n  internet: {}\nservices:\n  - id: x\n"
                                  "    domain: [files.cloud.test]\n    ports: [1]\n";

std::string url(const std::string& host, std::uint16_t port)
{
    return "http://" + host + ":" + std::to_string(port) + "/";
}

std::unique_ptr<tls_client> echo_tunnel(gateway& g, const std::string& host)
{
    auto c = std::make_unique<tls_client>(g.internet());
    BOOST_REQUIRE_MESSAGE(c->ok(), c->error());
    const auto head = c->connect(host + ":" + std::to_string(world::get().echo.port()));
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_REQUIRE(c->send("ping") && c->recv_exactly(4) == "ping");
    return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(reload)

BOOST_AUTO_TEST_CASE(a_new_policy_applies_to_new_tunnels)
{
    gateway g;
    const auto port = world::get().cloud.port();
    BOOST_TEST(curl_via(g.internet(), url("files.cloud.test", port)).connect_code == 200);
    BOOST_TEST(g.reload_with(policy_without_files()) == "policy_reloaded", g.log());
    auto denied = curl_via(g.internet(), url("files.cloud.test", port));
    BOOST_TEST(denied.connect_code == 403);
    BOOST_TEST(denied.verbose_has("Sekisho-Deny: reason=not_catalogued"), denied.verbose);
    BOOST_TEST(curl_via(g.internet(), url("a.cdn.cloud.test", port)).connect_code == 200);
    // And back.
    BOOST_TEST(g.reload_with(test_policy_yaml()) == "policy_reloaded");
    BOOST_TEST(curl_via(g.internet(), url("files.cloud.test", port)).connect_code == 200);
}

BOOST_AUTO_TEST_CASE(a_broken_policy_is_rejected_with_file_and_line_and_the_old_one_stays)
{
    gateway g;
    BOOST_TEST(g.reload_with(broken_policy) == "policy_rejected", g.log());
    const auto log = g.log();
    BOOST_TEST(log.find("policy.yaml:9:5: error: unknown key `domain`") != std::string::npos, log);
    BOOST_TEST(log.find("zones overlap") != std::string::npos);
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(a_policy_whose_own_tests_fail_is_rejected_and_the_old_one_stays)
{
    gateway g;
    // Withdraws files.cloud.test, but its test says it must stay reachable.
    auto p = policy_without_files();
    p += "tests:\n  - name: files stays reachable\n    layer: internet\n    target: files.cloud.test:" +
         std::to_string(world::get().cloud.port()) + "\n    resolves: [127.0.30.1]\n    expect: allow\n";
    BOOST_TEST(g.reload_with(p) == "policy_rejected", g.log());
    BOOST_TEST(g.log().find("policy test `files stays reachable` failed") != std::string::npos, g.log());
    auto r = curl_via(g.internet(), url("files.cloud.test", world::get().cloud.port()));
    BOOST_TEST(r.connect_code == 200);
}

BOOST_AUTO_TEST_CASE(a_change_in_an_included_file_is_picked_up_by_reload)
{
    gateway g;
    // Move the cdn wildcard out into an included catalogue file.
    auto main = policy_without_files();
    main += "include: [catalog.yaml]\n";
    write_file(g.dir().file("catalog.yaml"), "services: []\n");
    const auto cdn_port = world::get().cloud.port();
    const auto from = std::string("domains: [\"*.cdn.cloud.test\"]");
    const auto pos = main.find(from);
    BOOST_REQUIRE(pos != std::string::npos);
    main.replace(pos, from.size(), "domains: [\"*.cdn.example-unused.test\"]");
    BOOST_TEST(g.reload_with(main) == "policy_reloaded", g.log());
    BOOST_TEST(curl_via(g.internet(), url("a.cdn.cloud.test", cdn_port)).connect_code == 403);
    // Only the included file changes: the reload still sees it.
    write_file(g.dir().file("catalog.yaml"),
               "services:\n  - id: cdn\n    domains: [\"*.cdn.cloud.test\"]\n    ports: [" +
                   std::to_string(cdn_port) +
                   "]\n    data_class: 1\n    tags: [test]\n"
                   "    certification: {scheme: ismap, number: T-0003, valid_until: 2099-12-31}\n");
    BOOST_TEST(g.reload_with(main) == "policy_reloaded", g.log());
    BOOST_TEST(curl_via(g.internet(), url("a.cdn.cloud.test", cdn_port)).connect_code == 200);
}

BOOST_AUTO_TEST_CASE(an_open_tunnel_the_new_policy_withdraws_is_closed_with_a_reason)
{
    gateway g;
    auto withdrawn = echo_tunnel(g, "files.cloud.test");
    auto kept = echo_tunnel(g, "a.cdn.cloud.test");
    BOOST_TEST(g.reload_with(policy_without_files()) == "policy_reloaded");
    BOOST_TEST(withdrawn->closed_by_peer(std::chrono::seconds(5)));
    const auto rec = g.record_for(withdrawn->local_port());
    BOOST_TEST(str(rec, "end") == "policy_withdrawn");
    BOOST_TEST(str(rec, "reason") == "not_catalogued");
    BOOST_TEST(str(rec, "rule") == "default:deny");
    BOOST_TEST(eventually([&] { return g.count_events("tunnels_withdrawn") == 1; }, std::chrono::seconds(3)));
    // The tunnel the new policy still allows keeps running.
    BOOST_TEST(kept->send("still"));
    BOOST_TEST(kept->recv_exactly(5) == "still");
}

BOOST_AUTO_TEST_CASE(twenty_reloads_under_load_lose_no_tunnel_and_the_broken_one_never_applies)
{
    gateway g;
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    std::string first_failure;
    // A client opening tunnels one after another, to a name both policies allow.
    std::thread client([&] {
        for (int i = 0; i < 2000 && !stop; ++i)
        {
            tls_client c(g.internet());
            const auto head = c.ok()
                                  ? c.connect("a.cdn.cloud.test:" + std::to_string(world::get().echo.port()))
                                  : std::string();
            if (head.rfind("HTTP/1.1 200", 0) == 0 && c.send("x") && c.recv_exactly(1) == "x")
            {
                ++ok;
            }
            else if (failed++ == 0)
            {
                first_failure = c.error() + " / " + head;
            }
        }
    });
    const std::string policies[] = {policy_without_files(), broken_policy, test_policy_yaml()};
    const std::string expected[] = {"policy_reloaded", "policy_rejected", "policy_reloaded"};
    for (int i = 0; i < 20; ++i)
    {
        // At least one tunnel completes between two reloads.
        const int seen = ok.load();
        BOOST_TEST(
            eventually([&] { return ok.load() > seen || failed.load() > 0; }, std::chrono::seconds(5)));
        BOOST_TEST(g.reload_with(policies[i % 3]) == expected[i % 3], "reload " << i);
        // After the broken one, the previous good policy is still in force.
        if (i % 3 == 1)
        {
            auto r = curl_via(g.internet(), url("files.cloud.test", world::get().cloud.port()));
            BOOST_TEST(r.connect_code == 403, "reload " << i);
        }
    }
    stop = true;
    client.join();
    BOOST_TEST(failed.load() == 0, first_failure);
    BOOST_TEST(ok.load() >= 20);
    BOOST_TEST(g.count_events("policy_rejected") == 7U); // reloads 1, 4, ..., 19
    BOOST_TEST(g.count_events("policy_reloaded") == 13U);
}

BOOST_AUTO_TEST_SUITE_END()
