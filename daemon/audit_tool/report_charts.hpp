#pragma once
// The report's charts as inline SVG (no script, nothing fetched): labels
// and values are HTML-escaped here.

#include <string>
#include <string_view>
#include <vector>

namespace sekisho::audit_tool {

struct bar
{
    std::string label;
    double value = 0;
    std::string shown; // the value as written beside the bar
};

// Horizontal bars, one row per label.
std::string bar_chart(const std::vector<bar>& bars, std::string_view css, std::string_view title);
// Vertical columns, one per day, dates below every few columns.
std::string column_chart(const std::vector<bar>& bars, std::string_view title);

// At most `n` characters (code points), "…" when cut.
std::string cut(std::string_view s, std::size_t n);

} // namespace sekisho::audit_tool
