#pragma once
// Reading a policy file: YAML → validated policy_document, with every mistake
// reported as a diagnostic (file:line). Reads the file; no other I/O.

#include "diagnostics.hpp"
#include "model.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy {

struct load_result
{
    // Everything that could be read, even when there are errors, so that the
    // cross-checks of compile() can still report their findings in the same
    // run. Use it only when diags.has_errors() is false.
    std::optional<policy_document> document;
    diagnostics diags;
};

load_result load_policy_file(const std::string& path);
// The same from text already in memory; `name` is used in diagnostics.
load_result load_policy_text(std::string_view yaml, const std::string& name);

// A registry file (`registrations:` only, as `sekishoctl catalog
// import-ismap` writes it) read on its own, for the importer to merge into.
struct registrations_result
{
    std::vector<registration> value;
    diagnostics diags;
};
registrations_result load_registrations_text(std::string_view yaml, const std::string& name);

// "2027-04-01T09:00+09:00" (RFC 3339 with an offset or Z, minutes or
// seconds) as a time point; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_time(const std::string& text);

// BLAKE2b-256 of the bytes, lower-case hex (used for snapshot hashes).
std::string content_hash(std::string_view bytes);

} // namespace sekisho::policy
