// Hours (Asia/Tokyo, UTC+9 all year): within_hours() for ordinary windows,
// windows past midnight (which belong to the day they start), "24:00", the
// Tokyo day against the UTC day and several windows; how `hours:` is read.

#include "decide_policy.hpp"
#include "identity_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sp = sekisho::policy;
namespace st = sekisho::test;
using st::at;

namespace {

// Weekday bits (0 = Sunday).
constexpr std::uint8_t sun = 1U << 0;
constexpr std::uint8_t mon = 1U << 1;
constexpr std::uint8_t wed = 1U << 3;
constexpr std::uint8_t thu = 1U << 4;
constexpr std::uint8_t fri = 1U << 5;
constexpr std::uint8_t sat = 1U << 6;
constexpr std::uint8_t weekdays = 0x3e;

constexpr int hhmm(int h, int m)
{
    return h * 60 + m;
}

sp::hours_window window(std::uint8_t days, int from, int to)
{
    sp::hours_window w;
    w.days = days;
    w.from = from;
    w.to = to;
    return w;
}

void expect_within(const std::vector<sp::hours_window>& windows,
                   std::initializer_list<const char*> inside,
                   std::initializer_list<const char*> outside)
{
    for (const char* t : inside)
    {
        BOOST_TEST(sp::within_hours(windows, at(t)), t << " should be inside");
    }
    for (const char* t : outside)
    {
        BOOST_TEST(!sp::within_hours(windows, at(t)), t << " should be outside");
    }
}

// The hours: of the first role of a policy read from text.
sp::load_result load_hours(const std::string& hours)
{
    return sp::load_policy_text(st::destinations_yaml() +
                                    "roles:\n  - id: staff\n    layers: [internet]\n    services: [news]\n"
                                    "    data_class: 1\n    hours:\n" +
                                    hours,
                                "hours.yaml");
}

} // namespace

BOOST_AUTO_TEST_SUITE(hours)

// 2027-04-01 is a Thursday.
BOOST_AUTO_TEST_CASE(no_windows_means_any_time)
{
    for (const char* t : {"2027-04-01T00:00+09:00", "2027-04-03T03:00+09:00", "1999-12-31T23:59:59Z"})
    {
        BOOST_TEST(sp::within_hours({}, at(t)), t);
    }
}

BOOST_AUTO_TEST_CASE(ordinary_window)
{
    expect_within({window(weekdays, hhmm(8, 0), hhmm(20, 0))},
                  {"2027-04-01T08:00+09:00",
                   "2027-04-01T19:59:59+09:00",
                   "2027-04-05T08:00+09:00", // Monday
                   "2027-04-02T12:00+09:00", // Friday
                   "2027-04-01T03:00Z"},     // 12:00 in Tokyo
                  {"2027-04-01T07:59:59+09:00",
                   "2027-04-01T20:00+09:00",
                   "2027-04-03T12:00+09:00", // Saturday
                   "2027-04-04T12:00+09:00", // Sunday
                   "2027-04-01T12:00Z"});    // 21:00 in Tokyo
}

// fri 22:00-06:00 runs into Saturday morning and belongs to Friday.
BOOST_AUTO_TEST_CASE(window_past_midnight)
{
    expect_within({window(fri, hhmm(22, 0), hhmm(6, 0))},
                  {"2027-04-02T22:00+09:00",
                   "2027-04-02T23:59:59+09:00",
                   "2027-04-03T00:00+09:00",
                   "2027-04-03T05:59+09:00",
                   "2027-04-03T05:59:59+09:00"},
                  {"2027-04-02T21:59+09:00",
                   "2027-04-03T06:00+09:00",
                   "2027-04-02T05:59+09:00",   // Friday morning: Thursday has no window
                   "2027-04-01T23:00+09:00",   // Thursday night
                   "2027-04-03T22:00+09:00",   // Saturday night
                   "2027-04-04T05:59+09:00"}); // Sunday morning
}

// "24:00" ends a window at midnight; 00:00-24:00 is the whole day.
BOOST_AUTO_TEST_CASE(window_ending_at_24_00)
{
    expect_within({window(mon, hhmm(20, 0), hhmm(24, 0))},
                  {"2027-04-05T20:00+09:00", "2027-04-05T23:59:59+09:00"},
                  {"2027-04-05T19:59+09:00", "2027-04-06T00:00+09:00", "2027-04-05T00:30+09:00"});
    expect_within({window(sat, 0, hhmm(24, 0))},
                  {"2027-04-03T00:00+09:00", "2027-04-03T12:00+09:00", "2027-04-03T23:59:59+09:00"},
                  {"2027-04-02T23:59:59+09:00", "2027-04-04T00:00+09:00"});
}

// The day is the day in Tokyo, not in UTC.
BOOST_AUTO_TEST_CASE(tokyo_day_not_utc_day)
{
    expect_within({window(thu, 0, hhmm(24, 0))},
                  {"2027-04-01T23:30+09:00",   // Thursday in Tokyo and in UTC (14:30)
                   "2027-04-01T00:30+09:00",   // Thursday in Tokyo, Wednesday 15:30 in UTC
                   "2027-03-31T15:00Z",        // Thursday 00:00 in Tokyo
                   "2027-04-01T14:59:59Z",     // Thursday 23:59:59 in Tokyo
                   "2027-04-01T00:30-05:00"},  // 14:30 in Tokyo
                  {"2027-04-01T20:30Z",        // Thursday in UTC, Friday 05:30 in Tokyo
                   "2027-03-31T14:59:59Z",     // Wednesday 23:59:59 in Tokyo
                   "2027-04-01T15:00Z",        // Friday 00:00 in Tokyo
                   "2027-04-01T11:00-05:00"}); // Thursday in New York, Friday 01:00 in Tokyo
    // The same instant, written with any offset, is the same Tokyo time.
    BOOST_TEST((at("2027-04-01T23:30+09:00") == at("2027-04-01T14:30Z")));
    // Before 1970 too (1969-12-31 was a Wednesday).
    expect_within({window(wed, hhmm(18, 0), hhmm(20, 0))},
                  {"1969-12-31T10:00Z"},
                  {"1969-12-31T12:00Z", "1969-12-31T08:59Z"});
}

BOOST_AUTO_TEST_CASE(several_windows)
{
    const std::vector<sp::hours_window> windows{window(weekdays, hhmm(8, 0), hhmm(12, 0)),
                                                window(weekdays, hhmm(13, 0), hhmm(17, 30)),
                                                window(sat, hhmm(9, 0), hhmm(12, 0)),
                                                window(sun, hhmm(23, 0), hhmm(1, 0))};
    expect_within(windows,
                  {"2027-04-01T08:00+09:00",
                   "2027-04-01T11:59+09:00",
                   "2027-04-01T13:00+09:00",
                   "2027-04-01T17:29+09:00",
                   "2027-04-03T09:00+09:00",
                   "2027-04-04T23:30+09:00",  // Sunday night
                   "2027-04-05T00:59+09:00"}, // into Monday
                  {"2027-04-01T12:00+09:00",
                   "2027-04-01T12:59+09:00",
                   "2027-04-01T17:30+09:00",
                   "2027-04-03T12:00+09:00",
                   "2027-04-04T12:00+09:00",
                   "2027-04-05T01:00+09:00",
                   "2027-04-06T00:30+09:00"}); // Tuesday: Monday has no night window
}

BOOST_AUTO_TEST_CASE(describe_a_window)
{
    BOOST_TEST(sp::describe(window(weekdays, hhmm(8, 0), hhmm(20, 0))) ==
               "mon,tue,wed,thu,fri 08:00-20:00 JST");
    BOOST_TEST(sp::describe(window(fri, hhmm(22, 0), hhmm(6, 0))) == "fri 22:00-06:00 JST");
    BOOST_TEST(sp::describe(window(sat | sun, 0, hhmm(24, 0))) == "sun,sat 00:00-24:00 JST");
    BOOST_TEST(sp::describe(window(mon, hhmm(9, 5), hhmm(9, 6))) == "mon 09:05-09:06 JST");
}

// Day names and ranges (wrapping past Saturday), times and "24:00".
BOOST_AUTO_TEST_CASE(hours_are_read)
{
    auto loaded = load_hours("      - {days: [mon-fri], from: \"08:30\", to: \"17:15\"}\n"
                             "      - {days: [fri-mon], from: \"22:00\", to: \"06:00\"}\n"
                             "      - {days: [sun, wed-thu], from: \"00:00\", to: \"24:00\"}\n"
                             "      - {days: [sat, sat], from: \"23:59\", to: \"00:00\"}\n");
    BOOST_TEST_REQUIRE(!loaded.diags.has_errors(), loaded.diags.to_string());
    BOOST_TEST_REQUIRE(loaded.document->roles.size() == 1U);
    const auto& h = loaded.document->roles[0].hours;
    BOOST_TEST_REQUIRE(h.size() == 4U);
    BOOST_TEST(h[0].days == weekdays);
    BOOST_TEST(h[0].from == hhmm(8, 30));
    BOOST_TEST(h[0].to == hhmm(17, 15));
    BOOST_TEST(h[1].days == (fri | sat | sun | mon));
    BOOST_TEST(h[1].from == hhmm(22, 0));
    BOOST_TEST(h[1].to == hhmm(6, 0));
    BOOST_TEST(h[2].days == (sun | wed | thu));
    BOOST_TEST(h[2].to == hhmm(24, 0));
    BOOST_TEST(h[3].days == sat);
    BOOST_TEST(h[3].from == hhmm(23, 59));
    BOOST_TEST(h[3].to == 0);
    BOOST_TEST(h[0].where.line > 0);
}

BOOST_AUTO_TEST_CASE(bad_hours_are_errors)
{
    const std::pair<const char*, const char*> cases[] = {
        {"      - {days: [mon], from: \"25:00\", to: \"26:00\"}\n", ".from `25:00` is not a time of day"},
        {"      - {days: [mon], from: \"24:00\", to: \"24:00\"}\n",
         "hours[0].from `24:00` is not a time of day"},
        {"      - {days: [mon], from: \"8:00\", to: \"17:00\"}\n", "`8:00` is not a time of day"},
        {"      - {days: [mon], from: \"08:60\", to: \"17:00\"}\n", "`08:60` is not a time of day"},
        {"      - {days: [mon], from: \"08:00\", to: \"24:01\"}\n", "`24:01` is not a time of day"},
        {"      - {days: [mon], from: \"08:00\", to: \"8am\"}\n", "`8am` is not a time of day"},
        {"      - {days: [mon], from: \"09:00\", to: \"09:00\"}\n",
         "starts and ends at 09:00: the window is empty"},
        {"      - {days: [mon], from: \"00:00\", to: \"00:00\"}\n", "the window is empty"},
        {"      - {days: [], from: \"08:00\", to: \"17:00\"}\n", "hours[0].days is empty"},
        {"      - {days: [funday], from: \"08:00\", to: \"17:00\"}\n", "days[0] `funday` is not a day"},
        {"      - {days: [mon-fun], from: \"08:00\", to: \"17:00\"}\n", "`mon-fun` is not a day"},
        {"      - {days: [Mon], from: \"08:00\", to: \"17:00\"}\n", "`Mon` is not a day"},
        {"      - {days: mon, from: \"08:00\", to: \"17:00\"}\n", "days"},
        {"      - {days: [mon], from: \"08:00\"}\n", "missing the required key `to`"},
        {"      - {days: [mon], from: \"08:00\", to: \"17:00\", tz: UTC}\n", "unknown key `tz`"},
        {"      []\n", "hours is empty"},
    };
    for (const auto& [hours, message] : cases)
    {
        const auto loaded = load_hours(hours);
        BOOST_TEST(loaded.diags.has_errors(), hours);
        BOOST_TEST(st::has_error(loaded.diags, message), message << ": " << loaded.diags.to_string());
    }
    // The hints say how to write it.
    BOOST_TEST(st::has_error(load_hours("      - {days: [mon], from: \"24:00\", to: \"24:00\"}\n").diags,
                             "is not a time of day",
                             "00:00 to 23:59"));
    BOOST_TEST(st::has_error(load_hours("      - {days: [mon], from: \"09:00\", to: \"09:00\"}\n").diags,
                             "the window is empty",
                             "to: \"24:00\""));
}

// A role's hours past midnight in a decision: Friday night into Saturday.
BOOST_AUTO_TEST_CASE(decisions_follow_the_night_window)
{
    const auto now = at(st::thursday_10am);
    const sekisho::test::asker ask{st::compile_ok(st::policy_yaml(R"(roles:
  - id: night
    layers: [internet]
    services: [groupware]
    data_class: 2
    hours: [{days: [fri], from: "22:00", to: "06:00"}]
users:
  - {id: tanaka, roles: [night]}
  - {id: suzuki, roles: [night]}
)"),
                                                  now),
                                   now};
    const char* target = "files.cloud.example:443";
    for (const char* t : {"2027-04-02T22:00+09:00", "2027-04-03T05:59+09:00"})
    {
        st::check(ask.ask_at(at(t), sp::layer::internet, target, "tanaka", "pc-1"),
                  t,
                  "allowed",
                  "service:groupware");
    }
    for (const char* t : {"2027-04-02T21:59+09:00", "2027-04-03T06:00+09:00", "2027-04-03T23:00+09:00"})
    {
        const auto r = ask.ask_at(at(t), sp::layer::internet, target, "tanaka", "pc-1");
        st::check(r, t, "outside_hours", "role:night");
        BOOST_TEST(r.detail == "fri 22:00-06:00 JST");
    }
}

BOOST_AUTO_TEST_SUITE_END()
