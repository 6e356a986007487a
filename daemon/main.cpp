// sekishod: argv, --check-config, exit codes. Everything else lives in app/.
//
// Exit codes: 0 clean stop (or a valid configuration with --check-config),
// 1 configuration invalid, 2 usage, 3 cannot start (e.g. a port is taken).

#include "daemon/app/server.hpp"
#include "daemon/app/startup.hpp"
#include "daemon/i18n/catalog.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/net/buffer_pool.hpp"

#include <sodium.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <ifaddrs.h>
#include <netinet/in.h>

namespace {

constexpr int exit_ok = 0;
constexpr int exit_config = 1;
constexpr int exit_usage = 2;
constexpr int exit_start = 3;

constexpr const char* usage_text =
    "usage: sekishod --config FILE       run the gateway\n"
    "       sekishod --check-config FILE check the configuration and policy, then exit\n"
    "       sekishod --version\n"
    "Add --lang ja (or run under a Japanese locale) for diagnostics in Japanese.\n";

// Every address of this host: a listener on 0.0.0.0 or :: answers on all of
// them, and a tunnel to any of them would be a proxy loop.
std::vector<sekisho::policy::ip_address> local_addresses()
{
    std::vector<sekisho::policy::ip_address> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
    {
        return out;
    }
    for (auto* i = list; i != nullptr; i = i->ifa_next)
    {
        if (i->ifa_addr == nullptr)
        {
            continue;
        }
        if (i->ifa_addr->sa_family == AF_INET)
        {
            sockaddr_in sin{};
            std::memcpy(&sin, i->ifa_addr, sizeof sin);
            std::array<std::uint8_t, 4> b{};
            std::memcpy(b.data(), &sin.sin_addr, 4);
            out.push_back(sekisho::policy::ip_address::v4(b));
        }
        else if (i->ifa_addr->sa_family == AF_INET6)
        {
            sockaddr_in6 sin6{};
            std::memcpy(&sin6, i->ifa_addr, sizeof sin6);
            std::array<std::uint8_t, 16> b{};
            std::memcpy(b.data(), &sin6.sin6_addr, 16);
            out.push_back(sekisho::policy::ip_address::v6(b));
        }
    }
    ::freeifaddrs(list);
    return out;
}

int usage()
{
    std::fputs(usage_text, stderr);
    return exit_usage;
}

void print_diagnostics(const sekisho::policy::diagnostics& d)
{
    for (const auto& item : d.items())
    {
        std::fprintf(stderr, "%s\n", sekisho::i18n::format(item).c_str());
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    // --lang en|ja, else the locale: the language of the diagnostics printed
    // here (the JSON log stays English).
    if (const auto bad = sekisho::i18n::choose(args); !bad.empty())
    {
        std::fprintf(stderr, "sekishod: %s\n", bad.c_str());
        return usage();
    }
    if (args.size() == 1 && args[0] == "--version")
    {
        std::printf("sekishod %s\n", SEKISHO_VERSION);
        return exit_ok;
    }
    if (args.size() != 2)
    {
        return usage();
    }
    const std::string mode = args[0];
    const std::string path = args[1];
    if (mode != "--config" && mode != "--check-config")
    {
        return usage();
    }
    if (sodium_init() < 0)
    {
        std::fputs("sekishod: libsodium failed to initialise\n", stderr);
        return exit_start;
    }
    const bool check_only = mode == "--check-config";
    auto loaded = sekisho::app::load_everything(path, !check_only);
    print_diagnostics(loaded.diags);
    if (!loaded.state)
    {
        std::fprintf(stderr,
                     "%s\n",
                     sekisho::i18n::message("sekishod: " + path + ": " +
                                            std::to_string(loaded.diags.error_count()) +
                                            " error(s); nothing was started")
                         .c_str());
        return exit_config;
    }
    auto& state = *loaded.state;
    const auto snapshot = state.policy.load();
    if (check_only)
    {
        const auto line = path + ": OK (policy " + snapshot->hash().substr(0, 16) + ", " +
                          std::to_string(state.listeners.size()) + " listener(s), " +
                          std::to_string(snapshot->document().services.size()) + " service(s), " +
                          std::to_string(snapshot->document().screen_transfer.size()) +
                          " screen-transfer endpoint(s), " +
                          std::to_string(snapshot->document().tests.size()) + " policy test(s) passed)";
        std::printf("%s\n", sekisho::i18n::message(line).c_str());
        return exit_ok;
    }

    // Writes to a peer that has gone must fail with EPIPE, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    // A file size limit must make the audit log's write fail (EFBIG, then
    // fail closed), not kill the daemon.
    std::signal(SIGXFSZ, SIG_IGN);
    sekisho::net::set_relay_buffers(state.settings.limit.relay_buffer_bytes,
                                    state.settings.limit.relay_large_buffers);
    sekisho::log::info("starting",
                       {{"version", SEKISHO_VERSION},
                        {"config", path},
                        {"policy_file", state.settings.policy_file},
                        {"policy", snapshot->hash()}});
    sekisho::app::server server(state);
    if (!server.bind())
    {
        return exit_start;
    }
    // The listeners' real ports are known only now (a configured port may be
    // 0): recompile so that tunnels to them are refused as proxy loops.
    sekisho::policy::compile_inputs inputs;
    const auto host_addresses = local_addresses();
    for (const auto& l : state.listeners)
    {
        inputs.self_endpoints.push_back({l.settings.address, l.bound_port});
        const auto& a = l.settings.address;
        if (a == sekisho::policy::ip_address::v4({0, 0, 0, 0}) || a == sekisho::policy::ip_address::v6({}))
        {
            for (const auto& h : host_addresses)
            {
                inputs.self_endpoints.push_back({h, l.bound_port});
            }
        }
    }
    sekisho::policy::diagnostics diags;
    auto recompiled = sekisho::policy::compile(snapshot->document(), inputs, diags);
    state.policy_inputs = inputs;
    state.policy.store(recompiled);
    if (!recompiled)
    {
        print_diagnostics(diags);
        return exit_config;
    }
    const int code = server.run();
    if (state.audit)
    {
        // Seals the log with a last checkpoint and fsyncs it.
        state.audit->close();
    }
    if (state.audit_forward)
    {
        // The last lines, the final checkpoint among them, go to the
        // collector if it takes them within this time.
        state.audit_forward->stop(sekisho::config::audit_defaults::forward_stop_catch_up);
    }
    return code;
}
