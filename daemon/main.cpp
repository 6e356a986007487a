// sekishod: argv, --check-config, exit codes. Everything else lives in app/.
//
// Exit codes: 0 clean stop (or a valid configuration with --check-config),
// 1 configuration invalid, 2 usage, 3 cannot start (e.g. a port is taken).

#include "daemon/app/server.hpp"
#include "daemon/app/startup.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/net/buffer_pool.hpp"

#include <sodium.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr int exit_ok = 0;
constexpr int exit_config = 1;
constexpr int exit_usage = 2;
constexpr int exit_start = 3;

constexpr const char* usage_text =
    "usage: sekishod --config FILE       run the gateway\n"
    "       sekishod --check-config FILE check the configuration and policy, then exit\n"
    "       sekishod --version\n";

int usage()
{
    std::fputs(usage_text, stderr);
    return exit_usage;
}

void print_diagnostics(const sekisho::policy::diagnostics& d)
{
    for (const auto& item : d.items())
    {
        std::fprintf(stderr, "%s\n", sekisho::policy::format(item).c_str());
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0)
    {
        std::printf("sekishod %s\n", SEKISHO_VERSION);
        return exit_ok;
    }
    if (argc != 3)
    {
        return usage();
    }
    const std::string mode = argv[1];
    const std::string path = argv[2];
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
                     "sekishod: %s: %zu error(s); nothing was started\n",
                     path.c_str(),
                     loaded.diags.error_count());
        return exit_config;
    }
    auto& state = *loaded.state;
    if (check_only)
    {
        std::printf("%s: OK (policy %s, %zu listener(s), %zu service(s), %zu screen-transfer endpoint(s))\n",
                    path.c_str(),
                    state.policy->hash().substr(0, 16).c_str(),
                    state.listeners.size(),
                    state.policy->document().services.size(),
                    state.policy->document().screen_transfer.size());
        return exit_ok;
    }

    // Writes to a peer that has gone must fail with EPIPE, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    sekisho::net::set_relay_buffer_size(state.settings.limit.relay_buffer_bytes);
    sekisho::log::info("starting",
                       {{"version", SEKISHO_VERSION},
                        {"config", path},
                        {"policy_file", state.settings.policy_file},
                        {"policy", state.policy->hash()}});
    sekisho::app::server server(state);
    if (!server.bind())
    {
        return exit_start;
    }
    // The listeners' real ports are known only now (a configured port may be
    // 0): recompile so that tunnels to them are refused as proxy loops.
    sekisho::policy::compile_inputs inputs;
    for (const auto& l : state.listeners)
    {
        inputs.self_endpoints.push_back({l.settings.address, l.bound_port});
    }
    sekisho::policy::diagnostics diags;
    state.policy = sekisho::policy::compile(state.policy->document(), inputs, diags);
    if (!state.policy)
    {
        print_diagnostics(diags);
        return exit_config;
    }
    return server.run();
}
