#pragma once
// Host names as policy sees them: one canonical spelling (lower case, no
// trailing dot, ASCII letters/digits/hyphens only) and domain patterns that
// are either an exact name or "*.suffix" (any name strictly below suffix).
//
// Internationalised names are accepted only in their A-label (xn--) form, on
// both sides: requests with non-ASCII bytes are rejected, and so are policy
// entries, with the A-label spelling suggested. That keeps matching a plain
// byte comparison and needs no IDNA library.

#include <optional>
#include <string>
#include <string_view>

namespace sekisho::policy {

struct name_error
{
    std::string message;    // what is wrong
    std::string suggestion; // corrected spelling, if one can be offered
};

// Canonical form of a request's host name, or nullopt if it is not a valid
// DNS host name (empty label, label > 63, name > 253, bad characters,
// all-numeric last label such as "127.1").
std::optional<std::string> normalize_hostname(std::string_view raw);

// Strict check used for names written in policy files: they must already be
// canonical. Returns the problem and a suggested spelling.
std::optional<name_error> check_policy_hostname(std::string_view written);

class domain_pattern
{
public:
    // "example.jp" (exact) or "*.example.jp" (any name below example.jp, not
    // example.jp itself). Wildcards elsewhere, bare "*", upper case, trailing
    // dots and non-ASCII are errors with a suggestion.
    static std::optional<domain_pattern> parse(std::string_view written, name_error* why = nullptr);

    bool matches(std::string_view canonical_name) const;
    bool is_wildcard() const { return wildcard_; }
    const std::string& base() const { return base_; }
    std::string to_string() const;

    friend bool operator==(const domain_pattern&, const domain_pattern&) = default;

private:
    std::string base_;
    bool wildcard_ = false;
};

// True if name equals suffix or lies below it on a label boundary
// ("a.lg.jp" is below "lg.jp"; "xlg.jp" is not).
bool name_in_domain(std::string_view name, std::string_view domain);

} // namespace sekisho::policy
