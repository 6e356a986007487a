// util::private_enough: owner-only files anywhere; group read only inside
// the LoadCredential= folder (systemd 254+ shows its ACL as mode 0440).

#include "daemon/util/private_file.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>

using sekisho::util::private_enough;

namespace {

struct credentials_env
{
    explicit credentials_env(const char* dir) { ::setenv("CREDENTIALS_DIRECTORY", dir, 1); }
    ~credentials_env() { ::unsetenv("CREDENTIALS_DIRECTORY"); }
    credentials_env(const credentials_env&) = delete;
    credentials_env& operator=(const credentials_env&) = delete;
};

} // namespace

BOOST_AUTO_TEST_SUITE(private_file)

BOOST_AUTO_TEST_CASE(owner_only_is_private_anywhere)
{
    ::unsetenv("CREDENTIALS_DIRECTORY");
    BOOST_TEST(private_enough("/etc/sekisho/private/audit.key", 0100600));
    BOOST_TEST(private_enough("/etc/sekisho/private/audit.key", 0100400));
    BOOST_TEST(!private_enough("/etc/sekisho/private/audit.key", 0100640));
    BOOST_TEST(!private_enough("/etc/sekisho/private/audit.key", 0100604));
    BOOST_TEST(!private_enough("/etc/sekisho/private/audit.key", 0100440)); // no credentials folder
}

BOOST_AUTO_TEST_CASE(group_read_only_inside_the_credentials_folder)
{
    const credentials_env env("/run/credentials/sekishod.service");
    BOOST_TEST(private_enough("/run/credentials/sekishod.service/audit.key", 0100440));
    BOOST_TEST(!private_enough("/run/credentials/sekishod.service/audit.key", 0100460)); // group write
    BOOST_TEST(!private_enough("/run/credentials/sekishod.service/audit.key", 0100444)); // others
    BOOST_TEST(!private_enough("/run/credentials/sekishod.service/../other/audit.key", 0100440));
    BOOST_TEST(!private_enough("/run/credentials/sekishod.service2/audit.key", 0100440));
    BOOST_TEST(!private_enough("/etc/sekisho/private/audit.key", 0100440));
}

BOOST_AUTO_TEST_CASE(a_relative_credentials_folder_is_ignored)
{
    const credentials_env env("run/credentials");
    BOOST_TEST(!private_enough("run/credentials/audit.key", 0100440));
}

BOOST_AUTO_TEST_SUITE_END()
