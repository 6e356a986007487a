#pragma once
// Checked reading of YAML nodes (yaml_tree.hpp) for every sekisho loader (policy and
// daemon settings): each accessor reports a precise diagnostic (file:line,
// what was expected, a suggestion) and returns nullopt instead of throwing,
// so a loader keeps going and reports every mistake in one run.

#include "diagnostics.hpp"
#include "yaml_tree.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sekisho::policy {

// The candidate closest to word by edit distance, or "" when none is close.
std::string closest_word(std::string_view word, std::initializer_list<std::string_view> candidates);
std::string closest_word(std::string_view word, std::span<const std::string_view> candidates);

class yaml_reader
{
public:
    yaml_reader(std::string file, diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

    source_location where(const yaml_node& node) const;
    const std::string& file() const { return file_; }
    diagnostics& diags() { return diags_; }

    // Parses `text` as this reader's file; a syntax error becomes one
    // diagnostic ("YAML syntax: ..." at its line and column) and nullopt.
    std::optional<yaml_document> parse(std::string_view text);

    void error(const yaml_node& at, std::string message, std::string hint = {});
    void warning(const yaml_node& at, std::string message, std::string hint = {});

    // A mapping whose keys are all in `allowed` (unknown keys get a "did you
    // mean" hint), none duplicated, and every `required` key present.
    bool expect_map(const yaml_node& node,
                    std::string_view what,
                    std::initializer_list<std::string_view> allowed,
                    std::initializer_list<std::string_view> required = {});
    bool expect_sequence(const yaml_node& node, std::string_view what);

    std::optional<std::string> string(const yaml_node& node, std::string_view what);
    std::optional<std::int64_t>
    integer(const yaml_node& node, std::string_view what, std::int64_t min, std::int64_t max);
    std::optional<bool> boolean(const yaml_node& node, std::string_view what);
    // "250ms", "10s", "15m", "12h", "7d" (a bare number is refused: the unit is
    // part of what the operator means), within [min, max].
    std::optional<std::chrono::milliseconds> duration(const yaml_node& node,
                                                      std::string_view what,
                                                      std::chrono::milliseconds min,
                                                      std::chrono::milliseconds max);

private:
    std::string file_;
    diagnostics& diags_;
    source_location last_good_; // for nodes without a mark
};

// The whole file, or nullopt with the reason (strerror) in *why.
std::optional<std::string> read_text_file(const std::string& path, std::string* why);

// "${VAR}" and "${VAR:-default}" expansion from the environment (used in
// paths: the settings file, the policy's include:); nullopt (with *why) when
// a variable is unset and has no default.
std::optional<std::string> expand_variables(const std::string& text, std::string* why);

// Human text for a duration ("10s", "1500ms", "15m").
std::string format_duration(std::chrono::milliseconds d);

} // namespace sekisho::policy
