// tests/fixtures/policy_bad/*.yaml: broken policies, each stating in leading
// comments what must be reported (see common/fixture_expectations.hpp). Each
// file is checked the way `--check-config` does: load, then compile.
// Also the replay of the policy_load fuzz corpus (tests/fuzz/corpus/policy_load/).

#include "common/fixture_expectations.hpp"
#include "policy/load.hpp"
#include "policy/snapshot.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
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

// tests/fuzz/policy_load_fuzz.cpp, linked into this executable.
extern "C" int sekisho_policy_load_fuzz_one(const std::uint8_t* data, std::size_t size);

BOOST_AUTO_TEST_SUITE(policy_load_fuzz)

// Every input of the fuzz corpus, through the fuzz target's own checks (an
// invariant violation aborts). The crash-* files reproduce findings of the
// fuzzer (issue #8), replayed like any other input; the harness itself skips
// the alias-amplification ones (too many aliases), so the replay stays fast.
BOOST_AUTO_TEST_CASE(fuzz_corpus_replays_cleanly)
{
    std::size_t inputs = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::string(SEKISHO_SOURCE_DIR) +
                                                             "/tests/fuzz/corpus/policy_load"))
    {
        std::ifstream in(e.path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        const auto data = bytes.str();
        BOOST_TEST_CONTEXT("corpus policy_load/" << e.path().filename().string())
        {
            BOOST_TEST(sekisho_policy_load_fuzz_one(reinterpret_cast<const std::uint8_t*>(data.data()),
                                                    data.size()) == 0);
        }
        ++inputs;
    }
    BOOST_TEST(inputs >= 20U);
}

BOOST_AUTO_TEST_SUITE_END()
