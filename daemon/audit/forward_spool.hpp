#pragma once
// The forwarder's spool (forwarder.cpp): the audit files as a queue of
// complete lines in seq order from a position, across rotations (audit.log
// and the rotated audit-<first seq>.log files), and the state file that
// keeps the last confirmed position across restarts. For the forwarding
// thread only.

#include "daemon/audit/line.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace sekisho::audit::detail {

// Reads the audit folder from a position. Holds the open file, so a rename
// (rotation) does not lose it.
class forward_spool
{
public:
    explicit forward_spool(std::string dir) : dir_(std::move(dir)) {}
    ~forward_spool() { close(); }
    forward_spool(const forward_spool&) = delete;
    forward_spool& operator=(const forward_spool&) = delete;

    // The next read starts at line `seq` (0: the oldest line in the folder),
    // which must chain from a line hashing to `prev_hex` (when not empty):
    // otherwise the log was started anew, and reading restarts at its oldest line.
    void rewind(std::uint64_t seq, std::string prev_hex);

    // Calls `fn` for the complete lines from the position on, until about
    // `max_bytes` were given or none is left. Returns the bytes given.
    std::size_t read(std::size_t max_bytes, const std::function<void(const envelope&, std::string_view)>& fn);

    std::uint64_t next_seq() const { return next_seq_; }

private:
    void close();
    // Opens the file holding line next_seq_; false when there is none yet.
    // (`depth` bounds the retries after a gap or a new chain.)
    bool locate(int depth = 0);

    const std::string dir_;
    std::uint64_t next_seq_ = 0;
    std::string expect_prev_;
    int fd_ = -1;
    ino_t ino_ = 0;
    dev_t dev_ = 0;
    bool current_ = false;
    std::string path_;
    off_t offset_ = 0;
    std::string buf_;
    std::size_t pos_ = 0;
    bool skipping_ = false;
    bool unreadable_logged_ = false;
};

// The last confirmed line, as the state file keeps it: the collector has
// every line up to `seq`, whose bytes hash to `hash` (hex). {0, ""}: nothing
// forwarded yet.
struct forward_position
{
    std::uint64_t seq = 0;
    std::string hash;
};

// The position in the state file at `path`: {0, ""} when there is no file
// (never forwarded) or it cannot be read (logged): the folder is then sent
// from its oldest line.
forward_position load_forward_state(const std::string& path);
// Replaces the state file with `p`; false with the reason in `why`.
bool save_forward_state(const std::string& path, const forward_position& p, std::string& why);

} // namespace sekisho::audit::detail
