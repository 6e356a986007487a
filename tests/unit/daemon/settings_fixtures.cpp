// tests/fixtures/config_bad/*.yaml: broken sekisho.yaml files, each stating
// in leading comments what must be reported (see
// common/fixture_expectations.hpp).

#include "common/fixture_expectations.hpp"
#include "daemon/config/settings.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace bdata = boost::unit_test::data;
namespace cfg = sekisho::config;
namespace st = sekisho::test;

namespace {

std::filesystem::path fixture_dir()
{
    return std::filesystem::path(SEKISHO_SOURCE_DIR) / "tests" / "fixtures" / "config_bad";
}

} // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(config_bad_folder_is_populated)
{
    BOOST_TEST(st::list_yaml(fixture_dir()).size() >= 25U);
}

BOOST_DATA_TEST_CASE(config_bad_fixture, bdata::make(st::list_yaml(fixture_dir())), name)
{
    // unset_variable.yaml relies on this one being unset.
    ::unsetenv("SEKISHO_UT_UNSET_VARIABLE");
    BOOST_TEST_CONTEXT("fixture config_bad/" << name)
    {
        const auto file = fixture_dir() / name;
        const auto spec = st::read_expectations(st::read_text(file));
        auto result = cfg::load_settings_file(file.string());
        st::check_expectations(spec, result.diags);
    }
}

BOOST_AUTO_TEST_SUITE_END()
