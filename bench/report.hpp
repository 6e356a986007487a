#pragma once
// Results of one run: an ordered list of named figures printed either as "key value" lines
// (easy for the bench script's awk) or as one JSON object. Also the latency summary.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::bench {

class report
{
public:
    void add(std::string_view key, double value);
    void add(std::string_view key, std::uint64_t value);
    void add(std::string_view key, std::string_view value);

    // One JSON object on one line, or one "key value" line per figure.
    std::string render(bool json) const;

private:
    std::vector<std::pair<std::string, std::string>> fields_; // key, JSON-encoded value
};

struct latency_summary
{
    std::uint64_t count = 0;
    double mean_us = 0;
    std::uint64_t p50_us = 0;
    std::uint64_t p90_us = 0;
    std::uint64_t p99_us = 0;
    std::uint64_t max_us = 0;
};

// User plus system CPU time of this whole process so far (all threads), from getrusage.
// Shows whether the generator's own core was the bottleneck.
double self_cpu_seconds();

// Nearest-rank percentiles; sorts samples in place.
latency_summary summarize(std::vector<std::uint32_t>& samples_us);

} // namespace gw::bench
