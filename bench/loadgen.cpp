// sekisho-loadgen: the gateway's load generator. See usage_text() in options.cpp for the
// modes and docs/performance.md for how bench/run-gateway-bench uses them.

#include "modes.hpp"
#include "net_util.hpp"
#include "options.hpp"
#include "proxy_auth.hpp"
#include "tunnel.hpp"

#include <chrono>
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
    options o = *parsed.opts;
    raise_fd_limit();
    if (o.mode == run_mode::signin)
    {
        return run_signin(o);
    }
    if (!o.proxy_user.empty())
    {
        // One code for the whole run: it opens the device's session when there is none,
        // and the follow-up CONNECTs of a live session join it without using their code.
        const auto code =
            o.totp_key.empty() ? std::string() : totp_code(o.totp_key, std::chrono::system_clock::now());
        o.proxy_authorization = basic_authorization(o.proxy_user, code);
    }

    std::string error;
    const auto ctx = client_context::create(o.tls, error, o.resume);
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
        case run_mode::signin:
            break; // handled above: one context per device
    }
    return 2;
}
