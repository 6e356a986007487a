#pragma once
// The command line of sekisho-loadgen. parse_options() checks every range, so the modes can
// rely on bounded counts and durations, and refuses any address outside 127.0.0.0/8.

#include "net_util.hpp"
#include "tunnel.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gw::bench {

enum class run_mode
{
    bulk,
    rate,
    idle,
    signin,
};

enum class direction
{
    down, // upstream to client: the download most telework traffic is
    up,
    both,
};

struct options
{
    run_mode mode = run_mode::rate;
    endpoint proxy;
    endpoint upstream_listen;
    std::string target; // "name:port" for the CONNECT line
    tls_files tls;
    bool json = false;
    double timeout_s = 10;      // deadline of each phase of one tunnel
    double close_timeout_s = 2; // how long a close waits for the proxy's close

    // bulk and idle
    unsigned tunnels = 1;
    // bulk
    std::uint64_t bytes = std::uint64_t{1} << 30; // per tunnel and direction
    direction dir = direction::down;
    double max_seconds = 120; // the whole transfer
    // rate and idle (idle: how many tunnels are opened at once)
    unsigned clients = 32;
    unsigned threads = 1; // event loops the clients are spread over
    // rate
    double duration_s = 10;
    std::uint64_t max_tunnels = 10'000'000;
    unsigned payload = 64;
    bool resume = false; // offer each client's newest session ticket on its next tunnel
    // idle
    double hold_s = 60;
    bool ignore_stdin = false;
    // sign-in (every mode but signin, which reads its users from logins_file)
    std::string proxy_user;             // "USER:PASSWORD"; empty: no Proxy-Authorization
    std::vector<std::uint8_t> totp_key; // decoded --totp-secret; empty: no code appended
    std::string proxy_authorization;    // the header value; main() sets it once at start
    // signin
    std::string logins_file; // lines "CERT KEY [USER:PASSWORD]"
    double signin_rate = 10; // sign-ins started per second, at most one at a time
};

struct parse_result
{
    std::optional<options> opts;
    std::string error; // set when opts is empty and help was not asked for
    bool help = false;
};

parse_result parse_options(int argc, char** argv);
const char* usage_text();

} // namespace gw::bench
