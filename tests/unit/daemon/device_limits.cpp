// device_limits: open tunnels per device, capped; device_slot gives a slot
// back when it goes away.

#include "daemon/runtime/device_limits.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace rt = sekisho::runtime;

BOOST_AUTO_TEST_SUITE(device_limits)

BOOST_AUTO_TEST_CASE(acquire_up_to_max_then_refuse)
{
    rt::device_limits limits;
    for (std::uint32_t i = 0; i < 3; ++i)
    {
        BOOST_TEST(limits.acquire("dev-a", 3));
        BOOST_TEST(limits.open("dev-a") == i + 1);
    }
    BOOST_TEST(!limits.acquire("dev-a", 3));
    BOOST_TEST(limits.open("dev-a") == 3U);
    // A refusal takes no slot: after one release exactly one fits again.
    limits.release("dev-a");
    BOOST_TEST(limits.open("dev-a") == 2U);
    BOOST_TEST(limits.acquire("dev-a", 3));
    BOOST_TEST(!limits.acquire("dev-a", 3));
}

BOOST_AUTO_TEST_CASE(devices_are_counted_apart)
{
    rt::device_limits limits;
    BOOST_TEST(limits.acquire("dev-a", 1));
    BOOST_TEST(!limits.acquire("dev-a", 1));
    BOOST_TEST(limits.acquire("dev-b", 1));
    BOOST_TEST(limits.open("dev-a") == 1U);
    BOOST_TEST(limits.open("dev-b") == 1U);
    BOOST_TEST(limits.open("dev-c") == 0U);
}

BOOST_AUTO_TEST_CASE(release_to_zero_and_unknown)
{
    rt::device_limits limits;
    BOOST_TEST(limits.acquire("dev-a", 2));
    limits.release("dev-a");
    BOOST_TEST(limits.open("dev-a") == 0U);
    // Releasing more than was acquired, or an unknown device, changes nothing.
    limits.release("dev-a");
    limits.release("dev-x");
    BOOST_TEST(limits.open("dev-a") == 0U);
    BOOST_TEST(limits.acquire("dev-a", 1));
    BOOST_TEST(!limits.acquire("dev-a", 1));
}

BOOST_AUTO_TEST_CASE(max_zero_refuses_everything)
{
    rt::device_limits limits;
    BOOST_TEST(!limits.acquire("dev-a", 0));
    BOOST_TEST(limits.open("dev-a") == 0U);
}

BOOST_AUTO_TEST_CASE(slot_releases_on_destruction)
{
    rt::device_limits limits;
    {
        BOOST_TEST_REQUIRE(limits.acquire("dev-a", 2));
        rt::device_slot first(limits, "dev-a");
        {
            BOOST_TEST_REQUIRE(limits.acquire("dev-a", 2));
            rt::device_slot second(limits, "dev-a");
            BOOST_TEST(limits.open("dev-a") == 2U);
        }
        BOOST_TEST(limits.open("dev-a") == 1U);
    }
    BOOST_TEST(limits.open("dev-a") == 0U);
    {
        rt::device_slot empty; // holds nothing, releases nothing
    }
    BOOST_TEST(limits.open("dev-a") == 0U);
}

// Several threads competing for one device never exceed its cap and leave
// no slot behind.
BOOST_AUTO_TEST_CASE(concurrent_acquire_release_keeps_the_cap)
{
    rt::device_limits limits;
    constexpr std::uint32_t max = 3;
    std::atomic<std::uint32_t> holding{0};
    std::atomic<bool> exceeded{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
    {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i)
            {
                if (limits.acquire("dev-a", max))
                {
                    if (holding.fetch_add(1) + 1 > max)
                    {
                        exceeded = true;
                    }
                    holding.fetch_sub(1);
                    limits.release("dev-a");
                }
            }
        });
    }
    for (auto& t : threads)
    {
        t.join();
    }
    BOOST_TEST(!exceeded.load());
    BOOST_TEST(limits.open("dev-a") == 0U);
}

BOOST_AUTO_TEST_SUITE_END()
