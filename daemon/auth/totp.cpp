#include "daemon/auth/totp.hpp"

#include "daemon/auth/sodium_ready.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <climits>
#include <cstddef>

namespace sekisho::auth {

namespace {

constexpr std::string_view base32_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// RFC 4226 section 4 recommends 160-bit secrets.
constexpr std::size_t totp_key_bytes = 20;

int base32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
    {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z')
    {
        return c - 'a';
    }
    if (c >= '2' && c <= '7')
    {
        return c - '2' + 26;
    }
    return -1;
}

bool all_ascii_digits(std::string_view text)
{
    for (const char c : text)
    {
        if (c < '0' || c > '9')
        {
            return false;
        }
    }
    return true;
}

std::uint32_t power_of_ten(int exponent)
{
    std::uint32_t value = 1;
    for (int i = 0; i < exponent; ++i)
    {
        value *= 10U;
    }
    return value;
}

// Zero-padded decimal, exactly out.size() characters.
void format_code(std::uint32_t value, std::span<char> out)
{
    for (std::size_t i = out.size(); i > 0; --i)
    {
        out[i - 1] = static_cast<char>('0' + value % 10U);
        value /= 10U;
    }
}

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
    {
        --q;
    }
    return q;
}

// RFC 3986 section 2.3 unreserved characters stay; every other byte is %XX.
void append_percent_encoded(std::string& out, std::string_view text)
{
    constexpr std::string_view hex = "0123456789ABCDEF";
    for (const char c : text)
    {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' ||
                                byte == '~';
        if (unreserved)
        {
            out += c;
        }
        else
        {
            out += '%';
            out += hex[byte >> 4U];
            out += hex[byte & 0x0fU];
        }
    }
}

} // namespace

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text)
{
    std::size_t end = text.size();
    while (end > 0 && (text[end - 1] == '=' || text[end - 1] == ' '))
    {
        --end;
    }
    std::vector<std::uint8_t> out;
    out.reserve(end * 5 / 8);
    std::uint32_t buffer = 0;
    unsigned bits = 0;
    for (const char c : text.substr(0, end))
    {
        if (c == ' ')
        {
            continue;
        }
        const int value = base32_value(c);
        if (value < 0)
        {
            return std::nullopt;
        }
        buffer = (buffer << 5U) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8)
        {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(buffer >> bits));
        }
        buffer &= (1U << bits) - 1U;
    }
    return out;
}

std::string base32_encode(std::span<const std::uint8_t> bytes)
{
    std::string out;
    out.reserve((bytes.size() * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    unsigned bits = 0;
    for (const std::uint8_t byte : bytes)
    {
        buffer = (buffer << 8U) | byte;
        bits += 8;
        while (bits >= 5)
        {
            bits -= 5;
            out += base32_alphabet[(buffer >> bits) & 0x1fU];
        }
        buffer &= (1U << bits) - 1U;
    }
    if (bits > 0)
    {
        out += base32_alphabet[(buffer << (5 - bits)) & 0x1fU];
    }
    return out;
}

std::uint32_t hotp(std::span<const std::uint8_t> key, std::uint64_t counter, int digits)
{
    if (key.size() > static_cast<std::size_t>(INT_MAX))
    {
        return hotp_error;
    }
    std::array<unsigned char, 8> message{};
    for (std::size_t i = message.size(); i > 0; --i)
    {
        message[i - 1] = static_cast<unsigned char>(counter & 0xffU);
        counter >>= 8U;
    }
    // HMAC() wants a non-null key pointer even for an empty key.
    static constexpr unsigned char no_key = 0;
    const void* key_data = key.empty() ? &no_key : key.data();

    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_size = 0;
    if (HMAC(EVP_sha1(),
             key_data,
             static_cast<int>(key.size()),
             message.data(),
             message.size(),
             mac.data(),
             &mac_size) == nullptr ||
        mac_size != 20)
    {
        return hotp_error;
    }
    // Dynamic truncation, RFC 4226 section 5.3.
    const std::size_t offset = mac[19] & 0x0fU;
    const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7fU) << 24U) |
                                 (static_cast<std::uint32_t>(mac[offset + 1]) << 16U) |
                                 (static_cast<std::uint32_t>(mac[offset + 2]) << 8U) |
                                 static_cast<std::uint32_t>(mac[offset + 3]);
    sodium_memzero(mac.data(), mac.size());
    const int clamped = digits < 1 ? 1 : (digits > max_digits ? max_digits : digits);
    return binary % power_of_ten(clamped);
}

std::optional<std::int64_t> totp_match(std::span<const std::uint8_t> key,
                                       std::string_view code,
                                       std::chrono::system_clock::time_point now,
                                       const totp_params& params)
{
    if (params.digits < min_digits || params.digits > max_digits || params.window < 0 ||
        params.window > max_window || params.step.count() <= 0)
    {
        return std::nullopt;
    }
    const auto digits = static_cast<std::size_t>(params.digits);
    // The shape of the code is not secret: checking it first leaks nothing.
    if (code.size() != digits || !all_ascii_digits(code))
    {
        return std::nullopt;
    }

    const std::int64_t seconds = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::int64_t current = floor_div(seconds, static_cast<std::int64_t>(params.step.count()));

    // Offsets 0, -1, +1, -2, +2, ...: the first match is the nearest step.
    // Every candidate is computed and compared; the loop never stops early.
    std::optional<std::int64_t> found;
    std::array<char, max_digits> expected{};
    const int candidates = 2 * params.window + 1;
    for (int i = 0; i < candidates; ++i)
    {
        const int offset = (i % 2 == 1) ? -(i + 1) / 2 : i / 2;
        const std::int64_t counter = current + offset;
        bool equal = false;
        if (counter >= 0)
        {
            const std::uint32_t value = hotp(key, static_cast<std::uint64_t>(counter), params.digits);
            if (value != hotp_error)
            {
                format_code(value, std::span<char>(expected.data(), digits));
                equal = sodium_memcmp(expected.data(), code.data(), digits) == 0;
            }
        }
        if (equal && !found)
        {
            found = counter;
        }
    }
    sodium_memzero(expected.data(), expected.size());
    return found;
}

std::string totp_uri(std::string_view issuer,
                     std::string_view account,
                     std::span<const std::uint8_t> key,
                     const totp_params& params)
{
    std::string uri = "otpauth://totp/";
    if (!issuer.empty())
    {
        append_percent_encoded(uri, issuer);
        uri += ':';
    }
    append_percent_encoded(uri, account);
    uri += "?secret=";
    uri += base32_encode(key);
    if (!issuer.empty())
    {
        uri += "&issuer=";
        append_percent_encoded(uri, issuer);
    }
    uri += "&algorithm=SHA1&digits=";
    uri += std::to_string(params.digits);
    uri += "&period=";
    uri += std::to_string(params.step.count());
    return uri;
}

std::vector<std::uint8_t> random_totp_key()
{
    if (!sodium_ready())
    {
        return {};
    }
    std::vector<std::uint8_t> key(totp_key_bytes);
    randombytes_buf(key.data(), key.size());
    return key;
}

} // namespace sekisho::auth
