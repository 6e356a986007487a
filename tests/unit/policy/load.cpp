// Loading a policy: the shipped example, warnings that do not reject, every
// error of a file reported in one run, content hashes.
// (The broken-policy fixture folder is in load_fixtures.cpp.)

#include "policy/load.hpp"

#include "policy/snapshot.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>

namespace sp = sekisho::policy;

namespace {

const std::string example_policy = std::string(SEKISHO_SOURCE_DIR) + "/config/policy.yaml";

std::size_t warning_count(const sp::diagnostics& d)
{
    return static_cast<std::size_t>(std::count_if(
        d.items().begin(), d.items().end(), [](const auto& i) { return i.level == sp::severity::warning; }));
}

// A throwaway ${SEKISHO_PKI} holding the devices.yaml that scripts/mkpki
// would write for the demo device; the variable is restored afterwards.
class pki_dir
{
public:
    pki_dir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "sekisho-pki-XXXXXX").string();
        root_ = ::mkdtemp(pattern.data());
        const std::string fingerprint(64, 'a');
        std::ofstream(devices_file()) << "devices:\n"
                                         "  - id: demo-pc\n"
                                         "    owner: demo\n"
                                         "    fingerprint: \""
                                      << fingerprint
                                      << "\"\n"
                                         "    kind: lent\n"
                                         "    status: active\n";
        if (const char* old = std::getenv("SEKISHO_PKI"))
        {
            saved_ = old;
        }
        ::setenv("SEKISHO_PKI", root_.c_str(), 1);
    }
    ~pki_dir()
    {
        if (saved_)
        {
            ::setenv("SEKISHO_PKI", saved_->c_str(), 1);
        }
        else
        {
            ::unsetenv("SEKISHO_PKI");
        }
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }
    pki_dir(const pki_dir&) = delete;
    pki_dir& operator=(const pki_dir&) = delete;

    std::string devices_file() const { return (root_ / "devices.yaml").string(); }

private:
    std::filesystem::path root_;
    std::optional<std::string> saved_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(load)

// config/policy.yaml loads with no error and no warning, and compiles with
// no error. It includes the device inventory scripts/mkpki writes into
// ${SEKISHO_PKI}; the test writes one with the demo's device.
BOOST_AUTO_TEST_CASE(example_policy_loads)
{
    const pki_dir pki;
    auto loaded = sp::load_policy_file(example_policy);
    BOOST_TEST_REQUIRE(loaded.document.has_value(), loaded.diags.to_string());
    BOOST_TEST(loaded.diags.items().empty(), loaded.diags.to_string());
    const auto& doc = *loaded.document;
    BOOST_TEST(doc.version == 1);
    BOOST_TEST((doc.model == sp::network_model::alpha));
    BOOST_TEST(doc.source_file == example_policy);
    BOOST_TEST_REQUIRE(doc.mynumber.cidrs.size() == 1U);
    BOOST_TEST(doc.mynumber.cidrs[0].to_string() == "127.0.20.0/24");
    BOOST_TEST_REQUIRE(doc.screen_transfer.size() == 1U);
    BOOST_TEST(doc.screen_transfer[0].id == "vdi-main");
    BOOST_TEST(doc.screen_transfer[0].host == "vdi.lgwan.example");
    BOOST_TEST(doc.services.size() == 2U);
    BOOST_TEST(doc.content_hash.size() == 64U);
    BOOST_TEST_REQUIRE(doc.devices.size() == 1U);
    BOOST_TEST(doc.devices[0].where.file == pki.devices_file());
    BOOST_TEST(doc.devices[0].owner == "demo");

    sp::diagnostics diags;
    auto snap = sp::compile(doc, {}, diags);
    BOOST_TEST(snap != nullptr, diags.to_string());
    BOOST_TEST(!diags.has_errors(), diags.to_string());
}

// Warnings are shown but the policy is still accepted and compiles.
BOOST_AUTO_TEST_CASE(warnings_alone_do_not_reject)
{
    const char* yaml = R"(version: 1
model: beta
zones:
  mynumber: {cidrs: [], domains: []}
  lgwan:
    cidrs: [10.10.0.0/16, 10.10.5.0/24]
    domains: [lgwan.example.jp]
  internet: {cidrs: [], domains: []}
services:
  - id: web
    domains: [www.example.com]
    ports: [443, 443]
    data_class: 1
roles:
  - id: staff
    layers: [internet]
    services: [web]
    data_class: 1
    posture_max_age: 7d
users:
  - id: tanaka
    roles: [staff]
)";
    auto loaded = sp::load_policy_text(yaml, "warn.yaml");
    BOOST_TEST(!loaded.diags.has_errors(), loaded.diags.to_string());
    BOOST_TEST_REQUIRE(loaded.document.has_value());
    sp::diagnostics diags = loaded.diags;
    auto snap = sp::compile(*loaded.document, {}, diags);
    BOOST_TEST(snap != nullptr, diags.to_string());
    // Empty My Number zone, the port listed twice, the nested lgwan ranges,
    // the service without a certification (denied, but not a policy error).
    BOOST_TEST(warning_count(diags) == 4U, diags.to_string());
    BOOST_TEST(!diags.has_errors());
}

// One run shows every mistake, each on its own line, not only the first.
BOOST_AUTO_TEST_CASE(every_error_is_reported)
{
    const char* yaml = R"(version: 1
model: gamma
zones:
  mynumber: {cidrs: [10.20.0.1/16], domains: [mynumber.example.jp]}
  lgwan: {cidrs: [10.10.0.0/16], domain: [lgwan.example.jp]}
  internet: {cidrs: [], domains: []}
services:
  - id: a
    domains: [Files.Example.com]
    ports: [0]
  - id: b
    domains: ["*"]
    ports: [443]
)";
    auto loaded = sp::load_policy_text(yaml, "many.yaml");
    BOOST_TEST(loaded.diags.has_errors());
    std::set<int> lines;
    for (const auto& d : loaded.diags.items())
    {
        if (d.level == sp::severity::error)
        {
            lines.insert(d.where.line);
        }
    }
    BOOST_TEST(loaded.diags.error_count() == 6U, loaded.diags.to_string());
    const std::set<int> expected{2, 4, 5, 9, 10, 12};
    BOOST_TEST(lines == expected, loaded.diags.to_string());
}

// A YAML syntax error is one diagnostic with the line of the error.
// A UTF-8 byte-order mark (Windows Notepad saves one) is skipped: the whole
// file is read, not only its first key (found by fuzz-policy-load).
BOOST_AUTO_TEST_CASE(a_byte_order_mark_is_skipped)
{
    const std::string body = "version: 1\nmodel: alpha\n";
    const auto plain = sp::load_policy_text(body, "plain.yaml");
    const auto bom = sp::load_policy_text("\xEF\xBB\xBF" + body, "bom.yaml");
    BOOST_TEST(bom.diags.to_string().find("missing the required key `model`") == std::string::npos,
               bom.diags.to_string());
    BOOST_TEST(bom.diags.error_count() == plain.diags.error_count(), bom.diags.to_string());
}

// Aliases to aliases: a few KiB that the loaders would walk as millions of
// nodes (minutes, gigabytes) are refused at parse time (fuzz-policy-load).
BOOST_AUTO_TEST_CASE(alias_amplification_is_refused)
{
    for (const char* name :
         {"crash-alias-amplify-services-domains.yaml", "crash-alias-cubic-roles-hours-days.yaml"})
    {
        const auto path = std::string(SEKISHO_SOURCE_DIR) + "/tests/fuzz/corpus/policy_load/" + name;
        const auto loaded = sp::load_policy_file(path);
        BOOST_TEST(loaded.diags.to_string().find("aliases expand this document to more than 100000 nodes") !=
                       std::string::npos,
                   loaded.diags.to_string());
        BOOST_TEST(loaded.diags.error_count() == 1U);
    }
    // A few aliases, as people use them, still work.
    const auto ok = sp::load_policy_text("version: 1\nmodel: alpha\nx: &a [1, 2]\ny: *a\n", "few.yaml");
    BOOST_TEST(ok.diags.to_string().find("aliases expand") == std::string::npos, ok.diags.to_string());
}

BOOST_AUTO_TEST_CASE(yaml_syntax_error_has_line)
{
    auto loaded = sp::load_policy_text("version: 1\nmodel: alpha\nzones: [\n", "broken.yaml");
    BOOST_TEST(loaded.diags.has_errors());
    BOOST_TEST_REQUIRE(loaded.diags.items().size() == 1U);
    const auto& d = loaded.diags.items()[0];
    BOOST_TEST(d.message.find("YAML syntax") != std::string::npos);
    BOOST_TEST(d.where.file == "broken.yaml");
    BOOST_TEST(d.where.line >= 3);
}

BOOST_AUTO_TEST_CASE(empty_and_unreadable)
{
    auto empty = sp::load_policy_text("", "empty.yaml");
    BOOST_TEST(empty.diags.error_count() == 1U);
    BOOST_TEST(empty.diags.has_errors());

    auto comment = sp::load_policy_text("# nothing here\n", "comment.yaml");
    BOOST_TEST(comment.diags.has_errors());

    auto scalar = sp::load_policy_text("just a string\n", "scalar.yaml");
    BOOST_TEST(scalar.diags.has_errors());

    auto missing =
        sp::load_policy_file(std::string(SEKISHO_SOURCE_DIR) + "/tests/fixtures/no-such-policy.yaml");
    BOOST_TEST(!missing.document.has_value());
    BOOST_TEST(missing.diags.has_errors());
}

BOOST_AUTO_TEST_CASE(content_hash_is_blake2b_256)
{
    BOOST_TEST(sp::content_hash("") == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    BOOST_TEST(sp::content_hash("abc") == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");

    // The document's hash is that of the bytes it was read from.
    const std::string yaml = "version: 1\nmodel: alpha\nzones: {mynumber: {}, lgwan: {}, internet: {}}\n";
    auto loaded = sp::load_policy_text(yaml, "hash.yaml");
    BOOST_TEST_REQUIRE(loaded.document.has_value(), loaded.diags.to_string());
    BOOST_TEST(loaded.document->content_hash == sp::content_hash(yaml));
}

// diagnostics render as file:line:column: level: message (hint: ...).
BOOST_AUTO_TEST_CASE(diagnostic_format)
{
    sp::diagnostic d{
        sp::severity::error, {"policy.yaml", 12, 5}, "unknown key `domain`", "did you mean `domains`?"};
    BOOST_TEST(sp::format(d) ==
               "policy.yaml:12:5: error: unknown key `domain` (hint: did you mean `domains`?)");
    sp::diagnostic w{sp::severity::warning, {"", 0, 0}, "careful", ""};
    BOOST_TEST(sp::format(w) == "<input>: warning: careful");
}

// YAML anchors and aliases share a value between entries (here a port list).
BOOST_AUTO_TEST_CASE(anchors_and_aliases_are_resolved)
{
    const std::string yaml = "version: 1\nmodel: alpha\nzones:\n"
                             "  mynumber: {cidrs: [10.10.0.0/16], domains: [mynumber.example]}\n"
                             "  lgwan: {cidrs: [10.20.0.0/16], domains: [lgwan.example]}\n"
                             "  internet: {cidrs: [], domains: []}\n"
                             "services:\n"
                             "  - id: a\n    domains: [a.example.jp]\n    ports: &web [443, 8443]\n"
                             "  - id: b\n    domains: [b.example.jp]\n    ports: *web\n";
    auto loaded = sekisho::policy::load_policy_text(yaml, "anchors.yaml");
    BOOST_TEST_REQUIRE(!loaded.diags.has_errors(), loaded.diags.to_string());
    BOOST_TEST(loaded.document->services.at(1).ports == (std::vector<std::uint16_t>{443, 8443}));
}

BOOST_AUTO_TEST_SUITE_END()
