#pragma once
// The audit log's writer: one dedicated thread behind a bounded queue.
// Callers on any thread append events (cheap: one string, one lock); the
// writer numbers them, chains them (line.hpp), writes them in batches,
// fsyncs at most `fsync_interval` after writing (group commit), seals with
// a signed checkpoint every `checkpoint_events` lines or
// `checkpoint_interval`, and rotates audit.log by size and age, continuing
// the chain in the next file.
//
// When the file cannot be written (disk full, I/O error) the lines already
// chained stay in memory and are written again every `retry_interval`;
// meanwhile, with fail_closed, `append(required)` refuses, so that no tunnel
// opens without its record. Nothing is dropped except when the queue is
// full; those losses are counted and written as an `audit_lost` event once
// writing works again.

#include "daemon/audit/keys.hpp"
#include "daemon/config/settings.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sekisho::audit {

struct writer_status
{
    bool healthy = true;
    bool fail_closed = true;
    std::size_t queue_depth = 0;
    std::size_t queue_capacity = 0;
    std::uint64_t written_seq = 0; // the last line written to the file
    std::uint64_t durable_seq = 0; // the last line fsync'ed: acknowledged
    std::uint64_t lost = 0;        // events refused or dropped (queue full, log unwritable at stop)
    std::uint64_t checkpoints = 0;
    std::uint64_t fsyncs = 0;
    std::chrono::microseconds last_fsync{0};
    std::chrono::microseconds max_fsync{0};
    std::string last_error; // empty while healthy
    std::string file;       // the file being written
};

class writer
{
public:
    // Opens (or creates) the folder and audit.log, and continues the chain
    // from its last line: a line cut short by a crash is removed and the
    // removal recorded. nullptr with a message in `error` when the log
    // cannot be continued (unreadable, not an audit log).
    static std::unique_ptr<writer>
    open(const config::audit_settings& settings, signing_key key, std::string host, std::string& error);
    ~writer();
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    // Queues one event: `fields` must not contain "event". `required`: the
    // caller may act only when it was queued (an allowed tunnel); false means
    // refused (fail_closed and the log unwritable, or the queue full).
    bool append(std::string_view event, const boost::json::object& fields, bool required = false);
    // The same with the fields already serialised: `fields_json` is a JSON
    // object's text ("{…}").
    bool append_serialized(std::string_view event, std::string_view fields_json, bool required);

    // New tunnels may open (fail_closed: the log is writable and the queue
    // has room; best_effort: always).
    bool accepting() const;
    writer_status status() const;
    // Blocks until every event queued before the call is written and
    // fsync'ed, or `timeout` passes; false on timeout.
    bool flush(std::chrono::milliseconds timeout);
    // Writes what is queued, seals with a checkpoint, fsyncs and stops the
    // thread. Called once at shutdown; the destructor calls it too.
    void close();

private:
    // The queue is one buffer of records, each [ts: int64 ms][length:
    // uint32][body: `"event":"…",…}`, the line after the envelope]: the
    // writer swaps it with an empty one of the same capacity, so that a busy
    // log allocates nothing per event and no memory crosses threads.
    class event_queue
    {
    public:
        void push(std::int64_t ts_ms, std::string_view event, std::string_view fields_json);
        std::size_t size() const { return count_; }
        bool empty() const { return count_ == 0; }
        void swap(event_queue& other) noexcept
        {
            buffer_.swap(other.buffer_);
            std::swap(count_, other.count_);
        }
        void clear()
        {
            buffer_.clear();
            count_ = 0;
        }
        // Calls fn(ts_ms, body) for each record, in order.
        template <typename Fn>
        void for_each(Fn&& fn) const;

    private:
        std::string buffer_;
        std::size_t count_ = 0;
    };

    writer(const config::audit_settings& s, signing_key key, std::string host);
    bool resume(std::string& error);
    void run();
    void compose_line(std::int64_t ts_ms, std::string_view body);
    std::string_view timestamp(std::int64_t ts_ms);
    void set_prev(std::string_view line); // prev_hex_ = hash of `line`, without allocating
    void compose_checkpoint();
    bool write_out();
    bool sync();
    bool rotate();
    bool open_current(std::string& error);
    void set_unhealthy(std::string why);
    void set_healthy();

    const config::audit_settings settings_;
    const signing_key key_;
    const std::string key_id_;
    const std::string host_json_;
    const std::string current_path_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable flushed_;
    event_queue queue_;
    std::uint64_t queued_total_ = 0;   // events ever queued
    std::uint64_t composed_total_ = 0; // of those, composed into lines
    std::uint64_t durable_total_ = 0;  // of those, fsync'ed
    bool stopping_ = false;
    bool closed_ = false;
    bool flush_now_ = false;
    std::chrono::steady_clock::time_point first_queued_{}; // when the queue last stopped being empty
    bool healthy_ = true;
    std::uint64_t lost_ = 0;
    writer_status shown_; // published by the writer thread for status()

    // Writer thread only.
    int fd_ = -1;
    std::uint64_t seq_ = 0;
    std::string prev_hex_;
    std::string out_; // lines composed, not yet written
    std::uint64_t out_last_seq_ = 0;
    std::uint64_t out_last_total_ = 0;
    std::uint64_t written_seq_ = 0;
    std::uint64_t written_total_ = 0;
    bool dirty_ = false; // written since the last fsync
    std::uint64_t since_checkpoint_ = 0;
    std::chrono::steady_clock::time_point first_unsealed_{};
    std::chrono::steady_clock::time_point last_write_{};
    std::chrono::steady_clock::time_point next_retry_{};
    std::uint64_t file_bytes_ = 0;
    std::uint64_t file_first_seq_ = 0;
    std::chrono::system_clock::time_point file_started_{};
    std::chrono::steady_clock::time_point file_opened_{};
    std::uint64_t lost_reported_ = 0;
    std::uint64_t checkpoints_ = 0;
    std::int64_t ts_second_ = -1; // the second ts_text_ holds
    std::string ts_text_;
    std::string recovered_note_; // fields of the audit_recovered event written first, if any
    std::thread thread_;
};

} // namespace sekisho::audit
