#pragma once
// The language of what the command-line tools print for people: English by
// default, Japanese with `--lang ja` or a Japanese locale (LC_ALL,
// LC_MESSAGES, LANG: the first that is set, as setlocale reads them).
// Machine-readable output (--json, the daemon's JSON log and audit lines)
// stays English whatever is chosen, so that scripts and collectors see one
// vocabulary (docs/i18n.md).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::i18n {

enum class lang
{
    en,
    ja
};

// The language in force for this process (en until set).
lang current();
void set(lang l);

// "ja", "ja_JP.UTF-8", "japanese" → ja; "en", "C", "POSIX", "en_US.UTF-8" → en;
// anything else: nullopt.
std::optional<lang> parse(std::string_view name);

// From LC_ALL, LC_MESSAGES, LANG (the first non-empty): ja for a Japanese
// locale, en otherwise.
lang from_environment();

// Takes `--lang VALUE` or `--lang=VALUE` out of args wherever it is and sets
// the language from it, else from the environment. Returns an error text for
// a missing or unknown value (the caller prints usage), empty when fine.
std::string choose(std::vector<std::string>& args);

} // namespace sekisho::i18n
