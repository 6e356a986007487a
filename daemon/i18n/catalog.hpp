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

// policy::format in the current language:
// "policy.yaml:12:5: エラー: ...（ヒント: ...）".
std::string format(const policy::diagnostic& d);

} // namespace sekisho::i18n
