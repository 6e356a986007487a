// The audit log's format and keys without the daemon: the envelope, the
// BLAKE2b-256 line hash (RFC 7693's "abc" vector), checkpoint signatures,
// key files, the verifier on chains built here (and by Python's hashlib in
// the fuzz corpus), and the fuzz target replayed over its corpus.

#include "daemon/audit/json_text.hpp"
#include "daemon/audit/keys.hpp"
#include "daemon/audit/line.hpp"
#include "daemon/audit/verify.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace audit = sekisho::audit;

namespace {

std::string read_all(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// n records, a signed checkpoint after every `every`, as the writer lays them out.
std::string chain(const audit::signing_key& key, int n, int every)
{
    std::string out;
    std::string prev = audit::genesis_prev();
    std::uint64_t seq = 0;
    int since = 0;
    auto add = [&](const std::string& body, bool checkpoint) {
        std::string line;
        audit::append_envelope(line, ++seq, "2026-11-22T10:00:00.000Z", "\"gw\"", prev);
        line += body;
        if (checkpoint)
        {
            line += std::string(audit::signature_marker) + key.sign_hex(line) + "\"}";
        }
        prev = audit::to_hex(audit::line_hash(line));
        out += line + "\n";
    };
    for (int i = 0; i < n; ++i)
    {
        add("\"event\":\"e\",\"n\":" + std::to_string(i) + "}", false);
        if (++since == every)
        {
            add("\"event\":\"checkpoint\",\"key\":\"" + key.public_half().id() +
                    "\",\"covers\":" + std::to_string(since),
                true);
            since = 0;
        }
    }
    return out;
}

audit::verify_report verify_text(const std::string& text, const audit::public_key& key)
{
    std::vector<audit::log_file> files(1);
    files[0].path = "t.log";
    files[0].text = text;
    return audit::verify_files(files, {key, std::nullopt});
}

} // namespace

BOOST_AUTO_TEST_SUITE(audit_core)

BOOST_AUTO_TEST_CASE(line_hash_is_blake2b_256)
{
    BOOST_TEST(audit::to_hex(audit::line_hash("abc")) ==
               "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

BOOST_AUTO_TEST_CASE(json_text_escapes_what_comes_from_outside)
{
    const std::string hostile = std::string("a\"b\\c\n\x01\x7f") + "\xff\xfe" + "住民課";
    auto text = audit::json_text{}
                    .str("s", hostile)
                    .str_or_null("none", "")
                    .num("u", std::uint64_t{18446744073709551615ULL})
                    .num("i", std::int64_t{-5})
                    .list("l", "127.0.0.1,::1")
                    .list("empty", "");
    const auto json = std::move(text).finish();
    boost::system::error_code ec;
    const auto v = boost::json::parse(json, ec);
    BOOST_REQUIRE_MESSAGE(!ec, json);
    const auto& o = v.as_object();
    BOOST_TEST(o.at("s").as_string() == "a\"b\\c\n\x01\x7f\xEF\xBF\xBD\xEF\xBF\xBD住民課");
    BOOST_TEST(o.at("none").is_null());
    BOOST_TEST(o.at("u").as_uint64() == 18446744073709551615ULL);
    BOOST_TEST(o.at("i").as_int64() == -5);
    BOOST_TEST(o.at("l").as_array().size() == 2U);
    BOOST_TEST(o.at("empty").as_array().empty());
}

BOOST_AUTO_TEST_CASE(envelope_round_trips_and_rejects_other_shapes)
{
    std::string line;
    audit::append_envelope(line, 42, "2026-11-22T10:00:00.123Z", "\"gw \\\"1\\\"\"", audit::genesis_prev());
    line += "\"event\":\"tunnel_allowed\"}";
    const auto e = audit::read_envelope(line);
    BOOST_REQUIRE(e);
    BOOST_TEST(e->seq == 42U);
    BOOST_TEST(e->ts == "2026-11-22T10:00:00.123Z");
    BOOST_TEST(e->event == "tunnel_allowed");
    BOOST_TEST(!audit::read_envelope("{\"v\":2,\"seq\":1}"));
    BOOST_TEST(!audit::read_envelope(line.substr(0, 40)));
    auto bad_prev = line;
    bad_prev.replace(bad_prev.find("\"prev\":\"") + 8, 1, "g");
    BOOST_TEST(!audit::read_envelope(bad_prev));
}

BOOST_AUTO_TEST_CASE(keys_round_trip_and_a_readable_secret_is_refused)
{
    const auto dir = std::filesystem::temp_directory_path() / ("sekisho-keys-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto key = audit::signing_key::generate();
    const auto secret = (dir / "k").string();
    std::ofstream(secret) << key.secret_text();
    ::chmod(secret.c_str(), 0600);
    std::string error;
    const auto loaded = audit::signing_key::load(secret, error);
    BOOST_REQUIRE_MESSAGE(loaded, error);
    BOOST_TEST(loaded->public_half().bytes == key.public_half().bytes);
    const auto sig = loaded->sign_hex("message");
    BOOST_TEST(audit::signature_valid(key.public_half(), "message", sig));
    BOOST_TEST(!audit::signature_valid(key.public_half(), "messagE", sig));
    ::chmod(secret.c_str(), 0644);
    BOOST_TEST(!audit::signing_key::load(secret, error));
    BOOST_TEST(error.find("chmod 600") != std::string::npos, error);
    const auto pub = audit::parse_public_key(key.public_text());
    BOOST_REQUIRE(pub);
    BOOST_TEST(pub->id() == key.public_half().id());
    BOOST_TEST(!audit::parse_public_key("not base64"));
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(verifier_classes)
{
    const auto key = audit::signing_key::generate();
    const auto good = chain(key, 20, 4);
    auto r = verify_text(good, key.public_half());
    BOOST_TEST(static_cast<int>(r.result) == 0, r.message);
    BOOST_TEST(r.lines == 25U);
    BOOST_TEST(r.checkpoints == 5U);
    BOOST_TEST(r.from_genesis);
    // Unsealed: records after the last checkpoint.
    r = verify_text(chain(key, 22, 4), key.public_half());
    BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(audit::verdict::unsealed));
    // Another key.
    r = verify_text(good, audit::signing_key::generate().public_half());
    BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(audit::verdict::signature));
    // An unsealed last line that chains but is not JSON: no signature
    // vouches for it, so it is parsed, and refused.
    {
        auto text = good;
        const auto last = text.substr(text.rfind('\n', text.size() - 2) + 1);
        std::string bad;
        audit::append_envelope(bad,
                               26,
                               "2026-11-22T10:00:00.000Z",
                               "\"gw\"",
                               audit::to_hex(audit::line_hash(last.substr(0, last.size() - 1))));
        bad += "\"event\":\"e\",\"n\":}";
        r = verify_text(text + bad + "\n", key.public_half());
        BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(audit::verdict::malformed), r.message);
        BOOST_TEST(r.message.find("t.log:26:") != std::string::npos, r.message);
    }
    // Empty input.
    r = verify_text("", key.public_half());
    BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(audit::verdict::malformed));
}

BOOST_AUTO_TEST_CASE(fuzz_corpus_replays_cleanly)
{
    std::size_t inputs = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::string(SEKISHO_SOURCE_DIR) +
                                                             "/tests/fuzz/corpus/audit_verify"))
    {
        const auto data = read_all(e.path());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        ++inputs;
    }
    BOOST_TEST(inputs >= 5U);
    // The corpus's chain was built by Python's hashlib: the same hashes.
    const auto text =
        read_all(std::string(SEKISHO_SOURCE_DIR) + "/tests/fuzz/corpus/audit_verify/chain_unsealed");
    audit::public_key k;
    k.bytes.fill(0x42);
    const auto r = verify_text(text, k);
    BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(audit::verdict::unsealed), r.message);
    BOOST_TEST(r.lines == 5U);
}

BOOST_AUTO_TEST_SUITE_END()
