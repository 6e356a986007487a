// `factors:` on a role: the device certificate always, password and TOTP
// together as one sign-in; the β models need two factors on internet roles.

#include "policy/load.hpp"
#include "policy/snapshot.hpp"

#include <boost/test/unit_test.hpp>

namespace sp = sekisho::policy;

namespace {

std::string policy_with(const std::string& model, const std::string& role_extra)
{
    return "version: 1\nmodel: " + model +
           "\nzones:\n  mynumber: {cidrs: [10.20.0.0/16]}\n  lgwan: {cidrs: [10.10.0.0/16]}\n"
           "  internet: {cidrs: []}\nservices:\n  - {id: s, domains: [s.example.com], ports: [443], "
           "data_class: 1}\n"
           "roles:\n  - {id: r, layers: [internet], services: [s], data_class: 1, posture_max_age: 7d" +
           role_extra + "}\nusers:\n  - {id: u, roles: [r]}\n";
}

sp::diagnostics check(const std::string& text, bool* mfa = nullptr)
{
    auto loaded = sp::load_policy_text(text, "factors.yaml");
    sp::diagnostics diags = loaded.diags;
    if (loaded.document && !loaded.diags.has_errors())
    {
        auto snap = sp::compile(std::move(*loaded.document), {}, diags);
        if (snap && mfa != nullptr)
        {
            *mfa = snap->document().roles.front().mfa;
        }
    }
    return diags;
}

bool has(const sp::diagnostics& d, const std::string& text)
{
    for (const auto& item : d.items())
    {
        if (item.level == sp::severity::error && item.message.find(text) != std::string::npos)
        {
            return true;
        }
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(factors)

BOOST_AUTO_TEST_CASE(factors_spell_out_mfa)
{
    bool mfa = false;
    auto d = check(policy_with("alpha", ", factors: [device, password, totp]"), &mfa);
    BOOST_TEST(!d.has_errors(), d.to_string());
    BOOST_TEST(mfa);
    d = check(policy_with("alpha", ", factors: [device]"), &mfa);
    BOOST_TEST(!d.has_errors(), d.to_string());
    BOOST_TEST(!mfa);
}

BOOST_AUTO_TEST_CASE(beta_refuses_a_single_factor_internet_role)
{
    const auto d = check(policy_with("beta", ", factors: [device]"));
    BOOST_TEST(has(d, "requires MFA on every internet-layer role"), d.to_string());
    BOOST_TEST(!check(policy_with("beta", ", factors: [device, password, totp]")).has_errors());
}

BOOST_AUTO_TEST_CASE(mistakes_are_errors)
{
    BOOST_TEST(has(check(policy_with("alpha", ", factors: [password, totp]")), "must include `device`"));
    BOOST_TEST(has(check(policy_with("alpha", ", factors: [device, sms]")), "`sms` is not a factor"));
    BOOST_TEST(has(check(policy_with("alpha", ", factors: [device], mfa: true")), "say the same thing"));
}

BOOST_AUTO_TEST_SUITE_END()
