// libFuzzer target: the audit line parser and verifier that
// `sekisho-audit verify` runs on files an attacker may have written. Any
// input must give a verdict — never a crash, a hang or an "ok" for a file
// whose checkpoints the fixed key did not sign.
//
// Build with the `fuzz` preset (clang); the unit suite replays the corpus
// (tests/fuzz/corpus/audit_verify/) under GCC as a regression test.

#include "daemon/audit/line.hpp"
#include "daemon/audit/verify.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// A fixed public key: all zeros is a valid point-encoding libsodium rejects
// for signatures, so no fuzzed checkpoint can verify.
sekisho::audit::public_key fixed_key()
{
    sekisho::audit::public_key k;
    k.bytes.fill(0x42);
    return k;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace sekisho::audit;
    const std::string text(reinterpret_cast<const char*>(data), size);
    // Every line's envelope, as the writer's resume and the forwarder read it.
    for_each_line(text, [](std::size_t, std::string_view line, bool) {
        if (const auto e = read_envelope(line))
        {
            if (e->prev.size() != 64)
            {
                std::abort();
            }
        }
        (void)signed_part(line);
        return true;
    });
    // The whole verifier, with and without an anchor.
    std::vector<log_file> files(1);
    files[0].path = "fuzz.log";
    files[0].text = text;
    const auto key = fixed_key();
    const auto r = verify_files(files, {key, std::nullopt});
    // A checkpoint cannot verify against a key nobody holds.
    if (r.checkpoints != 0)
    {
        std::abort();
    }
    (void)verify_files(files, {key, text});
    return 0;
}
