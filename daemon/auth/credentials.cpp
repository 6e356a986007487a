#include "daemon/auth/credentials.hpp"

#include <sodium.h>

#include <array>
#include <cstddef>

namespace sekisho::auth {

namespace {

constexpr std::string_view basic_scheme = "basic";

// Decoded base64 is at most 3/4 of the header value.
constexpr std::size_t max_decoded_bytes = max_header_value_bytes / 4 * 3;

bool is_control(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20U || byte == 0x7fU;
}

bool has_control(std::string_view text)
{
    for (const char c : text)
    {
        if (is_control(c))
        {
            return true;
        }
    }
    return false;
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

bool equals_ignoring_ascii_case(std::string_view text, std::string_view lower)
{
    if (text.size() != lower.size())
    {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (c >= 'A' && c <= 'Z')
        {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c != lower[i])
        {
            return false;
        }
    }
    return true;
}

// Splits `decoded` into the three parts; no copies of rejected input remain.
std::optional<proxy_credentials> split_credentials(std::string_view decoded, std::size_t digits)
{
    const std::size_t colon = decoded.find(':');
    if (colon == std::string_view::npos)
    {
        return std::nullopt;
    }
    const std::string_view user = decoded.substr(0, colon);
    const std::string_view secret = decoded.substr(colon + 1);
    if (user.empty() || user.size() > max_user_bytes || has_control(user))
    {
        return std::nullopt;
    }
    if (secret.size() <= digits)
    {
        return std::nullopt;
    }
    const std::string_view password = secret.substr(0, secret.size() - digits);
    const std::string_view code = secret.substr(secret.size() - digits);
    if (password.size() > max_password_bytes || has_control(password) || !all_ascii_digits(code))
    {
        return std::nullopt;
    }
    return proxy_credentials{std::string(user), std::string(password), std::string(code)};
}

} // namespace

std::optional<proxy_credentials> parse_proxy_authorization(std::string_view header_value, int digits)
{
    if (digits <= 0 || header_value.size() > max_header_value_bytes)
    {
        return std::nullopt;
    }
    const std::size_t space = basic_scheme.size();
    if (header_value.size() <= space + 1 || header_value[space] != ' ' ||
        !equals_ignoring_ascii_case(header_value.substr(0, space), basic_scheme))
    {
        return std::nullopt;
    }
    const std::string_view encoded = header_value.substr(space + 1);

    std::array<unsigned char, max_decoded_bytes> decoded{};
    std::size_t decoded_size = 0;
    const char* encoded_end = nullptr;
    // With ignore == nullptr any character outside the alphabet (a second
    // space, trailing garbage) stops decoding; encoded_end then falls short.
    const int rc = sodium_base642bin(decoded.data(),
                                     decoded.size(),
                                     encoded.data(),
                                     encoded.size(),
                                     nullptr,
                                     &decoded_size,
                                     &encoded_end,
                                     sodium_base64_VARIANT_ORIGINAL);
    std::optional<proxy_credentials> result;
    if (rc == 0 && encoded_end == encoded.data() + encoded.size())
    {
        const std::string_view text(reinterpret_cast<const char*>(decoded.data()), decoded_size);
        result = split_credentials(text, static_cast<std::size_t>(digits));
    }
    sodium_memzero(decoded.data(), decoded.size());
    return result;
}

std::string basic_authorization(std::string_view decoded)
{
    std::string encoded(sodium_base64_ENCODED_LEN(decoded.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(encoded.data(),
                      encoded.size(),
                      reinterpret_cast<const unsigned char*>(decoded.data()),
                      decoded.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    encoded.resize(encoded.size() - 1); // the terminating NUL
    return "Basic " + encoded;
}

bool constant_time_equal(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
    {
        return false;
    }
    if (a.empty())
    {
        return true;
    }
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace sekisho::auth
