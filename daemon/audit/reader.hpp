#pragma once
// Audit log files as sekisho-audit reads them: whole files, offline, in
// chain order. A folder argument stands for the audit files in it
// (audit.log and the rotated audit-*.log).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::audit {

struct log_file
{
    std::string path;
    // The file's bytes: mapped read-only (audit files run to hundreds of MB;
    // copying them into fresh memory costs more than checking them), kept
    // alive by `storage`. Tests may point it at their own strings.
    std::string_view text;
    std::uint64_t first_seq = 0; // of its first line; 0 when it has none readable
    std::shared_ptr<const void> storage;
};

// Reads every file (folders expanded), ordered by the seq of their first
// line. False with a message in `error` when a file cannot be read.
bool read_log_files(const std::vector<std::string>& paths, std::vector<log_file>& out, std::string& error);

// The lines of `text`, numbered from 1. `terminated` is false for a last
// line without its newline (a file cut mid-line). Stops when `fn` returns false.
void for_each_line(std::string_view text,
                   const std::function<bool(std::size_t number, std::string_view line, bool terminated)>& fn);

} // namespace sekisho::audit
