#include "daemon/audit/keys.hpp"

#include "daemon/audit/line.hpp"
#include "daemon/auth/sodium_ready.hpp"
#include "daemon/util/fd.hpp"
#include "daemon/util/private_file.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::audit {

namespace {

constexpr std::size_t max_key_file_bytes = 4096;

std::string to_base64(const unsigned char* data, std::size_t size)
{
    std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

// Exactly 32 bytes of base64 in `text` (surrounding white space allowed).
std::optional<std::array<unsigned char, 32>> key_bytes(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    if (first == std::string_view::npos)
    {
        return std::nullopt;
    }
    text = text.substr(first, last - first + 1);
    std::array<unsigned char, 32> out{};
    std::size_t len = 0;
    if (sodium_base642bin(out.data(),
                          out.size(),
                          text.data(),
                          text.size(),
                          nullptr,
                          &len,
                          nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != out.size())
    {
        return std::nullopt;
    }
    return out;
}

// The file's text, read through one descriptor; `private_file`: refused when
// group or others may read it.
std::optional<std::string> read_key_file(const std::string& path, bool private_file, std::string& error)
{
    util::fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0)
    {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    struct stat st
    {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    {
        error = path + " is not a regular file";
        return std::nullopt;
    }
    if (private_file && !util::private_enough(path, st.st_mode))
    {
        error = "the audit signing key " + path +
                " may be read by group or others; it is not used (chmod 600 " + path + ")";
        return std::nullopt;
    }
    std::string text(max_key_file_bytes, '\0');
    const auto n = ::read(fd.get(), text.data(), text.size());
    if (n < 0)
    {
        error = "cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    text.resize(static_cast<std::size_t>(n));
    return text;
}

bool from_hex(std::string_view hex, unsigned char* out, std::size_t size)
{
    std::size_t len = 0;
    return hex.size() == size * 2 &&
           sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == size;
}

} // namespace

std::string public_key::id() const
{
    const auto d = line_hash(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    return to_hex(d.data(), 8);
}

signing_key signing_key::generate()
{
    auth::sodium_ready();
    signing_key k;
    crypto_sign_keypair(k.public_.bytes.data(), k.secret_.data());
    return k;
}

std::optional<signing_key> signing_key::load(const std::string& path, std::string& error)
{
    auth::sodium_ready();
    auto text = read_key_file(path, true, error);
    if (!text)
    {
        return std::nullopt;
    }
    auto seed = key_bytes(*text);
    sodium_memzero(text->data(), text->size());
    if (!seed)
    {
        error = path + " is not an audit signing key (one line of base64: a 32-byte Ed25519 seed; "
                       "make one with sekisho-audit keygen)";
        return std::nullopt;
    }
    signing_key k;
    crypto_sign_seed_keypair(k.public_.bytes.data(), k.secret_.data(), seed->data());
    sodium_memzero(seed->data(), seed->size());
    return k;
}

signing_key::~signing_key()
{
    sodium_memzero(secret_.data(), secret_.size());
}

std::string signing_key::sign_hex(std::string_view message) const
{
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(),
                         nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(),
                         secret_.data());
    return to_hex(sig.data(), sig.size());
}

std::string signing_key::secret_text() const
{
    return to_base64(secret_.data(), crypto_sign_SEEDBYTES) + "\n";
}

std::string signing_key::public_text() const
{
    return to_base64(public_.bytes.data(), public_.bytes.size()) + "\n";
}

std::optional<public_key> parse_public_key(std::string_view text)
{
    const auto bytes = key_bytes(text);
    if (!bytes)
    {
        return std::nullopt;
    }
    return public_key{*bytes};
}

std::optional<public_key> load_public_key(const std::string& path, std::string& error)
{
    auth::sodium_ready();
    const auto text = read_key_file(path, false, error);
    if (!text)
    {
        return std::nullopt;
    }
    auto key = parse_public_key(*text);
    if (!key)
    {
        error = path + " is not an audit public key (one line of base64: 32 bytes)";
    }
    return key;
}

bool signature_valid(const public_key& key, std::string_view message, std::string_view sig_hex)
{
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    if (!from_hex(sig_hex, sig.data(), sig.size()))
    {
        return false;
    }
    return crypto_sign_verify_detached(sig.data(),
                                       reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(),
                                       key.bytes.data()) == 0;
}

} // namespace sekisho::audit
