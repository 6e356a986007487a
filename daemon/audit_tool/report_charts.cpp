#include "daemon/audit_tool/report_charts.hpp"

#include "daemon/audit_tool/report_html.hpp"

#include <algorithm>
#include <cstdio>

namespace sekisho::audit_tool {

namespace {

double largest(const std::vector<bar>& bars)
{
    double m = 0;
    for (const auto& b : bars)
    {
        m = std::max(m, b.value);
    }
    return m > 0 ? m : 1;
}

// Horizontal bars, one row per label.
} // namespace

// At most `n` characters (code points), "…" when cut.
std::string cut(std::string_view s, std::size_t n)
{
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == n)
        {
            return std::string(s.substr(0, i)) + "…";
        }
    }
    return std::string(s);
}

std::string bar_chart(const std::vector<bar>& bars, std::string_view css, std::string_view title)
{
    constexpr int label_w = 230, bar_w = 430, row_h = 22, width = label_w + bar_w + 90;
    const double max = largest(bars);
    const int height = static_cast<int>(bars.size()) * row_h + 4;
    std::string s = "<svg class=\"chart\" role=\"img\" aria-label=\"" + html_escape(title) + "\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(width) + " " + std::to_string(height) + "\">\n";
    for (std::size_t i = 0; i < bars.size(); ++i)
    {
        const int y = static_cast<int>(i) * row_h + 2;
        const int w = std::max(1, static_cast<int>(bars[i].value / max * bar_w));
        s += "<text x=\"" + std::to_string(label_w - 6) + "\" y=\"" + std::to_string(y + 14) +
             "\" text-anchor=\"end\">" + html_escape(cut(bars[i].label, 32)) + "</text>";
        s += "<rect class=\"" + std::string(css) + "\" x=\"" + std::to_string(label_w) + "\" y=\"" +
             std::to_string(y + 2) + "\" width=\"" + std::to_string(w) + "\" height=\"" +
             std::to_string(row_h - 6) + "\"/>";
        s += "<text x=\"" + std::to_string(label_w + w + 4) + "\" y=\"" + std::to_string(y + 14) + "\">" +
             html_escape(bars[i].shown) + "</text>\n";
    }
    return s + "</svg>\n";
}

// Vertical columns, one per day, dates below every few columns.
std::string column_chart(const std::vector<bar>& bars, std::string_view title)
{
    const int n = static_cast<int>(bars.size());
    const int step = n <= 31 ? 26 : std::max(4, 780 / n);
    constexpr int left = 10, top = 16, plot_h = 160;
    const int width = left * 2 + n * step, height = top + plot_h + 36;
    const int every = (40 + step - 1) / step; // a date label needs about 40 px
    const double max = largest(bars);
    std::string s = "<svg class=\"chart\" role=\"img\" aria-label=\"" + html_escape(title) + "\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(width) + " " + std::to_string(height) + "\">\n";
    for (int i = 0; i < n; ++i)
    {
        const auto& b = bars[static_cast<std::size_t>(i)];
        const int h = b.value > 0 ? std::max(1, static_cast<int>(b.value / max * plot_h)) : 0;
        const int x = left + i * step;
        s += "<rect class=\"bar\" x=\"" + std::to_string(x + 1) + "\" y=\"" +
             std::to_string(top + plot_h - h) + "\" width=\"" + std::to_string(std::max(1, step - 2)) +
             "\" height=\"" + std::to_string(h) + "\"/>";
        if (n <= 31)
        {
            s += "<text x=\"" + std::to_string(x + step / 2) + "\" y=\"" +
                 std::to_string(top + plot_h - h - 3) + "\" text-anchor=\"middle\">" + html_escape(b.shown) +
                 "</text>";
        }
        if (i % every == 0)
        {
            s += "<text x=\"" + std::to_string(x + step / 2) + "\" y=\"" + std::to_string(top + plot_h + 14) +
                 "\" text-anchor=\"middle\">" +
                 html_escape(b.label.size() == 10 ? b.label.substr(5) : b.label) + "</text>";
        }
        s += "\n";
    }
    return s + "</svg>\n";
}

} // namespace sekisho::audit_tool
