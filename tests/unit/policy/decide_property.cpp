// Property: whatever the spelling, no target in the My Number zone is ever
// allowed, on either layer, by decide() or after vet_resolved(). A few hundred
// generated targets per run, from a fixed seed (deterministic).

#include "decide_policy.hpp"

#include <boost/test/unit_test.hpp>

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

    // An authority for an address: IPv6 text goes in brackets.
    static std::string authority(const std::string& host, const std::string& port)
    {
        return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
    }

private:
    std::mt19937 rng_;
};

constexpr int rounds = 400;

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

BOOST_AUTO_TEST_SUITE_END()
