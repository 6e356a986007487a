// Property: whatever the spelling, no target in the My Number zone is ever
// allowed, on either layer, by decide() or after vet_resolved(). A few hundred
// generated targets per run, from a fixed seed (deterministic). Random
// policies whose roles grant every entry (so that allows really happen),
// some of them only reporting, must still never allow one.

#include "decide_policy.hpp"
#include "identity_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace sp = sekisho::policy;
namespace st = sekisho::test;

namespace {

class generator
{
public:
    explicit generator(unsigned seed) : rng_(seed) {}

    unsigned below(unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng_); }

    std::string port() { return std::to_string(1 + below(65535)); }

    std::string label()
    {
        static constexpr char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        std::string out;
        const unsigned len = 1 + below(20);
        for (unsigned i = 0; i < len; ++i)
        {
            out += chars[below(sizeof chars - 1)];
        }
        if (len > 2 && below(3) == 0)
        {
            out[len / 2] = '-';
        }
        return out;
    }

    // Names at or below a My Number suffix, in mixed case, sometimes
    // with the trailing dot.
    std::string mynumber_name()
    {
        static constexpr const char* suffixes[] = {
            "mynumber.example.jp", "MyNumber.Example.JP", "juki.lg.jp", "JUKI.LG.JP"};
        std::string out;
        const unsigned depth = below(4);
        for (unsigned i = 0; i < depth; ++i)
        {
            out += label() + ".";
        }
        out += suffixes[below(4)];
        if (below(4) == 0)
        {
            out += '.';
        }
        return out;
    }

    // An address in 10.20.0.0/16 or fd00:20::/32, in one of its spellings,
    // or the NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address carrying it.
    std::string mynumber_address()
    {
        const unsigned a = below(256);
        const unsigned b = below(256);
        char buf[96];
        switch (below(7))
        {
            case 0:
                std::snprintf(buf, sizeof buf, "10.20.%u.%u", a, b);
                break;
            case 1:
                std::snprintf(buf, sizeof buf, "::ffff:10.20.%u.%u", a, b);
                break;
            case 2:
                std::snprintf(
                    buf, sizeof buf, below(2) == 0 ? "::ffff:a14:%x" : "::FFFF:0A14:%04X", (a << 8) | b);
                break;
            case 3:
                std::snprintf(buf, sizeof buf, "0:0:0:0:0:ffff:a14:%x", (a << 8) | b);
                break;
            case 4:
                if (below(2) == 0)
                {
                    std::snprintf(buf, sizeof buf, "64:ff9b::10.20.%u.%u", a, b);
                }
                else
                {
                    std::snprintf(buf, sizeof buf, "64:ff9b::a14:%x", (a << 8) | b);
                }
                break;
            case 5:
                std::snprintf(
                    buf, sizeof buf, "2002:a14:%x:%x::%x", (a << 8) | b, below(65536), below(65536));
                break;
            default:
                std::snprintf(buf, sizeof buf, "fd00:20:%x:%x::%x", below(65536), a, b);
                break;
        }
        return buf;
    }

    // A lower-case DNS label (policy names are canonical).
    std::string lower_label()
    {
        static constexpr char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        std::string out;
        const unsigned len = 1 + below(12);
        for (unsigned i = 0; i < len; ++i)
        {
            out += chars[below(sizeof chars - 1)];
        }
        return out;
    }

    // An authority for an address: IPv6 text goes in brackets.
    static std::string authority(const std::string& host, const std::string& port)
    {
        return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
    }

private:
    std::mt19937 rng_;
};

constexpr int rounds = 400;

std::string two_digits(unsigned v)
{
    return (v < 10 ? "0" : "") + std::to_string(v);
}

// An entry of a random policy and the ports it lists.
struct entry
{
    std::string host;
    std::vector<std::string> ports;
    bool local_breakout = false;
};

// A random policy with the zones of decide_policy.hpp: 1-3 screen-transfer
// endpoints and 1-6 services with random names, ports and data classes, all
// tagged `all`, in a random network model. tanaka (pc-1, posture checked)
// holds `everything`, which grants every entry on both layers and whose
// conditions always hold with both factors, and `extra`, with random hours,
// MFA and mode, in random order. suzuki (pc-2, never checked) holds only
// `pilot`, a report-mode role granting one service.
struct random_policy
{
    std::string yaml;
    std::string model;
    std::vector<entry> endpoints;
    std::vector<entry> services;
};

std::string random_window(generator& gen)
{
    static constexpr const char* days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    const unsigned from = gen.below(24 * 60);
    unsigned to = 1 + gen.below(24 * 60);
    if (to % (24 * 60) == from)
    {
        to = 24 * 60;
    }
    const auto clock = [](unsigned m) {
        return "\"" + two_digits(m / 60) + ":" + two_digits(m % 60) + "\"";
    };
    return "[{days: [" + std::string(days[gen.below(7)]) + "-" + days[gen.below(7)] +
           "], from: " + clock(from) + ", to: " + clock(to) + "}]";
}

random_policy make_policy(generator& gen)
{
    static constexpr const char* models[] = {"alpha", "alpha_prime", "beta", "beta_prime"};
    static constexpr const char* classes[] = {"1", "2", "3C"};
    random_policy p;
    p.model = models[gen.below(4)];
    const bool beta = p.model.rfind("beta", 0) == 0;
    std::string y = "version: 1\nmodel: " + p.model +
                    "\nzones:\n"
                    "  mynumber:\n"
                    "    cidrs: [10.20.0.0/16, \"fd00:20::/32\"]\n"
                    "    domains: [mynumber.example.jp, juki.lg.jp]\n"
                    "  lgwan:\n"
                    "    cidrs: [10.10.0.0/16, \"fd00:10::/32\"]\n"
                    "    domains: [lgwan.example.jp, lg.jp]\n"
                    "  internet:\n"
                    "    cidrs: [198.51.100.0/24]\n"
                    "    domains: []\n";
    const auto ports = [&gen](entry& e) {
        std::string out;
        const unsigned n = 1 + gen.below(3);
        for (unsigned k = 0; k < n; ++k)
        {
            e.ports.push_back(std::to_string(1 + gen.below(65535)));
            out += (k == 0 ? "" : ", ") + e.ports.back();
        }
        return "[" + out + "]";
    };
    y += "screen_transfer:\n";
    const unsigned endpoints = 1 + gen.below(3);
    for (unsigned i = 0; i < endpoints; ++i)
    {
        entry e;
        e.host = gen.below(2) == 0 ? "e" + std::to_string(i) + "-" + gen.lower_label() + ".lgwan.example.jp"
                                   : "10.10." + std::to_string(i) + "." + std::to_string(1 + gen.below(254));
        y += "  - id: e" + std::to_string(i) + "\n    host: \"" + e.host + "\"\n    ports: " + ports(e) +
             "\n    tags: [all]\n    controls: {clipboard: false, file_transfer: false, printing: false, "
             "drive_mapping: false}\n";
        p.endpoints.push_back(e);
    }
    y += "services:\n";
    const unsigned services = 1 + gen.below(6);
    for (unsigned i = 0; i < services; ++i)
    {
        entry e;
        e.host = "s" + std::to_string(i) + "-" + gen.lower_label() + ".example.com";
        e.local_breakout = p.model == "alpha_prime" && gen.below(2) == 0;
        y += "  - id: s" + std::to_string(i) + "\n    domains: [" + e.host + "]\n    ports: " + ports(e) +
             "\n    data_class: " + classes[gen.below(3)] + "\n    tags: [all]\n" +
             "    certification: {scheme: ismap, number: P-" + std::to_string(i) +
             ", valid_until: 2099-12-31}\n" + (e.local_breakout ? "    local_breakout: true\n" : "");
        p.services.push_back(e);
    }
    const auto mode = [&gen] {
        return gen.below(2) == 0 ? "enforce" : "report";
    };
    y += "roles:\n"
         "  - id: everything\n"
         "    layers: [lgwan, internet]\n"
         "    services: [\"tag:all\"]\n"
         "    screen_transfer: [\"tag:all\"]\n"
         "    data_class: 3C\n"
         "    posture_max_age: 7d\n"
         "    enforce: " +
         std::string(mode()) +
         "\n"
         "  - id: extra\n"
         "    layers: [lgwan, internet]\n"
         "    services: [\"tag:all\"]\n"
         "    screen_transfer: [\"tag:all\"]\n"
         "    data_class: 3C\n"
         "    posture_max_age: 7d\n"
         "    hours: " +
         random_window(gen) + "\n    mfa: " + (beta || gen.below(2) == 0 ? "true" : "false") +
         "\n    enforce: " + mode() +
         "\n"
         "  - id: pilot\n"
         "    layers: [internet]\n"
         "    services: [s0]\n"
         "    data_class: 3C\n"
         "    posture_max_age: 7d\n"
         "    hours: " +
         random_window(gen) +
         "\n"
         "    enforce: report\n";
    y += std::string("users:\n  - {id: tanaka, roles: ") +
         (gen.below(2) == 0 ? "[everything, extra]" : "[extra, everything]") +
         "}\n"
         "  - {id: suzuki, roles: [pilot]}\n"
         "devices:\n"
         "  - {id: pc-1, owner: tanaka, kind: lent, status: active, serial: \"01\",\n"
         "     posture_verified: \"2027-03-31T10:00+09:00\"}\n"
         "  - {id: pc-2, owner: suzuki, kind: lent, status: active, serial: \"02\"}\n";
    p.yaml = std::move(y);
    return p;
}

std::string authority_of(const std::string& host, const std::string& port)
{
    return host + ":" + port;
}

} // namespace

BOOST_AUTO_TEST_SUITE(decide)

BOOST_AUTO_TEST_CASE(mynumber_targets_never_allowed)
{
    const st::decider d{st::compile_text(st::decide_policy_yaml)};
    generator gen(20240601U);
    for (int i = 0; i < rounds; ++i)
    {
        const auto target = i % 2 == 0 ? gen.mynumber_name() + ":" + gen.port()
                                       : generator::authority(gen.mynumber_address(), gen.port());
        for (sp::layer l : {sp::layer::internet, sp::layer::lgwan})
        {
            const auto r = d.on(l, target);
            BOOST_TEST_CONTEXT("target " << target << " on " << sp::to_string(l))
            {
                BOOST_TEST(!r.allowed());
                BOOST_TEST(sp::to_string(r.why) == "mynumber_zone");
            }
        }
    }
}

// Allowed names whose answers include one My Number address, anywhere in
// the list, are denied.
BOOST_AUTO_TEST_CASE(mynumber_answers_never_pass_vetting)
{
    const st::decider d{st::compile_text(st::decide_policy_yaml)};
    generator gen(7U);
    const char* good_internet[] = {"8.8.8.8", "2001:4860::8888", "198.51.100.9"};
    const char* good_lgwan[] = {"10.10.0.7", "fd00:10::7"};
    for (int i = 0; i < rounds; ++i)
    {
        const bool lgwan = i % 2 == 1;
        const auto req = lgwan ? d.request_for(sp::layer::lgwan, "vdi.lgwan.example.jp:443")
                               : d.request_for(sp::layer::internet, "files.cloud.example:443");
        const auto by_name = sp::decide(*d.snap, req, st::fixed_now);
        BOOST_TEST_REQUIRE(by_name.allowed());

        std::vector<sp::ip_address> answers;
        const unsigned extra = gen.below(4);
        for (unsigned k = 0; k < extra; ++k)
        {
            answers.push_back(lgwan ? st::ip(good_lgwan[gen.below(2)]) : st::ip(good_internet[gen.below(3)]));
        }
        const auto bad = gen.mynumber_address();
        answers.insert(answers.begin() + static_cast<std::ptrdiff_t>(gen.below(extra + 1)), st::ip(bad));
        const auto r = sp::vet_resolved(*d.snap, req, by_name, answers);
        BOOST_TEST_CONTEXT("answer " << bad << " among " << answers.size())
        {
            BOOST_TEST(!r.allowed());
            BOOST_TEST(sp::to_string(r.why) == "mynumber_zone");
        }
    }
}

// Other spellings that carry a My Number address (IPv4-compatible, the
// local-use NAT64 prefix) are not classified as it, but are never reachable
// either.
BOOST_AUTO_TEST_CASE(translated_forms_never_allowed)
{
    const st::decider d{st::compile_text(st::decide_policy_yaml)};
    generator gen(99U);
    for (int i = 0; i < rounds / 4; ++i)
    {
        const unsigned low = (gen.below(256) << 8) | gen.below(256);
        char buf[64];
        const char* formats[] = {"::a14:%x", "64:ff9b:1::a14:%x", "64:ff9b:1:a14:%x::", "::ffff:0:a14:%x"};
        std::snprintf(buf, sizeof buf, formats[i % 4], low);
        const auto target = generator::authority(buf, gen.port());
        for (sp::layer l : {sp::layer::internet, sp::layer::lgwan})
        {
            BOOST_TEST_CONTEXT("target " << target)
            {
                BOOST_TEST(!d.on(l, target).allowed());
            }
        }
    }
}

// Random policies in every network model: what `everything` grants is
// allowed (so the policies really allow), yet no My Number target is, for
// any user, factor count or time, with enforcing or report-mode roles, by
// name, by address or through DNS answers.
BOOST_AUTO_TEST_CASE(random_policies_with_roles_never_allow_mynumber)
{
    generator gen(31415U);
    const auto now = st::at(st::thursday_10am);
    std::size_t allowed = 0;
    std::size_t reported = 0;
    for (int n = 0; n < 60; ++n)
    {
        const auto p = make_policy(gen);
        BOOST_TEST_CONTEXT("policy " << n << ":\n" << p.yaml)
        {
            const st::asker ask{st::compile_ok(p.yaml, now), now};
            // Any time while pc-1's posture report is fresh (until 2027-04-07 10:00).
            const auto when = [&gen, &now] {
                return now + std::chrono::minutes(gen.below(5 * 24 * 60));
            };

            for (const auto& svc : p.services)
            {
                for (const auto& port : svc.ports)
                {
                    const auto target = authority_of(svc.host, port);
                    const auto r = ask.ask_at(when(), sp::layer::internet, target, "tanaka", "pc-1");
                    BOOST_TEST(r.allowed(), target << ": " << sp::to_string(r.why) << " by " << r.rule_id);
                    allowed += r.allowed() ? 1U : 0U;
                    const auto lg = ask.ask_at(when(), sp::layer::lgwan, target, "tanaka", "pc-1");
                    BOOST_TEST(lg.allowed() == svc.local_breakout,
                               target << " from lgwan: " << sp::to_string(lg.why));
                    // pilot only reports, so suzuki is let through (and recorded).
                    const auto pilot = ask.ask_at(when(), sp::layer::internet, target, "suzuki", "pc-2");
                    BOOST_TEST(pilot.allowed(), target << ": " << sp::to_string(pilot.why));
                    BOOST_TEST(pilot.report_only(), target);
                    reported += pilot.report_only() ? 1U : 0U;
                }
            }
            for (const auto& ep : p.endpoints)
            {
                for (const auto& port : ep.ports)
                {
                    const auto target = authority_of(ep.host, port);
                    const auto r = ask.ask_at(when(), sp::layer::lgwan, target, "tanaka", "pc-1");
                    BOOST_TEST(r.allowed(), target << ": " << sp::to_string(r.why) << " by " << r.rule_id);
                    allowed += r.allowed() ? 1U : 0U;
                }
            }

            for (int i = 0; i < 20; ++i)
            {
                const auto target = i % 2 == 0 ? gen.mynumber_name() + ":" + gen.port()
                                               : generator::authority(gen.mynumber_address(), gen.port());
                for (sp::layer l : {sp::layer::internet, sp::layer::lgwan})
                {
                    for (const char* user : {"tanaka", "suzuki"})
                    {
                        const auto r = ask.ask_at(
                            when(), l, target, user, user[0] == 't' ? "pc-1" : "pc-2", gen.below(2) == 0);
                        BOOST_TEST_CONTEXT("target " << target << " on " << sp::to_string(l) << " as "
                                                     << user)
                        {
                            BOOST_TEST(!r.allowed());
                            BOOST_TEST(sp::to_string(r.why) == "mynumber_zone");
                            BOOST_TEST(!r.report_only());
                        }
                    }
                }
            }

            // Allowed names whose DNS answers include a My Number address.
            for (const auto& svc : p.services)
            {
                for (const char* user : {"tanaka", "suzuki"})
                {
                    std::string why;
                    const auto t = sp::parse_authority(authority_of(svc.host, svc.ports.front()), &why);
                    BOOST_TEST_REQUIRE(t.has_value(), why);
                    const sp::request req{
                        sp::layer::internet, *t, user, user[0] == 't' ? "pc-1" : "pc-2", true};
                    const std::vector<sp::ip_address> answers{st::ip("198.51.100.9"),
                                                              st::ip(gen.mynumber_address())};
                    const auto r = sp::decide_resolved(*ask.snap, req, when(), answers);
                    BOOST_TEST(!r.allowed(), svc.host << " as " << user);
                    BOOST_TEST(sp::to_string(r.why) == "mynumber_zone");
                }
            }
        }
    }
    // The policies really allowed, both by granting and by only reporting.
    BOOST_TEST(allowed > 200U);
    BOOST_TEST(reported > 100U);
}

BOOST_AUTO_TEST_SUITE_END()
