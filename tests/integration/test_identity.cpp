// Who is asking, end to end: the device certificate is matched against the
// policy's inventory (unknown and lost devices are refused with their own
// reasons), records name the user, device and role, roles' hours and report
// mode apply to real tunnels, per-user limits hold, and time alone (a user's
// access expiring) closes an open tunnel without any reload.

#include "harness/checks.hpp"

#include <ctime>

using namespace sekisho::test;

namespace {

std::string echo_target()
{
    return "files.cloud.test:" + std::to_string(world::get().echo.port());
}

// The harness policy with `from` replaced by `to` (which must be present).
const std::string staff_role_head = "  - id: staff\n    layers: [lgwan, internet]\n";

// A weekday (sun..sat) that is not today in Asia/Tokyo.
std::string not_today_in_tokyo()
{
    const std::time_t local = std::time(nullptr) + 9 * 3600;
    std::tm tm{};
    gmtime_r(&local, &tm);
    static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    return names[(tm.tm_wday + 2) % 7];
}

void expect_denied(gateway& g, const std::string& device, const std::string& reason)
{
    tls_client c(g.internet(), device);
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    const auto head = c.connect(echo_target());
    BOOST_TEST(head.rfind("HTTP/1.1 403", 0) == 0, head);
    BOOST_TEST(head.find("reason=" + reason) != std::string::npos, head);
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "reason") == reason);
    BOOST_TEST(str(rec, "decision") == "deny");
}

} // namespace

BOOST_AUTO_TEST_SUITE(identity)

BOOST_AUTO_TEST_CASE(a_device_missing_from_the_inventory_is_refused)
{
    // Its certificate is valid (same device CA) but no devices: entry has it.
    expect_denied(shared_gateway(), "device-stranger", "unknown_device");
}

BOOST_AUTO_TEST_CASE(a_lost_device_is_refused_with_its_own_reason)
{
    expect_denied(shared_gateway(), "device-lost", "device_lost");
}

BOOST_AUTO_TEST_CASE(the_record_names_user_device_and_role)
{
    auto& g = shared_gateway();
    tls_client c(g.internet(), "device-alice");
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_REQUIRE(c.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);
    c.shutdown_write();
    BOOST_TEST(c.closed_by_peer());
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "user") == "alice");
    BOOST_TEST(str(rec, "role") == "staff");
    BOOST_TEST(str(rec.at("device").as_object(), "id") == "alice-pc");
    BOOST_TEST(rec.if_contains("would_deny") == nullptr);
}

BOOST_AUTO_TEST_CASE(hours_deny_and_report_mode_only_records)
{
    gateway g;
    const std::string hours =
        "    hours: [{days: [" + not_today_in_tokyo() + "], from: \"00:00\", to: \"24:00\"}]\n";
    BOOST_TEST(g.reload_with(test_policy_with(staff_role_head, staff_role_head + hours)) == "policy_reloaded",
               g.log());
    expect_denied(g, "device-demo", "outside_hours");

    // The same role in report mode: the tunnel opens, the record says what
    // enforcement would have done.
    const auto report = test_policy_with(staff_role_head, staff_role_head + hours + "    enforce: report\n");
    BOOST_TEST(g.reload_with(report) == "policy_reloaded", g.log());
    tls_client c(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_TEST(c.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);
    c.shutdown_write();
    BOOST_TEST(c.closed_by_peer());
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "decision") == "allow");
    BOOST_TEST(str(rec, "would_deny") == "outside_hours");

    // Report mode never opens the My Number layer.
    tls_client m(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(m.ok(), m.error());
    const auto head = m.connect("juki.mynumber.test:" + std::to_string(world::get().mynumber.port()));
    BOOST_TEST(head.find("reason=mynumber_zone") != std::string::npos, head);
}

BOOST_AUTO_TEST_CASE(a_roles_tunnel_limit_per_user_holds)
{
    gateway g;
    const auto limited =
        test_policy_with(staff_role_head, staff_role_head + "    limits: {tunnels_per_user: 1}\n");
    BOOST_TEST(g.reload_with(limited) == "policy_reloaded", g.log());
    tls_client first(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(first.ok(), first.error());
    BOOST_REQUIRE(first.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);
    tls_client second(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(second.ok(), second.error());
    const auto head = second.connect(echo_target());
    BOOST_TEST(head.rfind("HTTP/1.1 429", 0) == 0, head);
    BOOST_TEST(head.find("user_tunnel_limit") != std::string::npos, head);
    // Another user is not affected.
    tls_client other(g.internet(), "device-alice");
    BOOST_REQUIRE_MESSAGE(other.ok(), other.error());
    BOOST_TEST(other.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);
}

BOOST_AUTO_TEST_CASE(time_alone_closes_a_tunnel_whose_permission_ran_out)
{
    gateway_options o;
    o.timeouts.push_back("policy_recheck: 1s");
    gateway g(o);
    const auto expiring = test_policy_with(
        "  - {id: alice, name: Alice, roles: [staff]}\n",
        "  - {id: alice, name: Alice, roles: [staff], expires: " + utc_in(std::chrono::seconds(8)) + "}\n");
    // 8 s: room for the reload and the first tunnel on a loaded ASan build.
    BOOST_TEST(g.reload_with(expiring) == "policy_reloaded", g.log());
    tls_client c(g.internet(), "device-alice");
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_REQUIRE(c.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);
    BOOST_REQUIRE(c.send("ping") && c.recv_exactly(4) == "ping");
    // No reload: the periodic re-check sees the expiry.
    BOOST_TEST(c.closed_by_peer(std::chrono::seconds(15)));
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "end") == "policy_withdrawn");
    BOOST_TEST(str(rec, "reason") == "user_expired");
    BOOST_TEST(g.log().find("cause=time") != std::string::npos, g.log());
}

BOOST_AUTO_TEST_SUITE_END()
