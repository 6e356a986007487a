#include "daemon/net/dns_resolver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include <ares.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sekisho::net {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// ---------------------------------------------------------------------------
// The cache.

dns_cache::dns_cache(std::size_t max_entries,
                     std::chrono::milliseconds max_ttl,
                     std::chrono::milliseconds negative_ttl)
    : max_entries_(std::max<std::size_t>(max_entries, 1)), max_ttl_(max_ttl), negative_ttl_(negative_ttl)
{}

std::optional<resolve_outcome> dns_cache::get(const std::string& name, steady::time_point now)
{
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(name);
    if (it == entries_.end())
    {
        return std::nullopt;
    }
    if (it->second.expires <= now)
    {
        recency_.erase(it->second.recency);
        entries_.erase(it);
        return std::nullopt;
    }
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return it->second.answer;
}

void dns_cache::put(const std::string& name,
                    const resolve_outcome& answer,
                    std::chrono::seconds ttl,
                    steady::time_point now)
{
    // A timeout says nothing about the name: not cached.
    if (answer.error == "dns_timeout")
    {
        return;
    }
    const auto keep =
        answer.error.empty() ? std::min<std::chrono::milliseconds>(ttl, max_ttl_) : negative_ttl_;
    if (keep <= std::chrono::milliseconds(0))
    {
        return;
    }
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(name); it != entries_.end())
    {
        recency_.erase(it->second.recency);
        entries_.erase(it);
    }
    while (entries_.size() >= max_entries_)
    {
        entries_.erase(recency_.back());
        recency_.pop_back();
    }
    recency_.push_front(name);
    entries_.emplace(name, entry{answer, now + keep, recency_.begin()});
}

std::size_t dns_cache::size() const
{
    std::lock_guard lock(mutex_);
    return entries_.size();
}

// ---------------------------------------------------------------------------
// One lookup: a c-ares channel driven by the I/O thread's event loop. c-ares
// says which sockets it wants watched (sock_state_cb); each is watched
// through a duplicate descriptor, so that closing ours never closes c-ares's.

namespace {

void library_init()
{
    static std::once_flag once;
    std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

struct lookup : std::enable_shared_from_this<lookup>
{
    struct watch
    {
        std::unique_ptr<asio::posix::stream_descriptor> fd;
        bool want_read = false;
        bool want_write = false;
        bool read_armed = false;
        bool write_armed = false;
    };

    explicit lookup(const asio::any_io_executor& ex) : executor(ex), timer(ex), done(ex) {}

    asio::any_io_executor executor;
    ares_channel channel = nullptr;
    std::map<ares_socket_t, watch> watched;
    asio::steady_timer timer; // c-ares's own retry timeouts
    asio::steady_timer done;  // cancelled when the answer is in
    bool finished = false;
    resolve_outcome result;
    std::chrono::seconds ttl{0};

    static void on_socket_state(void* data, ares_socket_t s, int readable, int writable)
    {
        static_cast<lookup*>(data)->socket_state(s, readable != 0, writable != 0);
    }

    static void on_answer(void* arg, int status, int /*timeouts*/, ares_addrinfo* res)
    {
        static_cast<lookup*>(arg)->answer(status, res);
        if (res != nullptr)
        {
            ares_freeaddrinfo(res);
        }
    }

    void socket_state(ares_socket_t s, bool readable, bool writable)
    {
        if (!readable && !writable)
        {
            if (auto it = watched.find(s); it != watched.end())
            {
                error_code ignored;
                it->second.fd->cancel(ignored);
                watched.erase(it);
            }
            return;
        }
        auto& w = watched[s];
        if (!w.fd)
        {
            const int copy = ::dup(s);
            if (copy < 0)
            {
                return; // c-ares times the query out
            }
            w.fd = std::make_unique<asio::posix::stream_descriptor>(executor, copy);
        }
        w.want_read = readable;
        w.want_write = writable;
        arm(s);
    }

    void arm(ares_socket_t s)
    {
        auto it = watched.find(s);
        if (it == watched.end() || finished)
        {
            return;
        }
        auto& w = it->second;
        auto self = shared_from_this();
        if (w.want_read && !w.read_armed)
        {
            w.read_armed = true;
            w.fd->async_wait(asio::posix::stream_descriptor::wait_read,
                             [self, s](error_code ec) { self->ready(s, ec, true); });
        }
        if (w.want_write && !w.write_armed)
        {
            w.write_armed = true;
            w.fd->async_wait(asio::posix::stream_descriptor::wait_write,
                             [self, s](error_code ec) { self->ready(s, ec, false); });
        }
    }

    void ready(ares_socket_t s, error_code ec, bool read)
    {
        if (auto it = watched.find(s); it != watched.end())
        {
            (read ? it->second.read_armed : it->second.write_armed) = false;
        }
        if (ec || finished || channel == nullptr)
        {
            return;
        }
        ares_process_fd(channel, read ? s : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : s);
        arm(s);
        arm_timer();
    }

    void arm_timer()
    {
        if (finished || channel == nullptr)
        {
            return;
        }
        timeval tv{};
        if (ares_timeout(channel, nullptr, &tv) == nullptr)
        {
            return;
        }
        timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
        auto self = shared_from_this();
        timer.async_wait([self](error_code ec) {
            if (ec || self->finished || self->channel == nullptr)
            {
                return;
            }
            ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            self->arm_timer();
        });
    }

    void answer(int status, ares_addrinfo* res)
    {
        if (finished)
        {
            return; // ARES_EDESTRUCTION after the deadline
        }
        finished = true;
        if (status == ARES_SUCCESS && res != nullptr)
        {
            int min_ttl = -1;
            for (auto* n = res->nodes; n != nullptr; n = n->ai_next)
            {
                policy::ip_address a;
                if (n->ai_family == AF_INET)
                {
                    const auto* sin = reinterpret_cast<const sockaddr_in*>(n->ai_addr);
                    a = from_asio(asio::ip::address_v4(ntohl(sin->sin_addr.s_addr)));
                }
                else if (n->ai_family == AF_INET6)
                {
                    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(n->ai_addr);
                    asio::ip::address_v6::bytes_type bytes{};
                    std::copy(std::begin(sin6->sin6_addr.s6_addr),
                              std::end(sin6->sin6_addr.s6_addr),
                              bytes.begin());
                    a = from_asio(asio::ip::address_v6(bytes));
                }
                else
                {
                    continue;
                }
                if (std::find(result.addresses.begin(), result.addresses.end(), a) == result.addresses.end())
                {
                    result.addresses.push_back(a);
                }
                min_ttl = min_ttl < 0 ? n->ai_ttl : std::min(min_ttl, n->ai_ttl);
            }
            ttl = std::chrono::seconds(std::max(min_ttl, 0));
            if (result.addresses.empty())
            {
                result.error = "dns_failed";
                result.detail = "no address in the answer";
            }
        }
        else if (status == ARES_ETIMEOUT)
        {
            result.error = "dns_timeout";
        }
        else
        {
            result.error = "dns_failed";
            result.detail = ares_strerror(status);
        }
        stop_watching();
        done.cancel();
    }

    void stop_watching()
    {
        error_code ignored;
        timer.cancel();
        for (auto& [s, w] : watched)
        {
            w.fd->cancel(ignored);
        }
    }
};

std::string servers_csv(const std::vector<std::string>& servers)
{
    std::string csv;
    for (const auto& s : servers)
    {
        csv += (csv.empty() ? "" : ",") + s;
    }
    return csv;
}

} // namespace

asio::awaitable<resolve_outcome> resolve_on(const config::layer_dns& settings,
                                            dns_cache& cache,
                                            std::string name,
                                            std::chrono::milliseconds timeout)
{
    const auto now = dns_cache::steady::now();
    if (auto cached = cache.get(name, now))
    {
        co_return *cached;
    }
    library_init();
    auto st = std::make_shared<lookup>(co_await asio::this_coro::executor);
    ares_options opts{};
    opts.sock_state_cb = &lookup::on_socket_state;
    opts.sock_state_cb_data = st.get();
    // Two tries per server within the deadline; DNS only (no /etc/hosts, no
    // search domains: names are asked as the client wrote them).
    opts.timeout = static_cast<int>(std::max<long long>(timeout.count() / 4, 100));
    opts.tries = 2;
    opts.flags = ARES_FLAG_NOSEARCH;
    char lookups[] = "b";
    opts.lookups = lookups;
    resolve_outcome out;
    if (ares_init_options(&st->channel,
                          &opts,
                          ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS |
                              ARES_OPT_LOOKUPS) != ARES_SUCCESS)
    {
        out.error = "dns_failed";
        out.detail = "cannot start a DNS query (c-ares)";
        co_return out;
    }
    if (ares_set_servers_ports_csv(st->channel, servers_csv(settings.servers).c_str()) != ARES_SUCCESS)
    {
        ares_destroy(st->channel);
        st->channel = nullptr;
        out.error = "dns_failed";
        out.detail = "bad DNS server list";
        co_return out;
    }
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = ARES_AI_NOSORT;
    ares_getaddrinfo(st->channel, name.c_str(), nullptr, &hints, &lookup::on_answer, st.get());
    st->arm_timer();
    if (!st->finished)
    {
        st->done.expires_after(timeout);
        co_await st->done.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (!st->finished)
    {
        st->finished = true;
        st->result.error = "dns_timeout";
        st->stop_watching();
    }
    out = st->result;
    const auto ttl = st->ttl;
    ares_destroy(st->channel); // pending queries end with ARES_EDESTRUCTION, ignored
    st->channel = nullptr;
    cache.put(name, out, ttl, dns_cache::steady::now());
    co_return out;
}

} // namespace sekisho::net
