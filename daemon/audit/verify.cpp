#include "daemon/audit/verify.hpp"

#include "daemon/audit/line.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <thread>
#include <vector>

namespace sekisho::audit {

namespace {

constexpr std::string_view checkpoint_event = "checkpoint";

bool is_json_object(std::string_view line)
{
    boost::system::error_code ec;
    unsigned char scratch[4096];
    boost::json::monotonic_resource mr(scratch, sizeof scratch);
    const auto value = boost::json::parse(line, ec, &mr);
    return !ec && value.is_object();
}

struct anchor_point
{
    std::uint64_t seq = 0;
    std::string line;
    std::string ts;
};

// The checkpoint of `line` is well formed and signed by `key`.
bool checkpoint_signed(std::string_view line, const public_key& key)
{
    const auto part = signed_part(line);
    if (!part || !line.ends_with("\"}"))
    {
        return false;
    }
    const auto sig = line.substr(part->size() + signature_marker.size());
    return signature_valid(key, *part, sig.substr(0, sig.size() - 2));
}

// The last checkpoint signed by `key` among the anchor's lines, which may be
// syslog messages: the record starts at the first '{'.
std::optional<anchor_point> last_anchor(std::string_view text, const public_key& key)
{
    std::optional<anchor_point> best;
    for_each_line(text, [&](std::size_t, std::string_view line, bool) {
        const auto brace = line.find('{');
        if (brace == std::string_view::npos)
        {
            return true;
        }
        line.remove_prefix(brace);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        {
            line.remove_suffix(1);
        }
        const auto e = read_envelope(line);
        if (e && e->event == checkpoint_event && checkpoint_signed(line, key) &&
            (!best || e->seq > best->seq))
        {
            best = anchor_point{e->seq, std::string(line), std::string(e->ts)};
        }
        return true;
    });
    return best;
}

// The BLAKE2b of every line of `text`, computed on all cores: hashing is
// most of verify's work, and each line's hash is independent of the others
// (only comparing them is sequential).
std::vector<digest> hash_lines(std::string_view text)
{
    std::vector<std::string_view> lines;
    for_each_line(text, [&](std::size_t, std::string_view line, bool) {
        lines.push_back(line);
        return true;
    });
    std::vector<digest> out(lines.size());
    const auto workers =
        std::min<std::size_t>(std::max(1U, std::thread::hardware_concurrency()), 1 + lines.size() / 4096);
    const auto per_worker = (lines.size() + workers - 1) / workers;
    auto part = [&](std::size_t w) {
        const auto end = std::min(lines.size(), (w + 1) * per_worker);
        for (std::size_t i = w * per_worker; i < end; ++i)
        {
            out[i] = line_hash(lines[i]);
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t w = 1; w < workers; ++w)
    {
        threads.emplace_back(part, w);
    }
    part(0);
    for (auto& t : threads)
    {
        t.join();
    }
    return out;
}

class verifier
{
public:
    verifier(const std::vector<log_file>& files, const verify_options& o) : files_(files), options_(o) {}

    verify_report run()
    {
        if (options_.anchor_text)
        {
            anchor_ = last_anchor(*options_.anchor_text, options_.key);
            if (anchor_)
            {
                report_.anchor_seq = anchor_->seq;
            }
        }
        for (file_ = 0; file_ < files_.size() && report_.result == verdict::ok; ++file_)
        {
            const auto& text = files_[file_].text;
            hashes_ = hash_lines(text);
            for_each_line(text, [&](std::size_t n, std::string_view line, bool terminated) {
                return check_line(n, line, terminated, static_cast<std::size_t>(line.data() - text.data()));
            });
        }
        report_.last_ts = std::string(last_ts_);
        if (report_.result == verdict::ok && check_tail())
        {
            finish();
        }
        return report_;
    }

private:
    bool fail(verdict v, std::size_t n, std::string what)
    {
        report_.result = v;
        report_.message = files_[file_].path + ":" + std::to_string(n) + ": " + what;
        return false;
    }

    std::string prev_where() const
    {
        return files_[prev_file_].path + ":" + std::to_string(prev_line_number_);
    }

    // The lines after the last checkpoint, which no signature covers, must
    // each be a JSON object.
    bool check_tail()
    {
        for (file_ = tail_file_; file_ < files_.size(); ++file_)
        {
            std::string_view text = files_[file_].text;
            std::size_t skipped_lines = 0;
            if (file_ == tail_file_)
            {
                const auto cut = std::min(tail_offset_, text.size());
                skipped_lines = static_cast<std::size_t>(
                    std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(cut), '\n'));
                text.remove_prefix(cut);
            }
            bool ok = true;
            for_each_line(text, [&](std::size_t n, std::string_view line, bool) {
                if (!is_json_object(line))
                {
                    ok =
                        fail(verdict::malformed, skipped_lines + n, "not a sekisho audit record (schema v1)");
                }
                return ok;
            });
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    // Does `seq` occur after byte `from` of the current file, or in a later file?
    bool appears_later(std::uint64_t seq, std::size_t from) const
    {
        bool found = false;
        for (auto f = file_; f < files_.size() && !found; ++f)
        {
            std::string_view text = files_[f].text;
            if (f == file_)
            {
                text.remove_prefix(std::min(from, text.size()));
            }
            for_each_line(text, [&](std::size_t, std::string_view line, bool) {
                const auto e = read_envelope(line);
                found = e && e->seq == seq;
                return !found;
            });
        }
        return found;
    }

    bool check_line(std::size_t n, std::string_view line, bool terminated, std::size_t offset)
    {
        if (!terminated)
        {
            return fail(verdict::truncated,
                        n,
                        "the last line has no newline: the file was cut in the middle of a record");
        }
        // The envelope is read by hand; the whole line is parsed as JSON only
        // where the chain does not vouch for it: the first line, a line whose
        // successor does not match it, and the unsealed tail (finish()). A
        // line in the middle is exactly what the writer hashed and a
        // checkpoint signed, or the chain says otherwise.
        const auto e = read_envelope(line);
        if (!e || e->event.empty() || (report_.lines == 0 && !is_json_object(line)))
        {
            return fail(verdict::malformed, n, "not a sekisho audit record (schema v1)");
        }
        if (report_.lines == 0)
        {
            report_.first_seq = e->seq;
            report_.first_ts = std::string(e->ts);
            report_.from_genesis = e->prev == genesis_prev();
        }
        else
        {
            const auto expected = prev_seq_ + 1;
            if (e->seq < expected)
            {
                return fail(verdict::reorder,
                            n,
                            "seq " + std::to_string(e->seq) + " comes after seq " +
                                std::to_string(prev_seq_) + ": lines were moved or repeated");
            }
            if (e->seq > expected)
            {
                if (appears_later(expected, offset + line.size()))
                {
                    return fail(verdict::reorder,
                                n,
                                "seq " + std::to_string(e->seq) + " comes where seq " +
                                    std::to_string(expected) + " was expected, and seq " +
                                    std::to_string(expected) + " appears later: lines were moved");
                }
                return fail(verdict::gap,
                            n,
                            "seq jumps from " + std::to_string(prev_seq_) + " to " + std::to_string(e->seq) +
                                ": " + std::to_string(e->seq - expected) +
                                " line(s) missing before this one");
            }
            if (e->prev != std::string_view(prev_hash_.data(), prev_hash_.size()))
            {
                if (!is_json_object(prev_line_))
                {
                    n = prev_line_number_;
                    file_ = prev_file_;
                    return fail(verdict::malformed, n, "not a sekisho audit record (schema v1)");
                }
                return fail(verdict::chain,
                            n,
                            "prev does not match the hash of the line before (" + prev_where() +
                                "): that line was altered");
            }
        }
        if (e->event == checkpoint_event)
        {
            if (!checkpoint_signed(line, options_.key))
            {
                boost::system::error_code ec;
                const auto value = boost::json::parse(line, ec);
                const auto* named = !ec && value.is_object() ? value.as_object().if_contains("key") : nullptr;
                std::string names = named && named->is_string() ? std::string(named->as_string()) : "none";
                return fail(verdict::signature,
                            n,
                            "the checkpoint's signature does not verify with the given key (id " +
                                options_.key.id() + "; the checkpoint names key " + names +
                                "): it was forged or re-signed, or the wrong public key was given");
            }
            ++report_.checkpoints;
            report_.sealed_seq = e->seq;
            report_.sealed_ts = std::string(e->ts);
            tail_file_ = file_;
            tail_offset_ = offset + line.size() + 1;
        }
        if (anchor_ && e->seq == anchor_->seq)
        {
            if (line != anchor_->line)
            {
                return fail(verdict::chain,
                            n,
                            "this line differs from the collector's copy of checkpoint seq " +
                                std::to_string(anchor_->seq));
            }
            report_.anchor_compared = true;
        }
        ++report_.lines;
        report_.last_seq = e->seq;
        last_ts_ = e->ts;
        last_was_checkpoint_ = e->event == checkpoint_event;
        prev_seq_ = e->seq;
        const auto& d = hashes_[n - 1];
        hex_into(d.data(), d.size(), prev_hash_.data());
        prev_line_ = line;
        prev_file_ = file_;
        prev_line_number_ = n;
        return true;
    }

    void finish()
    {
        if (report_.lines == 0)
        {
            report_.result = verdict::malformed;
            report_.message = "no audit records in the given files";
            return;
        }
        if (anchor_ && anchor_->seq > report_.last_seq)
        {
            report_.result = verdict::truncated;
            report_.message = "the files end at seq " + std::to_string(report_.last_seq) +
                              ", but the collector holds checkpoint seq " + std::to_string(anchor_->seq) +
                              " (" + anchor_->ts + "): records after seq " +
                              std::to_string(report_.last_seq) + " were deleted";
            return;
        }
        if (!last_was_checkpoint_)
        {
            report_.result = verdict::unsealed;
            report_.message = prev_where() + ": the last " +
                              std::to_string(report_.last_seq - report_.sealed_seq) +
                              " record(s) (after seq " + std::to_string(report_.sealed_seq) +
                              ") are not sealed by a checkpoint: the log is live, the daemon stopped "
                              "without sealing (crash, kill -9), or records after the last checkpoint "
                              "were deleted";
        }
    }

    const std::vector<log_file>& files_;
    const verify_options& options_;
    verify_report report_;
    std::optional<anchor_point> anchor_;
    std::size_t file_ = 0;
    std::uint64_t prev_seq_ = 0;
    std::array<char, 64> prev_hash_{};
    std::vector<digest> hashes_; // of the current file's lines, by line number - 1
    std::string_view prev_line_;
    std::size_t prev_file_ = 0;
    std::size_t prev_line_number_ = 0;
    std::string_view last_ts_;
    std::size_t tail_file_ = 0; // where the lines after the last checkpoint begin
    std::size_t tail_offset_ = 0;
    bool last_was_checkpoint_ = false;
};

} // namespace

std::string_view to_string(verdict v)
{
    switch (v)
    {
        case verdict::ok:
            return "ok";
        case verdict::malformed:
            return "malformed";
        case verdict::chain:
            return "chain_broken";
        case verdict::gap:
            return "sequence_gap";
        case verdict::reorder:
            return "reordered";
        case verdict::signature:
            return "bad_signature";
        case verdict::truncated:
            return "truncated";
        case verdict::unsealed:
            break;
    }
    return "unsealed_tail";
}

verify_report verify_files(const std::vector<log_file>& files, const verify_options& options)
{
    return verifier(files, options).run();
}

} // namespace sekisho::audit
