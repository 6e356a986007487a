#pragma once
// The audit log's line format (docs/audit-events.md), shared by the daemon's
// writer and by sekisho-audit. One JSON object per line:
//
//   {"v":1,"seq":N,"ts":"…Z","host":"…","prev":"<hex>","event":"…",…}
//
// `prev` is the BLAKE2b-256 hash of the previous line's bytes (without its
// newline), so every line commits to all lines before it; the first line of
// a chain has 64 zeros. A checkpoint line ends with `,"sig":"<hex>"}`: an
// Ed25519 signature over every byte of the line before `,"sig":"`.
//
// No I/O here: pure functions of strings.

#include "daemon/log/text.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::audit {

inline constexpr int schema_version = 1;

using digest = std::array<unsigned char, 32>;

// BLAKE2b-256 of `line` (libsodium crypto_generichash, no key).
digest line_hash(std::string_view line);
std::string to_hex(const unsigned char* data, std::size_t size);
// The same into `out`, which has room for 2 * size characters.
void hex_into(const unsigned char* data, std::size_t size, char* out);
inline std::string to_hex(const digest& d)
{
    return to_hex(d.data(), d.size());
}
// The `prev` of the first line of a chain.
const std::string& genesis_prev();

using log::rfc3339_ms;

// The envelope every line starts with, up to and including the comma after
// `prev`: `{"v":1,"seq":N,"ts":"…","host":"…","prev":"…",`. `host_json` is
// the host name already as a JSON string (quoted and escaped).
void append_envelope(std::string& out,
                     std::uint64_t seq,
                     std::string_view ts,
                     std::string_view host_json,
                     std::string_view prev_hex);

// The marker before a checkpoint's signature, and the part of a checkpoint
// line that is signed (nullopt when the line has no signature).
inline constexpr std::string_view signature_marker = ",\"sig\":\"";
std::optional<std::string_view> signed_part(std::string_view line);

// The fields every line has, read without building a JSON tree (the full
// line is still parsed by whoever needs more). nullopt when the line does
// not start with the envelope of this schema.
struct envelope
{
    std::uint64_t seq = 0;
    std::string_view ts;
    std::string_view prev;  // 64 hex digits
    std::string_view event; // empty when the line has no "event" right after the envelope
};
std::optional<envelope> read_envelope(std::string_view line);

} // namespace sekisho::audit
