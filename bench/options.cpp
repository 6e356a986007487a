#include "options.hpp"

#include "proxy_auth.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace gw::bench {

namespace {

constexpr std::uint64_t max_bulk_bytes = std::uint64_t{64} << 30;

bool parse_u64(std::string_view text, std::uint64_t& out)
{
    std::uint64_t mult = 1;
    if (!text.empty())
    {
        switch (text.back())
        {
            case 'K':
            case 'k':
                mult = std::uint64_t{1} << 10;
                break;
            case 'M':
            case 'm':
                mult = std::uint64_t{1} << 20;
                break;
            case 'G':
            case 'g':
                mult = std::uint64_t{1} << 30;
                break;
            default:
                break;
        }
        if (mult != 1)
        {
            text.remove_suffix(1);
        }
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || v > UINT64_MAX / mult)
    {
        return false;
    }
    out = v * mult;
    return true;
}

bool parse_seconds(std::string_view text, double& out)
{
    const std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !(v > 0) || v > 86400)
    {
        return false;
    }
    out = v;
    return true;
}

} // namespace

const char* usage_text()
{
    return R"(usage: sekisho-loadgen MODE [options]

Loads a sekisho gateway on loopback. One binary is both ends: the TLS 1.3 clients with a
device certificate, and the plain TCP upstream that the gateway's hosts: entry points at.

modes
  bulk   --tunnels N (1..256, 1) --bytes B (per tunnel, K/M/G suffix, <= 64G, 1G)
         --direction down|up|both (down) --max-seconds S (120)
         Opens N tunnels, then the upstream sends (down) and/or the clients send (up)
         B bytes on each as fast as they can. Reports bytes, seconds and GB/s.
  rate   --clients C (1..1024, 32) --duration S (<= 3600, 10) --max-tunnels M
         --payload N (1..16384, 64) --threads T (event loops, 1..64, 1)
         [--resume]
         C concurrent clients each repeat: TCP connect, full TLS 1.3 handshake with the
         client certificate, CONNECT, N bytes echoed, close. Reports tunnels/s and latency
         (connect start to echo received) p50/p90/p99/max, and the TLS handshakes: done,
         resumed by the server (SSL_session_reused), sessions offered, tickets received.
         --resume: each client keeps the newest session ticket (TLS 1.3 NewSessionTicket)
         of its last tunnel and offers it on the next, each ticket once (RFC 8446 C.4);
         a server that does not resume answers with a full handshake, counted as not
         resumed, and one that sends no new ticket on a resumed handshake gets a full
         handshake on that client's next tunnel.
  idle   --tunnels N (1..20000, 2000) --clients C (tunnels opened at once, 8)
         --hold S (<= 3600, 60) [--ignore-stdin] --threads T (1)
         Opens N tunnels (one 16-byte round trip each), prints "idle-ready N", holds them
         until stdin closes or S seconds pass, checks each with a round trip, closes all.
  signin --logins FILE --rate R (sign-ins started per second, 0.1..1000, 10)
         [--totp-secret BASE32]; no --cert, --key or --proxy-user
         FILE has one line per device, at most 10000: "CERT KEY [USER:PASSWORD]" (blank
         lines and lines starting with # skipped). One tunnel per line, in order, one at a
         time, started R per second: its own device certificate, a Proxy-Authorization
         header when the line names a user (with the current TOTP code when --totp-secret
         is given), a 16-byte echo, close. Reports the time from the CONNECT request (TLS
         handshake done) to the 200 answer, and from the connect call to it, p50/p90/p99/max.

common
  --proxy 127.0.0.1:PORT            the gateway listener (loopback only)
  --ca FILE                         CA that signed the gateway's server certificate
  --cert FILE --key FILE            device certificate (chain) and key
  --server-name NAME                SNI and host name check (default: chain check only)
  --target NAME:PORT                the CONNECT target the gateway maps to the upstream
  --upstream-listen 127.x.y.z:PORT  where the built-in upstream listens (loopback only)
  --timeout S                       deadline of each phase of a tunnel (10)
  --close-timeout S                 wait for the gateway's close (2)
  --proxy-user USER:PASSWORD        sign in (issue #4): send Proxy-Authorization: Basic
                                    base64(USER:PASSWORD<code>) on every CONNECT
  --totp-secret BASE32              the user's TOTP key: <code> is the RFC 6238 code
                                    (HMAC-SHA1, 30 s, 6 digits) computed once at start;
                                    without it the password goes alone
  --json                            one JSON object instead of "key value" lines
)";
}

parse_result parse_options(int argc, char** argv)
{
    parse_result result;
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty())
    {
        result.error = "no mode given";
        return result;
    }
    if (args[0] == "-h" || args[0] == "--help")
    {
        result.help = true;
        return result;
    }
    options o;
    if (args[0] == "bulk")
    {
        o.mode = run_mode::bulk;
    }
    else if (args[0] == "rate")
    {
        o.mode = run_mode::rate;
    }
    else if (args[0] == "idle")
    {
        o.mode = run_mode::idle;
        o.tunnels = 2000;
        o.clients = 8;
    }
    else if (args[0] == "signin")
    {
        o.mode = run_mode::signin;
    }
    else
    {
        result.error = "unknown mode " + std::string(args[0]);
        return result;
    }

    bool have_proxy = false;
    bool have_upstream = false;
    auto bad = [&](std::string_view flag, std::string_view why) {
        result.error = std::string(flag) + ": " + std::string(why);
        return result;
    };
    for (std::size_t i = 1; i < args.size(); ++i)
    {
        const auto flag = args[i];
        if (flag == "-h" || flag == "--help")
        {
            result.help = true;
            return result;
        }
        if (flag == "--json")
        {
            o.json = true;
            continue;
        }
        if (flag == "--ignore-stdin")
        {
            o.ignore_stdin = true;
            continue;
        }
        if (flag == "--resume")
        {
            o.resume = true;
            continue;
        }
        if (i + 1 >= args.size())
        {
            return bad(flag, "needs a value (or is unknown)");
        }
        const auto value = args[++i];
        std::uint64_t n = 0;
        if (flag == "--proxy" || flag == "--upstream-listen")
        {
            auto ep = parse_loopback_endpoint(value);
            if (!ep)
            {
                return bad(flag, "want 127.x.y.z:PORT (loopback only)");
            }
            (flag == "--proxy" ? o.proxy : o.upstream_listen) = *ep;
            (flag == "--proxy" ? have_proxy : have_upstream) = true;
        }
        else if (flag == "--ca")
        {
            o.tls.ca = value;
        }
        else if (flag == "--cert")
        {
            o.tls.certificate = value;
        }
        else if (flag == "--key")
        {
            o.tls.private_key = value;
        }
        else if (flag == "--server-name")
        {
            o.tls.server_name = value;
        }
        else if (flag == "--proxy-user")
        {
            const auto colon = value.find(':');
            if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size())
            {
                return bad(flag, "want USER:PASSWORD");
            }
            o.proxy_user = value;
        }
        else if (flag == "--totp-secret")
        {
            auto key = base32_decode(value);
            if (!key)
            {
                return bad(flag, "want a base32 key (A-Z, 2-7)");
            }
            o.totp_key = std::move(*key);
        }
        else if (flag == "--logins")
        {
            o.logins_file = value;
        }
        else if (flag == "--rate")
        {
            double r = 0;
            if (!parse_seconds(value, r) || r < 0.1 || r > 1000)
            {
                return bad(flag, "want 0.1..1000 per second");
            }
            o.signin_rate = r;
        }
        else if (flag == "--target")
        {
            const auto colon = value.rfind(':');
            const bool clean = value.find_first_of("\r\n ") == std::string_view::npos;
            if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size() || !clean)
            {
                return bad(flag, "want NAME:PORT");
            }
            o.target = value;
        }
        else if (flag == "--timeout" || flag == "--close-timeout" || flag == "--duration" ||
                 flag == "--hold" || flag == "--max-seconds")
        {
            double s = 0;
            if (!parse_seconds(value, s) || s > 3600)
            {
                return bad(flag, "want seconds in (0, 3600]");
            }
            if (flag == "--timeout")
            {
                o.timeout_s = s;
            }
            else if (flag == "--close-timeout")
            {
                o.close_timeout_s = s;
            }
            else if (flag == "--duration")
            {
                o.duration_s = s;
            }
            else if (flag == "--hold")
            {
                o.hold_s = s;
            }
            else
            {
                o.max_seconds = s;
            }
        }
        else if (flag == "--tunnels")
        {
            const std::uint64_t cap = o.mode == run_mode::bulk ? 256 : 20000;
            if (!parse_u64(value, n) || n == 0 || n > cap)
            {
                return bad(flag, "out of range");
            }
            o.tunnels = static_cast<unsigned>(n);
        }
        else if (flag == "--clients")
        {
            if (!parse_u64(value, n) || n == 0 || n > 1024)
            {
                return bad(flag, "want 1..1024");
            }
            o.clients = static_cast<unsigned>(n);
        }
        else if (flag == "--threads")
        {
            if (!parse_u64(value, n) || n == 0 || n > 64)
            {
                return bad(flag, "want 1..64");
            }
            o.threads = static_cast<unsigned>(n);
        }
        else if (flag == "--bytes")
        {
            if (!parse_u64(value, n) || n == 0 || n > max_bulk_bytes)
            {
                return bad(flag, "want 1..64G");
            }
            o.bytes = n;
        }
        else if (flag == "--max-tunnels")
        {
            if (!parse_u64(value, n) || n == 0 || n > 100'000'000)
            {
                return bad(flag, "want 1..100000000");
            }
            o.max_tunnels = n;
        }
        else if (flag == "--payload")
        {
            if (!parse_u64(value, n) || n == 0 || n > 16384)
            {
                return bad(flag, "want 1..16384");
            }
            o.payload = static_cast<unsigned>(n);
        }
        else if (flag == "--direction")
        {
            if (value == "down")
            {
                o.dir = direction::down;
            }
            else if (value == "up")
            {
                o.dir = direction::up;
            }
            else if (value == "both")
            {
                o.dir = direction::both;
            }
            else
            {
                return bad(flag, "want down, up or both");
            }
        }
        else
        {
            return bad(flag, "unknown option");
        }
    }
    if (o.resume && o.mode != run_mode::rate)
    {
        result.error = "--resume is for the rate mode";
        return result;
    }
    if (o.mode == run_mode::signin)
    {
        if (!have_proxy || !have_upstream || o.target.empty() || o.tls.ca.empty() || o.logins_file.empty())
        {
            result.error = "signin: --proxy, --upstream-listen, --target, --ca and --logins are required";
            return result;
        }
        if (!o.tls.certificate.empty() || !o.tls.private_key.empty() || !o.proxy_user.empty())
        {
            result.error = "signin: devices and users come from --logins, not --cert, --key or --proxy-user";
            return result;
        }
    }
    else if (!have_proxy || !have_upstream || o.target.empty() || o.tls.ca.empty() ||
             o.tls.certificate.empty() || o.tls.private_key.empty())
    {
        result.error = "--proxy, --upstream-listen, --target, --ca, --cert and --key are required";
        return result;
    }
    else if (!o.logins_file.empty())
    {
        result.error = "--logins is for the signin mode";
        return result;
    }
    else if (!o.totp_key.empty() && o.proxy_user.empty())
    {
        result.error = "--totp-secret needs --proxy-user";
        return result;
    }
    result.opts = o;
    return result;
}

} // namespace gw::bench
