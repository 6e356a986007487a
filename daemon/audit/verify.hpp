#pragma once
// What `sekisho-audit verify` checks, as a library (tests and the fuzz
// target call it directly): every line well formed, the hash chain unbroken
// across files, seq without gaps or reordering, every checkpoint signed by
// the given key, the end sealed by a checkpoint, and — with an anchor (the
// collector's copy of the checkpoints) — nothing cut off after the last
// checkpoint that left the host.

#include "daemon/audit/keys.hpp"
#include "daemon/audit/reader.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sekisho::audit {

// Also the exit codes of `sekisho-audit verify` (1: usage or unreadable input).
enum class verdict
{
    ok = 0,
    malformed = 2, // a line that is not a record of this schema
    chain = 3,     // prev does not match the previous line: a line altered or replaced
    gap = 4,       // seq jumps forward: lines removed
    reorder = 5,   // seq goes back or repeats: lines moved or duplicated
    signature = 6, // a checkpoint not signed by the given key
    truncated = 7, // a line cut short, or the files end before the anchor's last checkpoint
    unsealed = 8   // lines after the last checkpoint (a crash, a live file, or a deleted tail)
};
std::string_view to_string(verdict v);

struct verify_report
{
    verdict result = verdict::ok;
    std::string message; // "FILE:LINE: what is wrong" for the first failure; empty when ok
    std::uint64_t lines = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t sealed_seq = 0; // seq of the last valid checkpoint
    std::string first_ts;
    std::string last_ts;
    std::string sealed_ts;
    bool from_genesis = false; // the first line starts the chain (earlier files not missing)
    std::uint64_t anchor_seq = 0;
    bool anchor_compared = false; // the anchor's checkpoint was in the files and identical
};

struct verify_options
{
    public_key key;
    // Lines (raw JSON lines or syslog messages carrying them) holding
    // checkpoints that were sent off the host.
    std::optional<std::string> anchor_text;
};

verify_report verify_files(const std::vector<log_file>& files, const verify_options& options);

} // namespace sekisho::audit
