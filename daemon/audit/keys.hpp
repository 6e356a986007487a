#pragma once
// The Ed25519 key that signs checkpoints, and its public half that auditors
// verify with. Both are one line of base64 in a file: the secret file holds
// the 32-byte seed (mode 0600 or 0400, readable by the daemon alone, e.g.
// through systemd's LoadCredential=), the public file the 32-byte key.
// `sekisho-audit keygen` writes the pair.

#include <array>
#include <optional>
#include <string>

namespace sekisho::audit {

struct public_key
{
    std::array<unsigned char, 32> bytes{};
    // The first 8 bytes of BLAKE2b-256(key), hex: names the key in
    // checkpoints without being the key.
    std::string id() const;
};

class signing_key
{
public:
    // A new random key.
    static signing_key generate();
    // From the secret file; nullopt with a message in `error` (missing,
    // unreadable, readable by group or others, not a key).
    static std::optional<signing_key> load(const std::string& path, std::string& error);

    // 64 bytes of signature, hex.
    std::string sign_hex(std::string_view message) const;
    const public_key& public_half() const { return public_; }
    // One line of base64 (the seed, the public key), newline-terminated.
    std::string secret_text() const;
    std::string public_text() const;

    ~signing_key();
    signing_key(const signing_key&) = default;
    signing_key& operator=(const signing_key&) = default;

private:
    signing_key() = default;
    std::array<unsigned char, 64> secret_{}; // libsodium's seed ‖ public key
    public_key public_;
};

// A public key file (or the text of one); nullopt with a message in `error`.
std::optional<public_key> load_public_key(const std::string& path, std::string& error);
std::optional<public_key> parse_public_key(std::string_view text);

// Ed25519 signature check of `message` against 128 hex digits.
bool signature_valid(const public_key& key, std::string_view message, std::string_view sig_hex);

} // namespace sekisho::audit
