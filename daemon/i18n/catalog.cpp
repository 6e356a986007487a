#include "daemon/i18n/catalog.hpp"

#include "policy/diagnostics.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sekisho::i18n {

namespace {

// A pattern cut into literal text and `{name}` fields.
struct piece
{
    std::string_view literal; // empty for a field
    std::string_view field;   // the name, empty for literal text
};

std::vector<piece> cut(std::string_view pattern)
{
    std::vector<piece> out;
    std::size_t i = 0;
    while (i < pattern.size())
    {
        const auto open = pattern.find('{', i);
        const auto close = open == std::string_view::npos ? open : pattern.find('}', open);
        if (close == std::string_view::npos)
        {
            out.push_back({pattern.substr(i), {}});
            break;
        }
        if (open > i)
        {
            out.push_back({pattern.substr(i, open - i), {}});
        }
        out.push_back({{}, pattern.substr(open + 1, close - open - 1)});
        i = close + 1;
    }
    return out;
}

using captures = std::vector<std::pair<std::string_view, std::string_view>>;

// Backtracking match of pieces[k..] against text[pos..]; a field takes at
// least one character.
bool match_from(
    const std::vector<piece>& pieces, std::size_t k, std::string_view text, std::size_t pos, captures& got)
{
    if (k == pieces.size())
    {
        return pos == text.size();
    }
    const auto& p = pieces[k];
    if (p.field.empty())
    {
        if (text.compare(pos, p.literal.size(), p.literal) != 0)
        {
            return false;
        }
        return match_from(pieces, k + 1, text, pos + p.literal.size(), got);
    }
    if (k + 1 == pieces.size())
    {
        if (pos >= text.size())
        {
            return false;
        }
        got.emplace_back(p.field, text.substr(pos));
        return true;
    }
    // A field is always followed by literal text (two fields side by side
    // could not be told apart): try each place that text occurs.
    const auto& next = pieces[k + 1].literal;
    for (auto at = text.find(next, pos + 1); at != std::string_view::npos; at = text.find(next, at + 1))
    {
        got.emplace_back(p.field, text.substr(pos, at - pos));
        if (match_from(pieces, k + 1, text, at, got))
        {
            return true;
        }
        got.pop_back();
    }
    return false;
}

std::string translate(std::string_view en, int depth);

// The Japanese with the captured values, each translated in turn when it is
// itself a known text ("server certificate", a whole diagnostic).
std::string fill(std::string_view ja, const captures& got, int depth)
{
    std::string out;
    for (const auto& p : cut(ja))
    {
        if (p.field.empty())
        {
            out += p.literal;
            continue;
        }
        const auto it =
            std::find_if(got.begin(), got.end(), [&](const auto& c) { return c.first == p.field; });
        if (it != got.end())
        {
            out += depth > 0 ? translate(it->second, depth - 1) : std::string(it->second);
        }
        else
        {
            out += '{';
            out += p.field;
            out += '}';
        }
    }
    return out;
}

const std::unordered_map<std::string_view, std::string_view>& templates()
{
    static const auto table = [] {
        std::unordered_map<std::string_view, std::string_view> m;
        for (const auto t : {ja_doctor(), ja_cli(), ja_explain()})
        {
            for (const auto& e : t)
            {
                m.emplace(e.en, e.ja);
            }
        }
        return m;
    }();
    return table;
}

// How deep captured values are translated: a diagnostic line holding a
// message holding a translatable word (a zone's name, "expired on").
constexpr int capture_depth = 3;

// A table's English patterns cut into pieces once, not at every message.
struct pattern_table
{
    std::span<const entry> entries;
    std::vector<std::vector<piece>> pieces; // one per entry

    explicit pattern_table(std::span<const entry> t) : entries(t)
    {
        pieces.reserve(t.size());
        for (const auto& e : t)
        {
            pieces.push_back(cut(e.en));
        }
    }
};

std::string match_at(const pattern_table& table, std::string_view en, int depth)
{
    for (std::size_t i = 0; i < table.entries.size(); ++i)
    {
        captures got;
        if (match_from(table.pieces[i], 0, en, 0, got))
        {
            return fill(table.entries[i].ja, got, depth);
        }
    }
    return {};
}

// The tables matched as patterns, in order. ja_explain last: its templates
// are matched only by texts no other table knows (explain's step lines,
// catalog's report lines).
const std::vector<pattern_table>& pattern_tables()
{
    static const std::vector<pattern_table> tables = {
        pattern_table(ja_cli()), pattern_table(ja_diagnostics()), pattern_table(ja_explain())};
    return tables;
}

std::string translate(std::string_view en, int depth)
{
    // A text as written (doctor's texts used without fields), then the
    // patterns. Doctor's templates are never matched as patterns: fill()
    // translates them before their fields go in, and some are too general
    // ("{key} {path}: {why}") to be matched against other texts.
    const auto& t = templates();
    if (const auto it = t.find(en); it != t.end())
    {
        return std::string(it->second);
    }
    for (const auto& table : pattern_tables())
    {
        if (auto ja = match_at(table, en, depth); !ja.empty())
        {
            return ja;
        }
    }
    return std::string(en);
}

} // namespace

std::string_view text(std::string_view en_template)
{
    if (current() != lang::ja)
    {
        return en_template;
    }
    const auto& t = templates();
    const auto it = t.find(en_template);
    return it == t.end() ? en_template : it->second;
}

std::string match(std::span<const entry> table, std::string_view en)
{
    return match_at(pattern_table(table), en, capture_depth);
}

std::string message(std::string_view en)
{
    if (current() != lang::ja || en.empty())
    {
        return std::string(en);
    }
    return translate(en, capture_depth);
}

std::string format(const policy::diagnostic& d)
{
    // The line as policy::format writes it, then its shape ("{where}: error:
    // {message} (hint: {hint})", ja_cli.cpp) with message and hint
    // translated as captured values.
    return message(policy::format(d));
}

} // namespace sekisho::i18n
