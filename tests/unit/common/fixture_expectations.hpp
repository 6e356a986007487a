#pragma once
// Bad-fixture files (tests/fixtures/*_bad/*.yaml) say what the loader must
// report, in comment lines anywhere before the first non-comment line:
//
//   # expect-line: 7                        the error's line (1-based)
//   # expect: unknown key `domain`          a substring of the error message
//   # expect-hint: did you mean `domains`?  a substring of its hint
//   # expect-errors: 3                      exact number of errors (optional)
//
// expect-line, expect and expect-hint fill one expectation; repeating a key
// that the current expectation already has starts the next one. Each
// expectation must be met by some error (not a warning) of the file.

#include "policy/diagnostics.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::test {

struct expectation
{
    std::optional<std::string> message;
    std::optional<int> line;
    std::optional<std::string> hint;
};

struct fixture_spec
{
    std::vector<expectation> expected;
    std::optional<std::size_t> error_count;
};

inline std::string read_text(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline fixture_spec read_expectations(const std::string& text)
{
    fixture_spec spec;
    expectation current;
    auto flush = [&] {
        if (current.message || current.line || current.hint)
        {
            spec.expected.push_back(current);
        }
        current = {};
    };
    std::istringstream in(text);
    for (std::string row; std::getline(in, row);)
    {
        if (row.empty())
        {
            continue;
        }
        if (row.front() != '#')
        {
            break;
        }
        auto value_of = [&](std::string_view key) -> std::optional<std::string> {
            const std::string prefix = "# " + std::string(key) + ": ";
            if (row.rfind(prefix, 0) != 0)
            {
                return std::nullopt;
            }
            return row.substr(prefix.size());
        };
        if (auto v = value_of("expect-line"))
        {
            if (current.line)
            {
                flush();
            }
            current.line = std::stoi(*v);
        }
        else if (auto m = value_of("expect"))
        {
            if (current.message)
            {
                flush();
            }
            current.message = *m;
        }
        else if (auto h = value_of("expect-hint"))
        {
            if (current.hint)
            {
                flush();
            }
            current.hint = *h;
        }
        else if (auto n = value_of("expect-errors"))
        {
            spec.error_count = static_cast<std::size_t>(std::stoul(*n));
        }
    }
    flush();
    return spec;
}

// The .yaml files of a fixture folder, by file name, sorted. Empty when the
// folder is missing (a separate test insists on a minimum count).
inline std::vector<std::string> list_yaml(const std::filesystem::path& dir)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    {
        if (entry.path().extension() == ".yaml")
        {
            names.push_back(entry.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

inline bool meets(const policy::diagnostic& d, const expectation& e)
{
    return d.level == policy::severity::error &&
           (!e.message || d.message.find(*e.message) != std::string::npos) &&
           (!e.line || d.where.line == *e.line) && (!e.hint || d.hint.find(*e.hint) != std::string::npos);
}

inline std::string describe(const expectation& e)
{
    std::string out = "error";
    if (e.line)
    {
        out += " on line " + std::to_string(*e.line);
    }
    if (e.message)
    {
        out += " containing \"" + *e.message + "\"";
    }
    if (e.hint)
    {
        out += " with hint containing \"" + *e.hint + "\"";
    }
    return out;
}

// Checks every expectation of spec against what the loader reported.
inline void check_expectations(const fixture_spec& spec, const policy::diagnostics& diags)
{
    BOOST_TEST(diags.has_errors(), "the fixture was accepted; it must be rejected");
    BOOST_TEST(!spec.expected.empty(), "the fixture states no `# expect:` comment");
    for (const auto& e : spec.expected)
    {
        const auto& items = diags.items();
        const bool found =
            std::any_of(items.begin(), items.end(), [&](const auto& d) { return meets(d, e); });
        BOOST_TEST(found, "expected an " << describe(e) << "; reported:\n" << diags.to_string());
    }
    if (spec.error_count)
    {
        BOOST_TEST(diags.error_count() == *spec.error_count, "reported:\n" << diags.to_string());
    }
}

} // namespace sekisho::test
