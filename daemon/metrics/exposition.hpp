#pragma once
// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): a family's
// HELP and TYPE lines, then its samples. Label values are escaped.

#include "daemon/metrics/shard.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sekisho::metrics {

using label = std::pair<std::string_view, std::string_view>;

class exposition
{
public:
    // "counter", "gauge" or "histogram".
    exposition& family(std::string_view name, std::string_view type, std::string_view help);
    exposition& sample(std::string_view name, double value, std::initializer_list<label> labels = {});
    // One sample per entry of `counts`, labelled `key`.
    exposition& samples(std::string_view name, std::string_view key, const label_counts& counts);
    exposition& histogram(std::string_view name, std::string_view help, const metrics::histogram& h);

    std::string take() { return std::move(out_); }

private:
    void labels(std::initializer_list<label> labels);
    std::string out_;
};

// "text/plain; version=0.0.4; charset=utf-8"
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

} // namespace sekisho::metrics
