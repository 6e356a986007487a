#pragma once
// Errors and warnings found while loading configuration or policy. Loaders
// collect all of them (never stop at the first) so that one run shows every
// mistake with file:line:column and, where possible, the fix.

#include <string>
#include <vector>

namespace sekisho::policy {

struct source_location
{
    std::string file;
    int line = 0;   // 1-based; 0 when unknown
    int column = 0; // 1-based; 0 when unknown
};

enum class severity
{
    error,
    warning
};

struct diagnostic
{
    severity level = severity::error;
    source_location where;
    std::string message;
    std::string hint; // "write `*.example.jp`", "did you mean `domains`?"
};

// "policy.yaml:12:5: error: unknown key `domain` (hint: did you mean `domains`?)"
std::string format(const diagnostic& d);

class diagnostics
{
public:
    void error(source_location where, std::string message, std::string hint = {});
    void warning(source_location where, std::string message, std::string hint = {});

    bool has_errors() const;
    std::size_t error_count() const;
    const std::vector<diagnostic>& items() const { return items_; }
    void append(const diagnostics& other);
    // Every diagnostic formatted, one per line.
    std::string to_string() const;

private:
    std::vector<diagnostic> items_;
};

} // namespace sekisho::policy
