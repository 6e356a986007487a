#include "daemon/metrics/shard.hpp"

namespace sekisho::metrics {

namespace {

void bump(label_counts& m, std::string_view key)
{
    auto it = m.find(key);
    if (it == m.end())
    {
        it = m.emplace(std::string(key), 0).first;
    }
    ++it->second;
}

void add_all(label_counts& to, const label_counts& from)
{
    for (const auto& [k, v] : from)
    {
        to[k] += v;
    }
}

} // namespace

void histogram::observe(std::chrono::nanoseconds d)
{
    const double s = std::chrono::duration<double>(d).count();
    for (std::size_t i = 0; i < bounds.size(); ++i)
    {
        if (s <= bounds[i])
        {
            ++buckets[i];
            break;
        }
    }
    ++count;
    sum += s;
}

void histogram::add(const histogram& other)
{
    for (std::size_t i = 0; i < buckets.size(); ++i)
    {
        buckets[i] += other.buckets[i];
    }
    count += other.count;
    sum += other.sum;
}

void counters::add(const counters& o)
{
    connections += o.connections;
    add_all(tunnels_opened, o.tunnels_opened);
    tunnels_closed += o.tunnels_closed;
    add_all(denied, o.denied);
    add_all(failed, o.failed);
    add_all(auth_failures, o.auth_failures);
    bytes_up += o.bytes_up;
    bytes_down += o.bytes_down;
    proxy_refused += o.proxy_refused;
    decision.add(o.decision);
    setup.add(o.setup);
}

shard*& shard::current()
{
    thread_local shard* s = nullptr;
    return s;
}

void shard::connection_ended(const log::tunnel_record& r)
{
    const std::lock_guard lock(mutex_);
    ++c_.connections;
    c_.bytes_up += r.bytes_up;
    c_.bytes_down += r.bytes_down;
    if (r.decision == "allow" && r.status == 200)
    {
        ++c_.tunnels_closed;
    }
    else if (r.decision == "deny" && r.end_cause == "auth_required")
    {
        // A 407: a challenge or refused credentials (auth_failed counts those).
    }
    else if (r.decision == "deny")
    {
        bump(c_.denied, r.reason.empty() ? std::string_view("unknown") : std::string_view(r.reason));
    }
    else if (r.decision != "allow")
    {
        // An error: the reason when there is one (tls_handshake_failed's
        // reasons are OpenSSL's), else how it ended.
        const std::string_view why =
            !r.reason.empty() ? std::string_view(r.reason) : std::string_view(r.end_cause);
        bump(c_.failed, why);
    }
}

void shard::tunnel_opened(std::string_view layer, std::chrono::nanoseconds setup)
{
    const std::lock_guard lock(mutex_);
    bump(c_.tunnels_opened, layer);
    c_.setup.observe(setup);
}

void shard::decided(std::chrono::nanoseconds d)
{
    const std::lock_guard lock(mutex_);
    c_.decision.observe(d);
}

void shard::auth_failed(std::string_view result)
{
    const std::lock_guard lock(mutex_);
    bump(c_.auth_failures, result);
}

void shard::proxy_refused()
{
    const std::lock_guard lock(mutex_);
    ++c_.proxy_refused;
}

counters shard::read() const
{
    const std::lock_guard lock(mutex_);
    return c_;
}

} // namespace sekisho::metrics
