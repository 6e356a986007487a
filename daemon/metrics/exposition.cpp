#include "daemon/metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace sekisho::metrics {

namespace {

void append_number(std::string& out, double v)
{
    if (std::isnan(v))
    {
        out += "NaN";
        return;
    }
    if (std::isinf(v))
    {
        out += v > 0 ? "+Inf" : "-Inf";
        return;
    }
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? end : buf);
}

void append_escaped(std::string& out, std::string_view v)
{
    for (const char c : v)
    {
        switch (c)
        {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
}

} // namespace

exposition& exposition::family(std::string_view name, std::string_view type, std::string_view help)
{
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    return *this;
}

void exposition::labels(std::initializer_list<label> labels)
{
    if (labels.size() == 0)
    {
        return;
    }
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels)
    {
        if (!first)
        {
            out_ += ',';
        }
        first = false;
        out_.append(k).append("=\"");
        append_escaped(out_, v);
        out_ += '"';
    }
    out_ += '}';
}

exposition& exposition::sample(std::string_view name, double value, std::initializer_list<label> l)
{
    out_.append(name);
    labels(l);
    out_ += ' ';
    append_number(out_, value);
    out_ += '\n';
    return *this;
}

exposition& exposition::samples(std::string_view name, std::string_view key, const label_counts& counts)
{
    for (const auto& [k, v] : counts)
    {
        sample(name, static_cast<double>(v), {{key, k}});
    }
    return *this;
}

exposition& exposition::histogram(std::string_view name, std::string_view help, const metrics::histogram& h)
{
    family(name, "histogram", help);
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.bounds.size(); ++i)
    {
        cumulative += h.buckets[i];
        std::string le;
        append_number(le, h.bounds[i]);
        sample(bucket, static_cast<double>(cumulative), {{"le", le}});
    }
    sample(bucket, static_cast<double>(h.count), {{"le", "+Inf"}});
    sample(std::string(name) + "_sum", h.sum);
    sample(std::string(name) + "_count", static_cast<double>(h.count));
    return *this;
}

} // namespace sekisho::metrics
