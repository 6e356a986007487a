#pragma once
// One thread, many tunnels: an epoll loop that drives non-blocking client jobs.
//
// Why not a thread per client: OpenSSL 3.0 takes shared locks on every handshake, and with
// 32 threads on the generator's one core a thread preempted while holding one stalls the
// rest. The rate test then measured lock convoys in the generator (half-idle cores, p50 in
// the 100 ms range) instead of the gateway. One thread owns all its tunnels, so nothing
// is shared and nothing waits but the sockets.

#include "net_util.hpp"
#include "tunnel.hpp"

#include <span>

namespace gw::bench {

class client_job
{
public:
    virtual ~client_job() = default;

    // Goes as far as the job can without blocking. Returns want::read or want::write to
    // wait on fd() (or, when fd() is -1, just for due()), or want::done when the job is
    // finished; it is not called again after that. Jobs handle their own failures.
    virtual want resume() = 0;

    // due() passed while the job waited; returns like resume().
    virtual want expire() = 0;

    virtual int fd() const = 0;
    virtual deadline due() const = 0;
};

// Runs until every job is done. Each job must bound itself (its own deadlines and counts).
void run_client_loop(std::span<client_job* const> jobs);

} // namespace gw::bench
