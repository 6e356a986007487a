#include "proxy_auth.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace gw::bench {

namespace {

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

} // namespace

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text)
{
    while (!text.empty() && text.back() == '=')
    {
        text.remove_suffix(1);
    }
    std::vector<std::uint8_t> out;
    std::uint32_t bits = 0;
    int have = 0;
    for (const char c : text)
    {
        if (c == ' ')
        {
            continue;
        }
        const int v = base32_value(c);
        if (v < 0)
        {
            return std::nullopt;
        }
        bits = (bits << 5U) | static_cast<std::uint32_t>(v);
        have += 5;
        if (have >= 8)
        {
            have -= 8;
            out.push_back(static_cast<std::uint8_t>((bits >> static_cast<unsigned>(have)) & 0xffU));
        }
    }
    if (out.empty())
    {
        return std::nullopt;
    }
    return out;
}

std::string hotp_code(std::span<const std::uint8_t> key, std::uint64_t counter, int digits)
{
    std::array<unsigned char, 8> message{};
    for (std::size_t i = 0; i < message.size(); ++i)
    {
        message[message.size() - 1 - i] = static_cast<unsigned char>((counter >> (8 * i)) & 0xffU);
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha1(),
             key.data(),
             static_cast<int>(key.size()),
             message.data(),
             message.size(),
             mac.data(),
             &mac_len) == nullptr ||
        mac_len != 20)
    {
        return {};
    }
    // RFC 4226 section 5.3: dynamic truncation.
    const unsigned offset = mac[19] & 0x0fU;
    const std::uint32_t binary = ((static_cast<std::uint32_t>(mac[offset]) & 0x7fU) << 24U) |
                                 (static_cast<std::uint32_t>(mac[offset + 1]) << 16U) |
                                 (static_cast<std::uint32_t>(mac[offset + 2]) << 8U) |
                                 static_cast<std::uint32_t>(mac[offset + 3]);
    std::uint32_t modulus = 1;
    for (int i = 0; i < digits; ++i)
    {
        modulus *= 10U;
    }
    std::uint32_t value = binary % modulus;
    std::string code(static_cast<std::size_t>(digits), '0');
    for (std::size_t i = code.size(); i > 0; --i)
    {
        code[i - 1] = static_cast<char>('0' + value % 10U);
        value /= 10U;
    }
    return code;
}

std::string totp_code(std::span<const std::uint8_t> key, std::chrono::system_clock::time_point now)
{
    const auto unix_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    return hotp_code(key, static_cast<std::uint64_t>(unix_s / totp_step_seconds), totp_digits);
}

std::string basic_authorization(std::string_view user_password, std::string_view code)
{
    std::string raw(user_password);
    raw.append(code);
    // EVP_EncodeBlock writes 4 characters per 3 bytes (rounded up) and a NUL.
    std::string encoded((raw.size() + 2) / 3 * 4 + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                  reinterpret_cast<const unsigned char*>(raw.data()),
                                  static_cast<int>(raw.size()));
    encoded.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return "Basic " + encoded;
}

} // namespace gw::bench
