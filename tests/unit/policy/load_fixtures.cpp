// tests/fixtures/policy_bad/*.yaml: broken policies, each stating in leading
// comments what must be reported (see common/fixture_expectations.hpp). Each
// file is checked the way `--check-config` does: load, then compile.

#include "common/fixture_expectations.hpp"
#include "policy/load.hpp"
#include "policy/snapshot.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

namespace bdata = boost::unit_test::data;
namespace sp = sekisho::policy;
namespace st = sekisho::test;

namespace {

std::filesystem::path fixture_dir()
{
    return std::filesystem::path(SEKISHO_SOURCE_DIR) / "tests" / "fixtures" / "policy_bad";
}

sp::diagnostics check_policy(const std::filesystem::path& file)
{
    auto loaded = sp::load_policy_file(file.string());
    sp::diagnostics diags = loaded.diags;
    if (loaded.document)
    {
        sp::compile(*loaded.document, {}, diags);
    }
    return diags;
}

} // namespace

BOOST_AUTO_TEST_SUITE(load)

// Guards against an empty or misplaced folder silently running no case.
BOOST_AUTO_TEST_CASE(policy_bad_folder_is_populated)
{
    BOOST_TEST(st::list_yaml(fixture_dir()).size() >= 30U);
}

BOOST_DATA_TEST_CASE(policy_bad_fixture, bdata::make(st::list_yaml(fixture_dir())), name)
{
    BOOST_TEST_CONTEXT("fixture policy_bad/" << name)
    {
        const auto file = fixture_dir() / name;
        const auto spec = st::read_expectations(st::read_text(file));
        st::check_expectations(spec, check_policy(file));
    }
}

BOOST_AUTO_TEST_SUITE_END()
