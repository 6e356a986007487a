#include "daemon/log/logger.hpp"
#include "daemon/log/tunnel_record.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace sekisho::log {

namespace {

std::string rfc3339_ms(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf,
                  sizeof buf,
                  "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                  tm.tm_year + 1900,
                  tm.tm_mon + 1,
                  tm.tm_mday,
                  tm.tm_hour,
                  tm.tm_min,
                  tm.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

class json_lines_sink final : public tunnel_sink
{
public:
    json_lines_sink(int fd, bool owned) : fd_(fd), owned_(owned) {}
    ~json_lines_sink() override
    {
        if (owned_)
        {
            ::close(fd_);
        }
    }
    json_lines_sink(const json_lines_sink&) = delete;
    json_lines_sink& operator=(const json_lines_sink&) = delete;

    void record(const tunnel_record& r) override
    {
        std::string line = to_json(r);
        line += '\n';
        std::lock_guard lock(mutex_);
        const char* p = line.data();
        std::size_t left = line.size();
        while (left > 0)
        {
            const auto n = ::write(fd_, p, left);
            if (n < 0 && errno == EINTR)
            {
                continue;
            }
            if (n <= 0)
            {
                // TODO(sekisho): the audit-log issue replaces this sink and
                // makes write failures refuse new tunnels (fail closed).
                log::error("tunnel_log_write_failed", {{"error", std::strerror(errno)}});
                return;
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    }

private:
    int fd_;
    bool owned_;
    std::mutex mutex_;
};

} // namespace

std::string to_json(const tunnel_record& r)
{
    boost::json::object o;
    o["event"] = "tunnel";
    o["ts"] = rfc3339_ms(r.started + r.duration);
    o["id"] = r.id;
    o["started"] = rfc3339_ms(r.started);
    o["duration_ms"] = r.duration.count();
    o["listener"] = r.listener;
    o["layer"] = r.layer;
    o["peer"] = r.peer;
    o["device"] = {
        {"subject", r.device_subject}, {"fingerprint", r.device_fingerprint}, {"serial", r.device_serial}};
    o["user"] = r.user.empty() ? boost::json::value(nullptr) : boost::json::value(r.user);
    o["target"] = r.target;
    o["decision"] = r.decision;
    o["status"] = r.status;
    o["reason"] = r.reason;
    o["rule"] = r.rule;
    o["zone"] = r.zone;
    o["service"] = r.service;
    o["upstream"] = r.upstream;
    o["bytes_up"] = r.bytes_up;
    o["bytes_down"] = r.bytes_down;
    o["end"] = r.end_cause;
    o["detail"] = r.detail;
    o["policy"] = r.policy_hash;
    return boost::json::serialize(o);
}

std::unique_ptr<tunnel_sink> make_json_lines_sink(const std::string& where)
{
    if (where == "stderr")
    {
        return std::make_unique<json_lines_sink>(STDERR_FILENO, false);
    }
    const int fd = ::open(where.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
    {
        throw std::runtime_error("cannot open tunnel log " + where + ": " + std::strerror(errno));
    }
    return std::make_unique<json_lines_sink>(fd, true);
}

} // namespace sekisho::log
