#include "daemon/auth/password.hpp"

#include "daemon/auth/sodium_ready.hpp"

#include <sodium.h>

#include <array>
#include <cstring>

namespace sekisho::auth {

namespace {

static_assert(crypto_pwhash_ALG_DEFAULT == crypto_pwhash_ALG_ARGON2ID13,
              "crypto_pwhash_str must produce argon2id hashes");

constexpr std::string_view argon2id_prefix = "$argon2id$";

using hash_buffer = std::array<char, crypto_pwhash_STRBYTES>;

// libsodium reads hash strings as NUL-terminated C strings in a buffer of
// crypto_pwhash_STRBYTES; a view is copied in. False if it cannot fit or has
// an embedded NUL.
bool to_c_string(std::string_view text, hash_buffer& out)
{
    if (text.size() >= out.size() || text.find('\0') != std::string_view::npos)
    {
        return false;
    }
    out.fill('\0');
    std::memcpy(out.data(), text.data(), text.size());
    return true;
}

} // namespace

std::optional<std::string> hash_password(std::string_view password)
{
    if (!sodium_ready())
    {
        return std::nullopt;
    }
    hash_buffer out{};
    if (crypto_pwhash_str(out.data(),
                          password.data(),
                          password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
        return std::nullopt;
    }
    return std::string(out.data());
}

bool verify_password(std::string_view stored_hash, std::string_view password)
{
    hash_buffer stored{};
    if (!sodium_ready() || !to_c_string(stored_hash, stored))
    {
        return false;
    }
    return crypto_pwhash_str_verify(stored.data(), password.data(), password.size()) == 0;
}

bool is_argon2id_hash(std::string_view text)
{
    return text.starts_with(argon2id_prefix) && text.size() < crypto_pwhash_STRBYTES;
}

bool needs_rehash(std::string_view stored_hash)
{
    hash_buffer stored{};
    if (!is_argon2id_hash(stored_hash) || !sodium_ready() || !to_c_string(stored_hash, stored))
    {
        return true;
    }
    // 0: current parameters; 1: other parameters; -1: not a valid hash.
    return crypto_pwhash_str_needs_rehash(
               stored.data(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

} // namespace sekisho::auth
