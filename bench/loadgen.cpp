// sekisho-loadgen: the gateway's load generator. See usage_text() in options.cpp for the
// modes and docs/performance.md for how bench/run-gateway-bench uses them.

#include "modes.hpp"
#include "net_util.hpp"
#include "options.hpp"
#include "tunnel.hpp"

#include <csignal>
#include <cstdio>

int main(int argc, char** argv)
{
    using namespace gw::bench;
    // A write to a socket the gateway has reset must fail with EPIPE, not kill the run.
    std::signal(SIGPIPE, SIG_IGN);

    const auto parsed = parse_options(argc, argv);
    if (parsed.help)
    {
        std::fputs(usage_text(), stdout);
        return 0;
    }
    if (!parsed.opts)
    {
        std::fprintf(stderr, "loadgen: %s\n\n%s", parsed.error.c_str(), usage_text());
        return 2;
    }
    const options& o = *parsed.opts;
    raise_fd_limit();

    std::string error;
    const auto ctx = client_context::create(o.tls, error);
    if (!ctx)
    {
        std::fprintf(stderr, "loadgen: %s\n", error.c_str());
        return 2;
    }
    switch (o.mode)
    {
        case run_mode::bulk:
            return run_bulk(o, *ctx);
        case run_mode::rate:
            return run_rate(o, *ctx);
        case run_mode::idle:
            return run_idle(o, *ctx);
    }
    return 2;
}
