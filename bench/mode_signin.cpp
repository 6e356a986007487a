// signin: how long a first sign-in takes (issue #4). Each line of --logins is a device with
// its own certificate and, usually, its own user: its first CONNECT finds no session, so
// the gateway checks the password (argon2id on its worker pool) and the TOTP code, and
// opens one. The lines are taken one at a time, started --rate per second (later when one
// takes longer than 1/R), so the figure is the latency of a sign-in on an idle worker pool,
// not of a queue. A line without a user sends no Proxy-Authorization: against a gateway
// without auth: the same run gives the latency of the CONNECT alone.
//
// Two latencies per sign-in: from the CONNECT request (the TLS handshake is done on the
// client's side, and the request goes out at once) to the "200" head, which holds the
// gateway's certificate check, the sign-in and the policy decision; and from the connect
// call to the head, which adds TCP and the handshake. The 16-byte echo and the close that
// follow are not timed.

#include "modes.hpp"
#include "proxy_auth.hpp"
#include "report.hpp"
#include "upstream.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace gw::bench {

namespace {

constexpr std::size_t max_logins = 10000;

struct login
{
    std::string certificate;
    std::string private_key;
    std::string user_password; // empty: no Proxy-Authorization
};

bool load_logins(const std::string& path, std::vector<login>& out, std::string& error)
{
    std::ifstream in(path);
    if (!in)
    {
        error = "cannot read " + path;
        return false;
    }
    std::string line;
    for (unsigned number = 1; std::getline(in, line); ++number)
    {
        std::istringstream fields(line);
        login l;
        std::string extra;
        if (!(fields >> l.certificate) || l.certificate.starts_with('#'))
        {
            continue;
        }
        fields >> l.private_key >> l.user_password >> extra; // a failed read leaves the rest empty
        const auto colon = l.user_password.find(':');
        const bool bad_user = !l.user_password.empty() && (colon == 0 || colon == std::string::npos ||
                                                           colon + 1 == l.user_password.size());
        if (l.private_key.empty() || bad_user || !extra.empty())
        {
            error = path + ":" + std::to_string(number) + ": want CERT KEY [USER:PASSWORD]";
            return false;
        }
        if (out.size() == max_logins)
        {
            error = path + ": more than " + std::to_string(max_logins) + " lines";
            return false;
        }
        out.push_back(std::move(l));
    }
    if (out.empty())
    {
        error = path + ": no logins";
        return false;
    }
    return true;
}

std::uint32_t micros(steady::duration d)
{
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

} // namespace

int run_signin(const options& o)
{
    std::vector<login> logins;
    std::string error;
    if (!load_logins(o.logins_file, logins, error))
    {
        std::fprintf(stderr, "loadgen: %s\n", error.c_str());
        return 2;
    }
    upstream_server upstream;
    if (!upstream.start({o.upstream_listen, true, 0}, error))
    {
        std::fprintf(stderr, "loadgen: upstream: %s\n", error.c_str());
        return 1;
    }

    std::vector<std::uint32_t> request_us;
    std::vector<std::uint32_t> total_us;
    std::array<std::uint64_t, stage_count> errors{};
    std::uint64_t unclean_closes = 0;
    std::uint64_t with_auth = 0;
    std::string first_error;
    const auto t0 = steady::now();
    for (std::size_t i = 0; i < logins.size(); ++i)
    {
        std::this_thread::sleep_until(
            t0 + std::chrono::duration_cast<steady::duration>(
                     std::chrono::duration<double>(static_cast<double>(i) / o.signin_rate)));
        const auto& l = logins[i];
        tls_files files = o.tls;
        files.certificate = l.certificate;
        files.private_key = l.private_key;
        const auto ctx = client_context::create(files, error);
        if (!ctx)
        {
            std::fprintf(stderr, "loadgen: %s\n", error.c_str());
            return 2;
        }
        std::string authorization;
        if (!l.user_password.empty())
        {
            ++with_auth;
            const auto code =
                o.totp_key.empty() ? std::string() : totp_code(o.totp_key, std::chrono::system_clock::now());
            authorization = basic_authorization(l.user_password, code);
        }

        tunnel t(*ctx);
        const auto started = steady::now();
        auto fail = [&](stage s, const std::string& why) {
            ++errors[static_cast<std::size_t>(s)];
            if (first_error.empty())
            {
                first_error = "line " + std::to_string(i + 1) + ": " + why;
            }
            t.abort();
        };
        if (!t.open(o.proxy, o.target, deadline_after(o.timeout_s), authorization))
        {
            fail(t.failed_stage(), t.error());
            continue;
        }
        request_us.push_back(micros(t.head_received_at() - t.handshake_done_at()));
        total_us.push_back(micros(t.head_received_at() - started));

        std::array<unsigned char, 16> probe{};
        std::array<unsigned char, 16> echo{};
        for (std::size_t k = 0; k < probe.size(); ++k)
        {
            probe[k] = static_cast<unsigned char>((i + k) & 0xffU);
        }
        const auto d = deadline_after(o.timeout_s);
        if (!t.write_all(probe.data(), probe.size(), d) || !t.read_exact(echo.data(), echo.size(), d))
        {
            fail(t.failed_stage(), t.error());
            continue;
        }
        if (probe != echo)
        {
            fail(stage::payload, "payload: echo differs");
            continue;
        }
        if (!t.close(deadline_after(o.close_timeout_s)))
        {
            ++unclean_closes;
        }
    }
    const double seconds = std::chrono::duration<double>(steady::now() - t0).count();
    upstream.stop();

    std::uint64_t failed = 0;
    for (const auto e : errors)
    {
        failed += e;
    }
    const auto request = summarize(request_us);
    const auto total = summarize(total_us);
    report rep;
    rep.add("mode", "signin");
    rep.add("logins", std::uint64_t{logins.size()});
    rep.add("with_auth", with_auth);
    rep.add("rate_per_s", o.signin_rate);
    rep.add("signins", request.count);
    rep.add("errors", failed);
    for (std::size_t s = 0; s < stage_count; ++s)
    {
        rep.add(std::string("errors_") + stage_name(static_cast<stage>(s)), errors[s]);
    }
    rep.add("unclean_closes", unclean_closes);
    rep.add("seconds", seconds);
    rep.add("request_mean_us", request.mean_us);
    rep.add("request_p50_us", request.p50_us);
    rep.add("request_p90_us", request.p90_us);
    rep.add("request_p99_us", request.p99_us);
    rep.add("request_max_us", request.max_us);
    rep.add("total_p50_us", total.p50_us);
    rep.add("total_p99_us", total.p99_us);
    rep.add("total_max_us", total.max_us);
    rep.add("generator_cpu_s", self_cpu_seconds());
    if (!first_error.empty())
    {
        rep.add("first_error", first_error);
    }
    std::fputs(rep.render(o.json).c_str(), stdout);
    std::fflush(stdout);
    if (failed != 0)
    {
        std::fprintf(stderr,
                     "loadgen: %llu sign-ins failed; first: %s\n",
                     static_cast<unsigned long long>(failed),
                     first_error.c_str());
    }
    return failed == 0 && request.count > 0 ? 0 : 1;
}

} // namespace gw::bench
