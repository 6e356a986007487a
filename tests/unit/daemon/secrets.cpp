// The secrets file (daemon/auth/secrets.hpp): mode and file-type checks, the
// shape of each user's entry, that no secret reaches a diagnostic, and the
// atomic writer.

#include "daemon/auth/secrets.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace au = sekisho::auth;

namespace {

// A libsodium argon2id hash of "correct horse" (its shape is what matters).
const std::string hash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                         "m3d3Rk7bHX1YaFDDhZ1I0OkQmSxNAQ2A8WvfTm3Kkzs";
// 20 bytes: "Hello!" followed by 0xDE 0xAD 0xBE 0xEF, twice.
const std::string totp_b32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

struct temp_dir
{
    std::filesystem::path root;
    temp_dir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "sekisho-secrets-XXXXXX").string();
        root = ::mkdtemp(pattern.data());
    }
    ~temp_dir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(root, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    std::string write(const std::string& name, const std::string& text, mode_t mode = 0600) const
    {
        const auto p = (root / name).string();
        std::ofstream(p) << text;
        ::chmod(p.c_str(), mode);
        return p;
    }
};

std::string one_user(const std::string& entry)
{
    return "version: 1\nusers:\n  tanaka:\n" + entry;
}

std::string valid_entry()
{
    return "    password: \"" + hash + "\"\n    totp: " + totp_b32 + "\n";
}

bool has_error(const au::secrets_result& r, const std::string& message, const std::string& hint = {})
{
    for (const auto& d : r.diags.items())
    {
        if (d.level == sekisho::policy::severity::error && d.message.find(message) != std::string::npos &&
            d.hint.find(hint) != std::string::npos)
        {
            return true;
        }
    }
    return false;
}

// No diagnostic (message or hint) contains `secret`.
bool never_mentions(const au::secrets_result& r, const std::string& secret)
{
    const auto all = r.diags.to_string();
    return all.find(secret) == std::string::npos;
}

mode_t mode_of(const std::string& path)
{
    struct stat st
    {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

} // namespace

BOOST_AUTO_TEST_SUITE(secrets)

BOOST_AUTO_TEST_CASE(valid_file_loads)
{
    temp_dir dir;
    const auto path = dir.write("secrets.yaml",
                                "# comment\n" + one_user(valid_entry()) +
                                    "  sato.k:\n"
                                    "    password: " +
                                    hash +
                                    "\n"
                                    "    totp: jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp====\n"
                                    "  new-user_1:\n"
                                    "    password: \"" +
                                    hash + "\"\n");
    auto r = au::load_secrets_file(path);
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST(r.diags.items().empty(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.value.has_value());
    BOOST_TEST_REQUIRE(r.value->users.size() == 3U);
    const auto& t = r.value->users.at("tanaka");
    BOOST_TEST(t.password_hash == hash);
    const std::vector<std::uint8_t> key = {'H', 'e', 'l', 'l', 'o', '!', 0xDE, 0xAD, 0xBE, 0xEF,
                                           'H', 'e', 'l', 'l', 'o', '!', 0xDE, 0xAD, 0xBE, 0xEF};
    BOOST_TEST(t.totp_key == key, boost::test_tools::per_element());
    BOOST_TEST(t.where.file == path);
    BOOST_TEST(t.where.line == 4);
    // Lower case, spaces and padding: the same key.
    BOOST_TEST(r.value->users.at("sato.k").totp_key == key, boost::test_tools::per_element());
    // Not enrolled yet.
    BOOST_TEST(r.value->users.at("new-user_1").totp_key.empty());
}

// An operator's lock (`sekishoctl user lock`): read, written back, and a
// value that is not a boolean is an error (and, while it is, the user counts
// as locked).
BOOST_AUTO_TEST_CASE(locked_flag_round_trips)
{
    temp_dir dir;
    auto r = au::load_secrets_text(one_user(valid_entry() + "    locked: true\n"), "s.yaml");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST(r.value->users.at("tanaka").locked);
    auto open = au::load_secrets_text(one_user(valid_entry()), "s.yaml");
    BOOST_TEST(!open.value->users.at("tanaka").locked);
    auto bad = au::load_secrets_text(one_user(valid_entry() + "    locked: maybe\n"), "s.yaml");
    BOOST_TEST(bad.diags.has_errors(), bad.diags.to_string());

    const auto path = (dir.root / "secrets.yaml").string();
    std::string why;
    BOOST_TEST_REQUIRE(au::write_secrets_file(path, *r.value, &why), why);
    auto again = au::load_secrets_file(path);
    BOOST_TEST_REQUIRE(!again.diags.has_errors(), again.diags.to_string());
    BOOST_TEST(again.value->users.at("tanaka").locked);
    again.value->users.at("tanaka").locked = false;
    BOOST_TEST_REQUIRE(au::write_secrets_file(path, *again.value, &why), why);
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(text.find("locked") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(mode_0644_refused_with_chmod)
{
    temp_dir dir;
    const auto path = dir.write("secrets.yaml", one_user(valid_entry()), 0644);
    auto r = au::load_secrets_file(path);
    BOOST_TEST(has_error(r, "gives permissions to group or others (mode 0644)", "chmod 600 " + path),
               r.diags.to_string());
    BOOST_TEST(r.diags.error_count() == 1U, r.diags.to_string());
    BOOST_TEST(r.diags.items().at(0).where.file == path);
    BOOST_TEST(!r.value.has_value());
}

// Any bit for group or others, even write or execute alone.
BOOST_AUTO_TEST_CASE(every_group_or_other_bit_refused)
{
    temp_dir dir;
    for (const mode_t bits : std::initializer_list<mode_t>{0640, 0620, 0610, 0604, 0602, 0601})
    {
        const auto path = dir.write("secrets.yaml", one_user(valid_entry()), bits);
        auto r = au::load_secrets_file(path);
        BOOST_TEST(has_error(r, "gives permissions to group or others", "chmod 600"),
                   "mode " << std::oct << bits << ": " << r.diags.to_string());
    }
    const auto strict = dir.write("strict.yaml", one_user(valid_entry()), 0400);
    BOOST_TEST(!au::load_secrets_file(strict).diags.has_errors());
}

BOOST_AUTO_TEST_CASE(not_a_regular_file)
{
    temp_dir dir;
    std::filesystem::create_directory(dir.root / "folder");
    ::chmod((dir.root / "folder").c_str(), 0700);
    auto r = au::load_secrets_file((dir.root / "folder").string());
    BOOST_TEST(has_error(r, "not a regular file"), r.diags.to_string());
    BOOST_TEST(r.diags.error_count() == 1U, r.diags.to_string());
    // A FIFO must not block start-up.
    const auto fifo = (dir.root / "fifo").string();
    BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto f = au::load_secrets_file(fifo);
    BOOST_TEST(has_error(f, "not a regular file"), f.diags.to_string());
}

BOOST_AUTO_TEST_CASE(missing_file)
{
    temp_dir dir;
    auto r = au::load_secrets_file((dir.root / "nope.yaml").string());
    BOOST_TEST(has_error(r, "cannot open the secrets file: No such file or directory"), r.diags.to_string());
}

// The password itself must never be repeated, in the message or the hint.
BOOST_AUTO_TEST_CASE(plain_text_password_not_echoed)
{
    temp_dir dir;
    const std::string password = "Hunter2-Kasumigaseki";
    const auto path = dir.write("secrets.yaml", one_user("    password: " + password + "\n"));
    auto r = au::load_secrets_file(path);
    BOOST_TEST(has_error(r, "users.tanaka.password is not an argon2id hash", "sekishoctl user passwd tanaka"),
               r.diags.to_string());
    BOOST_TEST(r.diags.items().at(0).where.line == 4);
    BOOST_TEST(never_mentions(r, password), r.diags.to_string());
}

BOOST_AUTO_TEST_CASE(other_hashes_refused)
{
    for (const std::string other : {"$argon2i$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
                                    "$2b$12$abcdefghijklmnopqrstuuIFOoW2rBbyuA3mX3y6vtwJ4mvE2yb/u",
                                    "$6$salt$hash"})
    {
        auto r = au::load_secrets_text(one_user("    password: \"" + other + "\"\n"), "s.yaml");
        BOOST_TEST(has_error(r, "is not an argon2id hash", "only argon2id"), r.diags.to_string());
        BOOST_TEST(never_mentions(r, other), r.diags.to_string());
    }
}

// A hash cut short when pasted is found at start-up.
BOOST_AUTO_TEST_CASE(truncated_hash_refused)
{
    for (const auto& cut : {hash.substr(0, 20),
                            hash.substr(0, hash.rfind('$')),
                            hash + "$extra",
                            std::string("$argon2id$v=19$m=65536,p=1,t=2$c2FsdA$aGFzaA")})
    {
        auto r = au::load_secrets_text(one_user("    password: \"" + cut + "\"\n"), "s.yaml");
        BOOST_TEST(has_error(r, "users.tanaka.password is not a well-formed argon2id hash"),
                   cut << ": " << r.diags.to_string());
        BOOST_TEST(never_mentions(r, cut));
    }
}

BOOST_AUTO_TEST_CASE(invalid_base32)
{
    const std::string bad = "JBSWY3DPEHPK3PXP18SWY3DPEHPK3PXP"; // '1' and '8' are not base32
    auto r =
        au::load_secrets_text(one_user("    password: \"" + hash + "\"\n    totp: " + bad + "\n"), "s.yaml");
    BOOST_TEST(has_error(r, "users.tanaka.totp is not base32", "sekishoctl user totp-enroll tanaka"),
               r.diags.to_string());
    BOOST_TEST(r.diags.items().at(0).where.line == 5);
    BOOST_TEST(never_mentions(r, bad));
}

// 80 bits are not enough; 128 are.
BOOST_AUTO_TEST_CASE(short_key)
{
    const std::string ten_bytes = "JBSWY3DPEHPK3PXP"; // 10 bytes
    auto r = au::load_secrets_text(one_user("    password: \"" + hash + "\"\n    totp: " + ten_bytes + "\n"),
                                   "s.yaml");
    BOOST_TEST(has_error(r, "users.tanaka.totp is 10 bytes once decoded; at least 16 (128 bits)"),
               r.diags.to_string());
    BOOST_TEST(never_mentions(r, ten_bytes));
    const std::string sixteen = "JBSWY3DPEHPK3PXPJBSWY3DPEE"; // 26 characters: 16 bytes
    auto ok = au::load_secrets_text(one_user("    password: \"" + hash + "\"\n    totp: " + sixteen + "\n"),
                                    "s.yaml");
    BOOST_TEST(!ok.diags.has_errors(), ok.diags.to_string());
    BOOST_TEST(ok.value->users.at("tanaka").totp_key.size() == 16U);
}

BOOST_AUTO_TEST_CASE(unknown_key_did_you_mean)
{
    auto r = au::load_secrets_text(one_user(valid_entry() + "    passwd: x\n") + "user: {}\n", "s.yaml");
    BOOST_TEST(has_error(r, "unknown key `passwd` in users.tanaka", "did you mean `password`?"),
               r.diags.to_string());
    BOOST_TEST(has_error(r, "unknown key `user` in the secrets file", "did you mean `users`?"),
               r.diags.to_string());
}

BOOST_AUTO_TEST_CASE(structure_errors)
{
    auto version = au::load_secrets_text("version: 2\nusers: {}\n", "s.yaml");
    BOOST_TEST(has_error(version, "version is 2, outside the allowed range"), version.diags.to_string());

    auto missing = au::load_secrets_text("users: {}\n", "s.yaml");
    BOOST_TEST(has_error(missing, "missing the required key `version`"), missing.diags.to_string());

    auto no_password = au::load_secrets_text(one_user("    totp: " + totp_b32 + "\n"), "s.yaml");
    BOOST_TEST(has_error(no_password, "users.tanaka is missing the required key `password`"),
               no_password.diags.to_string());

    auto bad_id = au::load_secrets_text("version: 1\nusers:\n  Tanaka San:\n" + valid_entry(), "s.yaml");
    BOOST_TEST(has_error(bad_id, "`Tanaka San` is not a valid user id", "1-64 lower-case"),
               bad_id.diags.to_string());

    auto twice = au::load_secrets_text(one_user(valid_entry()) + "  tanaka:\n" + valid_entry(), "s.yaml");
    BOOST_TEST(has_error(twice, "`tanaka` is listed twice"), twice.diags.to_string());

    auto scalar_user = au::load_secrets_text("version: 1\nusers:\n  tanaka: hunter2\n", "s.yaml");
    BOOST_TEST(has_error(scalar_user, "users.tanaka must be a mapping"), scalar_user.diags.to_string());
    BOOST_TEST(never_mentions(scalar_user, "hunter2"));

    auto syntax = au::load_secrets_text("version: 1\nusers:\n  tanaka: {password: \"abc\n", "s.yaml");
    BOOST_TEST(has_error(syntax, "YAML syntax"), syntax.diags.to_string());
    BOOST_TEST(never_mentions(syntax, "abc"));

    auto empty = au::load_secrets_text("version: 1\nusers: {}\n", "s.yaml");
    BOOST_TEST(!empty.diags.has_errors());
    BOOST_TEST(empty.diags.items().size() == 1U, "a warning: nobody can log in");
}

// Every mistake of a file in one run.
BOOST_AUTO_TEST_CASE(all_errors_collected)
{
    auto r = au::load_secrets_text("version: 1\n"
                                   "users:\n"
                                   "  a:\n"
                                   "    password: plain\n"
                                   "  b:\n"
                                   "    password: \"" +
                                       hash +
                                       "\"\n"
                                       "    totp: AAAA\n"
                                       "  c:\n"
                                       "    pasword: x\n",
                                   "s.yaml");
    BOOST_TEST(r.diags.error_count() == 4U, r.diags.to_string());
    BOOST_TEST(has_error(r, "users.a.password"));
    BOOST_TEST(has_error(r, "users.b.totp"));
    BOOST_TEST(has_error(r, "unknown key `pasword` in users.c"));
    BOOST_TEST(has_error(r, "users.c is missing the required key `password`"));
}

BOOST_AUTO_TEST_CASE(write_round_trip_mode_0600)
{
    temp_dir dir;
    au::secrets s;
    s.users["tanaka"].password_hash = hash;
    s.users["tanaka"].totp_key = std::vector<std::uint8_t>(20, 0x5a);
    s.users["abe"].password_hash = hash; // not enrolled in TOTP
    const auto path = (dir.root / "secrets.yaml").string();
    std::string why;
    BOOST_TEST_REQUIRE(au::write_secrets_file(path, s, &why), why);
    BOOST_TEST(mode_of(path) == 0600U);
    auto r = au::load_secrets_file(path);
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.value->users.size() == 2U);
    BOOST_TEST(r.value->users.at("tanaka").password_hash == hash);
    BOOST_TEST(r.value->users.at("tanaka").totp_key == s.users["tanaka"].totp_key,
               boost::test_tools::per_element());
    BOOST_TEST(r.value->users.at("abe").totp_key.empty());

    // Rewriting replaces the file (a looser mode included) and leaves no
    // temporary file behind.
    ::chmod(path.c_str(), 0644);
    s.users.erase("abe");
    BOOST_TEST_REQUIRE(au::write_secrets_file(path, s, &why), why);
    BOOST_TEST(mode_of(path) == 0600U);
    auto again = au::load_secrets_file(path);
    BOOST_TEST_REQUIRE(!again.diags.has_errors(), again.diags.to_string());
    BOOST_TEST(again.value->users.size() == 1U);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.root))
    {
        ++files;
    }
    BOOST_TEST(files == 1U);

    // No user at all is a valid file too.
    BOOST_TEST_REQUIRE(au::write_secrets_file(path, au::secrets{}, &why), why);
    auto none = au::load_secrets_file(path);
    BOOST_TEST(!none.diags.has_errors(), none.diags.to_string());
    BOOST_TEST(none.value->users.empty());
}

// What cannot be loaded again is not written, and the old file stays.
BOOST_AUTO_TEST_CASE(write_refuses_bad_entries)
{
    temp_dir dir;
    const auto path = dir.write("secrets.yaml", one_user(valid_entry()));
    au::secrets s;
    s.users["tanaka"].password_hash = "hunter2";
    std::string why;
    BOOST_TEST(!au::write_secrets_file(path, s, &why));
    BOOST_TEST(why.find("tanaka") != std::string::npos, why);
    BOOST_TEST(why.find("hunter2") == std::string::npos, why);
    au::secrets bad_id;
    bad_id.users["Bad Id"].password_hash = hash;
    BOOST_TEST(!au::write_secrets_file(path, bad_id, &why));
    BOOST_TEST(au::load_secrets_file(path).value->users.count("tanaka") == 1U);
    // A folder that does not exist.
    BOOST_TEST(!au::write_secrets_file((dir.root / "no" / "s.yaml").string(), au::secrets{}, &why));
    BOOST_TEST(why.find("cannot create a temporary file") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(user_ids)
{
    BOOST_TEST(au::valid_user_id("tanaka"));
    BOOST_TEST(au::valid_user_id("a.b-c_9"));
    BOOST_TEST(au::valid_user_id(std::string(64, 'a')));
    BOOST_TEST(!au::valid_user_id(std::string(65, 'a')));
    BOOST_TEST(!au::valid_user_id(""));
    BOOST_TEST(!au::valid_user_id("Tanaka"));
    BOOST_TEST(!au::valid_user_id("田中"));
    BOOST_TEST(!au::valid_user_id("a b"));
}

BOOST_AUTO_TEST_SUITE_END()
