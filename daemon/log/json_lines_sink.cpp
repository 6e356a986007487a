#include "daemon/log/logger.hpp"
#include "daemon/log/text.hpp"
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
                // This first sink reports the loss and carries on; the
                // tamper-evident audit log (issue #6) takes its place behind
                // tunnel_sink and refuses new tunnels while it cannot write.
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
    const auto u = [](const std::string& v) {
        return boost::json::value(valid_utf8(v));
    };
    o["listener"] = u(r.listener);
    o["layer"] = u(r.layer);
    o["peer"] = u(r.peer);
    if (!r.via.empty())
    {
        o["via"] = u(r.via);
    }
    o["device"] = {{"id", r.device.empty() ? boost::json::value(nullptr) : u(r.device)},
                   {"subject", u(r.device_subject)},
                   {"fingerprint", u(r.device_fingerprint)},
                   {"serial", u(r.device_serial)}};
    if (r.tls_resumed)
    {
        o["tls_resumed"] = true;
    }
    o["user"] = r.user.empty() ? boost::json::value(nullptr) : u(r.user);
    o["target"] = u(r.target);
    o["decision"] = u(r.decision);
    o["status"] = r.status;
    o["reason"] = u(r.reason);
    o["rule"] = u(r.rule);
    o["role"] = r.role.empty() ? boost::json::value(nullptr) : u(r.role);
    o["session"] = r.session.empty() ? boost::json::value(nullptr) : u(r.session);
    if (!r.exception.empty())
    {
        o["exception"] = u(r.exception);
    }
    if (!r.would_deny.empty())
    {
        o["would_deny"] = u(r.would_deny);
    }
    o["zone"] = u(r.zone);
    o["service"] = u(r.service);
    o["upstream"] = u(r.upstream);
    o["bytes_up"] = r.bytes_up;
    o["bytes_down"] = r.bytes_down;
    o["end"] = u(r.end_cause);
    o["detail"] = u(r.detail);
    o["policy"] = u(r.policy_hash);
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
