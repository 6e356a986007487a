#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include <sys/resource.h>

namespace gw::bench {

namespace {

std::string json_string(std::string_view s)
{
    std::string out = "\"";
    for (const char ch : s)
    {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\')
        {
            out += '\\';
            out += ch;
        }
        else if (u < 0x20)
        {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", u);
            out += esc;
        }
        else
        {
            out += ch;
        }
    }
    out += '"';
    return out;
}

} // namespace

void report::add(std::string_view key, double value)
{
    char buf[64];
    if (std::isfinite(value))
    {
        std::snprintf(buf, sizeof buf, "%.6g", value);
    }
    else
    {
        std::snprintf(buf, sizeof buf, "null");
    }
    fields_.emplace_back(std::string(key), buf);
}

void report::add(std::string_view key, std::uint64_t value)
{
    fields_.emplace_back(std::string(key), std::to_string(value));
}

void report::add(std::string_view key, std::string_view value)
{
    fields_.emplace_back(std::string(key), json_string(value));
}

std::string report::render(bool json) const
{
    std::string out;
    if (json)
    {
        out = "{";
        for (std::size_t i = 0; i < fields_.size(); ++i)
        {
            out += (i == 0 ? "" : ",") + json_string(fields_[i].first) + ":" + fields_[i].second;
        }
        out += "}\n";
        return out;
    }
    for (const auto& [key, value] : fields_)
    {
        out += key + " " + value + "\n";
    }
    return out;
}

double self_cpu_seconds()
{
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) != 0)
    {
        return 0;
    }
    auto secs = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

latency_summary summarize(std::vector<std::uint32_t>& samples_us)
{
    latency_summary s;
    if (samples_us.empty())
    {
        return s;
    }
    std::sort(samples_us.begin(), samples_us.end());
    const auto n = samples_us.size();
    auto rank = [&](double p) {
        const auto r = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
        return samples_us[std::clamp<std::size_t>(r, 1, n) - 1];
    };
    s.count = n;
    s.mean_us = std::accumulate(samples_us.begin(), samples_us.end(), 0.0) / static_cast<double>(n);
    s.p50_us = rank(0.50);
    s.p90_us = rank(0.90);
    s.p99_us = rank(0.99);
    s.max_us = samples_us.back();
    return s;
}

} // namespace gw::bench
