// `include:`: services, endpoints and tests from other files, with errors
// reported in the included file at its own lines, and a policy identity
// (content hash) that covers every file.

#include "policy/load.hpp"
#include "policy/snapshot.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace sekisho::policy;

namespace {

// A throwaway folder with the main policy and its includes (real files).
struct policy_dir
{
    std::filesystem::path root;
    policy_dir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "sekisho-include-XXXXXX").string();
        root = ::mkdtemp(pattern.data());
        std::filesystem::create_directories(root / "catalog");
    }
    ~policy_dir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(root, ignored);
    }
    policy_dir(const policy_dir&) = delete;
    policy_dir& operator=(const policy_dir&) = delete;

    std::string write(const std::string& name, const std::string& text) const
    {
        const auto p = (root / name).string();
        std::ofstream(p) << text;
        return p;
    }
    std::string main(const std::string& includes) const
    {
        return write("policy.yaml",
                     "version: 1\nmodel: alpha\nzones:\n"
                     "  mynumber: {cidrs: [10.10.0.0/16], domains: [mynumber.example]}\n"
                     "  lgwan: {cidrs: [10.20.0.0/16], domains: [lgwan.example]}\n"
                     "  internet: {cidrs: [], domains: []}\n"
                     "include:\n" +
                         includes);
    }
};

const std::string services_yaml =
    "services:\n  - id: groupware\n    domains: [groupware.example.jp]\n"
    "    ports: [443]\n    data_class: 2\n"
    "    certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}\n";

// Who may reach the catalogue: roles, users and devices may be included too.
const std::string people_yaml = "roles:\n  - id: staff\n    layers: [internet]\n    services: [groupware]\n"
                                "    data_class: 2\n"
                                "users:\n  - id: tanaka\n    roles: [staff]\n"
                                "devices:\n  - id: pc-1\n    owner: tanaka\n    kind: lent\n"
                                "    status: active\n    serial: \"0A:1B\"\n";

} // namespace

BOOST_AUTO_TEST_SUITE(include)

// Entries of the included file join the policy and are decided like any other.
BOOST_AUTO_TEST_CASE(included_services_and_tests_join_the_policy)
{
    policy_dir d;
    d.write("catalog/services.yaml", services_yaml);
    d.write("catalog/people.yaml", people_yaml);
    d.write("catalog/tests.yaml",
            "tests:\n  - name: t\n    user: tanaka\n    device: pc-1\n    mfa: true\n"
            "    layer: internet\n    target: groupware.example.jp:443\n    expect: allow\n");
    auto loaded = load_policy_file(
        d.main("  - catalog/services.yaml\n  - catalog/people.yaml\n  - catalog/tests.yaml\n"));
    BOOST_TEST_REQUIRE(!loaded.diags.has_errors(), loaded.diags.to_string());
    BOOST_TEST(loaded.document->services.size() == 1U);
    BOOST_TEST(loaded.document->roles.size() == 1U);
    BOOST_TEST(loaded.document->users.size() == 1U);
    BOOST_TEST(loaded.document->devices.size() == 1U);
    BOOST_TEST_REQUIRE(loaded.document->tests.size() == 1U);
    BOOST_TEST(loaded.document->tests[0].where.file.find("catalog/tests.yaml") != std::string::npos);
    diagnostics diags;
    auto snap = compile(*loaded.document, {}, diags);
    BOOST_TEST_REQUIRE(snap != nullptr, diags.to_string());
    BOOST_TEST(!diags.has_errors(), diags.to_string());
    BOOST_TEST(snap->find_service("groupware.example.jp") != nullptr);
    BOOST_TEST(snap->find_device_by_certificate("", "a1b") == snap->find_device("pc-1"));
}

// A mistake in an included file is reported in that file, at its line.
BOOST_AUTO_TEST_CASE(errors_name_the_included_file_and_line)
{
    policy_dir d;
    d.write("catalog/services.yaml",
            "# catalogue\nservices:\n  - id: groupware\n    domain: [a.example.jp]\n    ports: [443]\n");
    auto loaded = load_policy_file(d.main("  - catalog/services.yaml\n"));
    BOOST_TEST_REQUIRE(loaded.diags.has_errors());
    const auto& first = loaded.diags.items().front();
    BOOST_TEST(first.where.file.find("catalog/services.yaml") != std::string::npos);
    BOOST_TEST(first.where.line == 4);
    BOOST_TEST(first.message == "unknown key `domain` in services[0]");
}

// Missing, repeated and nested includes are errors; an id may not repeat
// across files.
BOOST_AUTO_TEST_CASE(missing_repeated_nested_and_duplicate_ids_are_errors)
{
    policy_dir d;
    d.write("catalog/services.yaml", services_yaml);
    d.write("catalog/more.yaml", services_yaml);
    d.write("catalog/nested.yaml", "include: [services.yaml]\n");
    const std::pair<std::string, std::string> cases[] = {
        {"  - catalog/nope.yaml\n", "cannot read the included file"},
        {"  - catalog/services.yaml\n  - catalog/services.yaml\n", "is included twice"},
        {"  - catalog/nested.yaml\n", "an included file cannot include others"},
        {"  - catalog/services.yaml\n  - catalog/more.yaml\n", "duplicate id `groupware` in services"},
    };
    for (const auto& [includes, message] : cases)
    {
        auto loaded = load_policy_file(d.main(includes));
        BOOST_TEST(loaded.diags.to_string().find(message) != std::string::npos,
                   message << ": " << loaded.diags.to_string());
    }
}

// The policy's content hash changes when only an included file changes, so a
// reload sees the change and every record names the policy it was decided by.
BOOST_AUTO_TEST_CASE(the_hash_covers_included_files)
{
    policy_dir d;
    d.write("catalog/services.yaml", services_yaml);
    const auto main = d.main("  - catalog/services.yaml\n");
    const auto before = load_policy_file(main).document->content_hash;
    d.write("catalog/services.yaml",
            services_yaml + "  - id: other\n    domains: [other.example.jp]\n    ports: [443]\n");
    const auto after = load_policy_file(main).document->content_hash;
    BOOST_TEST(before != after);
    BOOST_TEST(load_policy_file(main).document->content_hash == after);
}

BOOST_AUTO_TEST_CASE(the_same_files_hash_the_same_wherever_they_are)
{
    // Instances behind a load balancer compare hashes (sekishoctl policy
    // status): a copy in another folder, or the same file named by a
    // relative path, is the same policy.
    policy_dir a;
    policy_dir b;
    a.write("catalog/services.yaml", services_yaml);
    b.write("catalog/services.yaml", services_yaml);
    const auto in_a = load_policy_file(a.main("  - catalog/services.yaml\n"));
    const auto in_b = load_policy_file(b.main("  - catalog/services.yaml\n"));
    BOOST_REQUIRE(in_a.document);
    BOOST_REQUIRE(in_b.document);
    BOOST_TEST(in_a.document->content_hash == in_b.document->content_hash);
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(a.root);
    const auto relative = load_policy_file("policy.yaml");
    std::filesystem::current_path(cwd);
    BOOST_REQUIRE(relative.document);
    BOOST_TEST(relative.document->content_hash == in_a.document->content_hash);
    // The include as written is part of the identity: another name for
    // the same bytes is another policy.
    b.write("catalog/other.yaml", services_yaml);
    const auto renamed = load_policy_file(b.main("  - catalog/other.yaml\n"));
    BOOST_REQUIRE(renamed.document);
    BOOST_TEST(renamed.document->content_hash != in_a.document->content_hash);
}

BOOST_AUTO_TEST_SUITE_END()
