#include "yaml_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace sekisho::policy {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
    {
        prev[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i)
    {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
        {
            const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string quoted_list(std::initializer_list<std::string_view> words)
{
    std::string out;
    for (auto w : words)
    {
        if (!out.empty())
        {
            out += ", ";
        }
        out += '`';
        out += w;
        out += '`';
    }
    return out;
}

} // namespace

std::string closest_word(std::string_view word, std::initializer_list<std::string_view> candidates)
{
    return closest_word(word, std::span<const std::string_view>(candidates.begin(), candidates.size()));
}

std::string closest_word(std::string_view word, std::span<const std::string_view> candidates)
{
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (auto c : candidates)
    {
        const auto d = edit_distance(word, c);
        if (d < best_distance)
        {
            best_distance = d;
            best = std::string(c);
        }
    }
    return best;
}

source_location yaml_reader::where(const yaml_node& node) const
{
    source_location loc{file_, 0, 0};
    if (node.IsDefined())
    {
        const auto mark = node.Mark();
        if (mark.line >= 0)
        {
            loc.line = mark.line + 1;
            loc.column = mark.column + 1;
        }
    }
    if (loc.line == 0)
    {
        loc = last_good_;
        loc.file = file_;
    }
    return loc;
}

std::optional<yaml_document> yaml_reader::parse(std::string_view text)
{
    yaml_error syntax;
    auto parsed = parse_yaml(text, &syntax);
    if (!parsed)
    {
        diags_.error({file_, syntax.line, syntax.column}, "YAML syntax: " + syntax.message);
    }
    return parsed;
}

void yaml_reader::error(const yaml_node& at, std::string message, std::string hint)
{
    diags_.error(where(at), std::move(message), std::move(hint));
}

void yaml_reader::warning(const yaml_node& at, std::string message, std::string hint)
{
    diags_.warning(where(at), std::move(message), std::move(hint));
}

bool yaml_reader::expect_map(const yaml_node& node,
                             std::string_view what,
                             std::initializer_list<std::string_view> allowed,
                             std::initializer_list<std::string_view> required)
{
    if (!node.IsMap())
    {
        error(node, std::string(what) + " must be a mapping (key: value)");
        return false;
    }
    last_good_ = where(node);
    bool ok = true;
    std::set<std::string, std::less<>> seen;
    for (const auto& kv : node)
    {
        if (!kv.first.IsScalar())
        {
            error(kv.first, std::string("keys of ") + std::string(what) + " must be plain words");
            ok = false;
            continue;
        }
        const auto key = kv.first.Scalar();
        if (!seen.insert(key).second)
        {
            error(
                kv.first, "duplicate key `" + key + "` in " + std::string(what), "each key may appear once");
            ok = false;
        }
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        {
            auto near = closest_word(key, allowed);
            error(kv.first,
                  "unknown key `" + key + "` in " + std::string(what),
                  near.empty() ? "allowed keys: " + quoted_list(allowed) : "did you mean `" + near + "`?");
            ok = false;
        }
    }
    for (auto req : required)
    {
        if (seen.find(req) == seen.end())
        {
            error(node, std::string(what) + " is missing the required key `" + std::string(req) + "`");
            ok = false;
        }
    }
    return ok;
}

bool yaml_reader::expect_sequence(const yaml_node& node, std::string_view what)
{
    if (!node.IsSequence())
    {
        error(node, std::string(what) + " must be a list", "write `[a, b]` or one `- item` per line");
        return false;
    }
    return true;
}

std::optional<std::string> yaml_reader::string(const yaml_node& node, std::string_view what)
{
    if (!node.IsScalar())
    {
        error(node, std::string(what) + " must be a single value");
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<std::int64_t>
yaml_reader::integer(const yaml_node& node, std::string_view what, std::int64_t min, std::int64_t max)
{
    if (!node.IsScalar())
    {
        error(node, std::string(what) + " must be a whole number");
        return std::nullopt;
    }
    const auto& text = node.Scalar();
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty())
    {
        error(node, std::string(what) + " must be a whole number, not `" + text + "`");
        return std::nullopt;
    }
    if (value < min || value > max)
    {
        error(node,
              std::string(what) + " is " + text + ", outside the allowed range",
              "use a value from " + std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> yaml_reader::boolean(const yaml_node& node, std::string_view what)
{
    if (node.IsScalar())
    {
        const auto& t = node.Scalar();
        if (t == "true")
        {
            return true;
        }
        if (t == "false")
        {
            return false;
        }
    }
    error(node, std::string(what) + " must be `true` or `false`");
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> yaml_reader::duration(const yaml_node& node,
                                                               std::string_view what,
                                                               std::chrono::milliseconds min,
                                                               std::chrono::milliseconds max)
{
    using namespace std::chrono;
    const std::string hint = "write a number with a unit: 250ms, 10s, 15m, 12h, 7d";
    if (!node.IsScalar())
    {
        error(node, std::string(what) + " must be a duration", hint);
        return std::nullopt;
    }
    const auto& text = node.Scalar();
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    const std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
    if (ec != std::errc{} || value < 0 || ptr == text.data())
    {
        error(node, std::string(what) + ": `" + text + "` is not a duration", hint);
        return std::nullopt;
    }
    std::int64_t unit_ms = 0;
    if (unit == "ms")
    {
        unit_ms = 1;
    }
    else if (unit == "s")
    {
        unit_ms = 1000;
    }
    else if (unit == "m")
    {
        unit_ms = 60 * 1000;
    }
    else if (unit == "h")
    {
        unit_ms = 3600 * 1000;
    }
    else if (unit == "d")
    {
        unit_ms = 24LL * 3600 * 1000;
    }
    else
    {
        error(node, std::string(what) + ": `" + text + "` has no known unit", hint);
        return std::nullopt;
    }
    // Compare before multiplying: a huge value must not wrap into range.
    if (value > max.count() / unit_ms)
    {
        error(node,
              std::string(what) + " is " + text + ", outside the allowed range",
              "use a value from " + format_duration(min) + " to " + format_duration(max));
        return std::nullopt;
    }
    const milliseconds result(value * unit_ms);
    if (result < min || result > max)
    {
        error(node,
              std::string(what) + " is " + text + ", outside the allowed range",
              "use a value from " + format_duration(min) + " to " + format_duration(max));
        return std::nullopt;
    }
    return result;
}

std::optional<std::string> read_text_file(const std::string& path, std::string* why)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        *why = std::strerror(errno);
        return std::nullopt;
    }
    // One sized read for regular files (audit files run to hundreds of MB);
    // streams without a size (pipes) are read to their end.
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    in.seekg(0, std::ios::beg);
    if (size > 0 && in)
    {
        std::string text(static_cast<std::size_t>(size), '\0');
        if (in.read(text.data(), static_cast<std::streamsize>(text.size())) &&
            in.peek() == std::char_traits<char>::eof())
        {
            return text;
        }
        in.clear();
        in.seekg(0, std::ios::beg);
    }
    in.clear();
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string format_duration(std::chrono::milliseconds d)
{
    using namespace std::chrono;
    const auto ms = d.count();
    if (ms % 3600000 == 0 && ms != 0)
    {
        return std::to_string(ms / 3600000) + "h";
    }
    if (ms % 60000 == 0 && ms != 0)
    {
        return std::to_string(ms / 60000) + "m";
    }
    if (ms % 1000 == 0)
    {
        return std::to_string(ms / 1000) + "s";
    }
    return std::to_string(ms) + "ms";
}

std::optional<std::string> expand_variables(const std::string& text, std::string* why)
{
    std::string ignored;
    if (why == nullptr)
    {
        why = &ignored;
    }
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size())
    {
        const auto start = text.find("${", pos);
        if (start == std::string::npos)
        {
            out += text.substr(pos);
            break;
        }
        out += text.substr(pos, start - pos);
        const auto end = text.find('}', start);
        if (end == std::string::npos)
        {
            *why = "unterminated `${`";
            return std::nullopt;
        }
        const auto inner = text.substr(start + 2, end - start - 2);
        const auto sep = inner.find(":-");
        const auto name = inner.substr(0, sep);
        const char* value = std::getenv(name.c_str());
        if (value != nullptr && *value != '\0')
        {
            out += value;
        }
        else if (sep != std::string::npos)
        {
            out += inner.substr(sep + 2);
        }
        else
        {
            *why = "environment variable `" + name + "` is not set";
            return std::nullopt;
        }
        pos = end + 1;
    }
    return out;
}

} // namespace sekisho::policy
