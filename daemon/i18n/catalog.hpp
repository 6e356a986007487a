#pragma once
// Translations of what people read: an English text, as the code writes it,
// and its Japanese. Two kinds of entry, both keyed by the English:
//
//  - templates with `{name}` fields, filled after translation (doctor's
//    texts: text() looks the template up as it is);
//  - patterns for texts already put together (a policy or configuration
//    diagnostic, built with `+`): message() matches the finished English
//    against "service `{id}` is granted by no role..." where each `{name}`
//    stands for any non-empty run of characters, and writes the Japanese with
//    the captured values.
//
// Anything without an entry is printed in English: a missing translation
// never hides a message. tests/unit/daemon/i18n.cpp and
// tests/lint/i18n-coverage check that the texts people meet have one.

#include "daemon/i18n/lang.hpp"

#include <algorithm>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

namespace sekisho::policy {
struct diagnostic;
} // namespace sekisho::policy

namespace sekisho::i18n {

struct entry
{
    std::string_view en;
    std::string_view ja;
};

// The tables (ja_*.cpp), one per family of texts.
std::span<const entry> ja_doctor();
std::span<const entry> ja_diagnostics();
std::span<const entry> ja_cli();
std::span<const entry> ja_explain();

// The template in the current language (as given when there is none).
std::string_view text(std::string_view en_template);
// A finished English text in the current language (as given when no
// pattern matches).
std::string message(std::string_view en);
// The pattern match itself, for tests: the Japanese, or empty.
std::string match(std::span<const entry> table, std::string_view en);

// `templ` with each `{name}` that has a value in `values` (pairs of name and
// value, e.g. {{"path", p}, {"days", "3"}}) replaced by it, the value
// itself passed through text() first when `translate_values` (a system
// error's "No such file or directory"); other braces stay as written. The
// template is used as given: translate it first (text()) where wanted.
template <class Fields>
std::string fill(std::string_view templ, const Fields& values, bool translate_values = false)
{
    std::string out;
    for (std::size_t i = 0; i < templ.size();)
    {
        const auto close = templ[i] == '{' ? templ.find('}', i) : std::string_view::npos;
        const auto name =
            close == std::string_view::npos ? std::string_view() : templ.substr(i + 1, close - i - 1);
        const auto* value = std::find_if(std::begin(values), std::end(values), [&](const auto& v) {
            return std::string_view(v.first) == name;
        });
        if (close != std::string_view::npos && value != std::end(values))
        {
            const std::string_view v(value->second);
            out += translate_values ? text(v) : v;
            i = close + 1;
            continue;
        }
        out += templ[i++];
    }
    return out;
}

// policy::format in the current language:
// "policy.yaml:12:5: エラー: ...（ヒント: ...）".
std::string format(const policy::diagnostic& d);

} // namespace sekisho::i18n
