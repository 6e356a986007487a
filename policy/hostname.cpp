#include "hostname.hpp"

#include <algorithm>

namespace sekisho::policy {

namespace {

constexpr std::size_t max_label = 63;
constexpr std::size_t max_name = 253;

bool is_ldh(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

bool has_non_ascii(std::string_view s)
{
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Checks a lower-case name without trailing dot; returns the problem or "".
std::string problem_in(std::string_view name)
{
    if (name.empty())
    {
        return "empty name";
    }
    if (name.size() > max_name)
    {
        return "name longer than 253 characters";
    }
    std::size_t start = 0;
    std::string_view last;
    while (true)
    {
        const auto dot = name.find('.', start);
        const auto label =
            name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty())
        {
            return "empty label";
        }
        if (label.size() > max_label)
        {
            return "label longer than 63 characters";
        }
        if (!std::all_of(label.begin(), label.end(), is_ldh))
        {
            return "only letters, digits, '-' and '.' may appear in a host name";
        }
        if (label.front() == '-' || label.back() == '-')
        {
            return "a label may not start or end with '-'";
        }
        last = label;
        if (dot == std::string_view::npos)
        {
            break;
        }
        start = dot + 1;
    }
    // "127.1" and "0x7f.1" would be read as addresses by resolvers.
    if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; }))
    {
        return "the last label is numeric (looks like an address, not a name)";
    }
    return {};
}

} // namespace

std::optional<std::string> normalize_hostname(std::string_view raw)
{
    if (has_non_ascii(raw))
    {
        return std::nullopt;
    }
    std::string name = lowered(raw);
    if (!name.empty() && name.back() == '.')
    {
        name.pop_back();
    }
    if (!problem_in(name).empty())
    {
        return std::nullopt;
    }
    return name;
}

std::optional<name_error> check_policy_hostname(std::string_view written)
{
    if (has_non_ascii(written))
    {
        return name_error{"non-ASCII host name", "write the A-label (xn--...) form of the name"};
    }
    std::string canonical = lowered(written);
    bool trailing = false;
    if (!canonical.empty() && canonical.back() == '.')
    {
        canonical.pop_back();
        trailing = true;
    }
    if (auto p = problem_in(canonical); !p.empty())
    {
        return name_error{p, {}};
    }
    if (trailing || canonical != written)
    {
        return name_error{"host names are written in canonical form (lower case, no trailing dot)",
                          "write `" + canonical + "`"};
    }
    return std::nullopt;
}

std::optional<domain_pattern> domain_pattern::parse(std::string_view written, name_error* why)
{
    auto fail = [&](name_error e) -> std::optional<domain_pattern> {
        if (why != nullptr)
        {
            *why = std::move(e);
        }
        return std::nullopt;
    };
    if (written == "*" || written == "*.")
    {
        return fail({"a bare `*` would allow every name", "list the service's own domains"});
    }
    domain_pattern p;
    std::string_view base = written;
    if (written.size() > 2 && written.substr(0, 2) == "*.")
    {
        p.wildcard_ = true;
        base = written.substr(2);
    }
    if (base.find('*') != std::string_view::npos)
    {
        return fail({"a wildcard may only stand as the whole first label (`*.example.jp`)", {}});
    }
    if (auto e = check_policy_hostname(base))
    {
        if (!e->suggestion.empty() && e->suggestion.rfind("write `", 0) == 0 && p.wildcard_)
        {
            e->suggestion.insert(7, "*.");
        }
        return fail(std::move(*e));
    }
    p.base_ = std::string(base);
    return p;
}

bool domain_pattern::matches(std::string_view canonical_name) const
{
    if (!wildcard_)
    {
        return canonical_name == base_;
    }
    return canonical_name.size() > base_.size() && name_in_domain(canonical_name, base_);
}

std::string domain_pattern::to_string() const
{
    return wildcard_ ? "*." + base_ : base_;
}

bool name_in_domain(std::string_view name, std::string_view domain)
{
    if (name.size() == domain.size())
    {
        return name == domain;
    }
    if (name.size() < domain.size() + 1)
    {
        return false;
    }
    return name.substr(name.size() - domain.size()) == domain && name[name.size() - domain.size() - 1] == '.';
}

} // namespace sekisho::policy
