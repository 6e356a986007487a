// password: argon2id hashing and verification. Each hash costs ~0.1 s of
// CPU and 64 MiB, so the cases share a few hashes.

#include "daemon/auth/password.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace auth = sekisho::auth;

BOOST_AUTO_TEST_SUITE(password)

BOOST_AUTO_TEST_CASE(hash_then_verify)
{
    const auto hash = auth::hash_password("correct horse battery staple");
    BOOST_TEST_REQUIRE(hash.has_value());
    BOOST_TEST(auth::is_argon2id_hash(*hash));
    BOOST_TEST(!auth::needs_rehash(*hash));

    BOOST_TEST(auth::verify_password(*hash, "correct horse battery staple"));
    BOOST_TEST(!auth::verify_password(*hash, "correct horse battery stapl"));
    BOOST_TEST(!auth::verify_password(*hash, "Correct horse battery staple"));
    BOOST_TEST(!auth::verify_password(*hash, ""));

    // A second hash of the same password has its own salt.
    const auto again = auth::hash_password("correct horse battery staple");
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(*again != *hash);
    BOOST_TEST(auth::verify_password(*again, "correct horse battery staple"));
}

BOOST_AUTO_TEST_CASE(empty_and_japanese_passwords)
{
    const auto empty = auth::hash_password("");
    BOOST_TEST_REQUIRE(empty.has_value());
    BOOST_TEST(auth::verify_password(*empty, ""));
    BOOST_TEST(!auth::verify_password(*empty, " "));

    const auto japanese = auth::hash_password("パスワード\xe3\x81\x82");
    BOOST_TEST_REQUIRE(japanese.has_value());
    BOOST_TEST(auth::verify_password(*japanese, "パスワードあ"));
    BOOST_TEST(!auth::verify_password(*japanese, "パスワード"));
}

BOOST_AUTO_TEST_CASE(garbage_hashes_never_verify)
{
    BOOST_TEST(!auth::verify_password("", ""));
    BOOST_TEST(!auth::verify_password("", "secret"));
    BOOST_TEST(!auth::verify_password("secret", "secret"));
    BOOST_TEST(!auth::verify_password("$argon2id$", "secret"));
    BOOST_TEST(!auth::verify_password("$argon2id$v=19$m=65536,t=2,p=1$garbage$garbage", "secret"));
    BOOST_TEST(!auth::verify_password(std::string(4096, '$'), "secret"));
    BOOST_TEST(!auth::verify_password(std::string("$argon2id$\0xyz", 14), "secret"));
}

BOOST_AUTO_TEST_CASE(hash_shape)
{
    BOOST_TEST(auth::is_argon2id_hash("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA"));
    BOOST_TEST(!auth::is_argon2id_hash("$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA"));
    BOOST_TEST(!auth::is_argon2id_hash("$2b$12$abcdefghijklmnopqrstuv"));
    BOOST_TEST(!auth::is_argon2id_hash(""));
    BOOST_TEST(!auth::is_argon2id_hash("$argon2id$" + std::string(200, 'a')));
}

BOOST_AUTO_TEST_CASE(needs_rehash_for_other_costs_or_garbage)
{
    // Valid argon2id string with other costs (t=3, m=4096): needs a rehash.
    BOOST_TEST(auth::needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                  "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"));
    BOOST_TEST(auth::needs_rehash(""));
    BOOST_TEST(auth::needs_rehash("not a hash"));
    BOOST_TEST(auth::needs_rehash("$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                  "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"));
}

BOOST_AUTO_TEST_SUITE_END()
