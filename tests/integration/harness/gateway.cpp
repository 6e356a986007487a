#include "harness/gateway.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <sys/stat.h>

namespace sekisho::test {

std::string test_policy_yaml()
{
    const auto& w = world::get();
    const auto cloud = std::to_string(w.cloud.port());
    const auto echo = std::to_string(w.echo.port());
    const auto lgwan = std::to_string(w.lgwan.port());
    const auto mynumber = std::to_string(w.mynumber.port());
    std::ostringstream y;
    y << "version: 1\n"
         "model: alpha\n"
         "zones:\n"
         "  mynumber: {cidrs: [127.0.20.0/24], domains: [mynumber.test]}\n"
         "  lgwan: {cidrs: [127.0.10.0/24], domains: [lgwan.test]}\n"
         "  internet: {cidrs: [127.0.30.0/24], domains: []}\n"
         "screen_transfer:\n"
         "  - id: vdi\n"
         "    host: vdi.lgwan.test\n"
         "    ports: ["
      << lgwan
      << "]\n"
         "    controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: false}\n"
         "  - id: vdi-by-address\n"
         "    host: 127.0.10.1\n"
         "    ports: ["
      << lgwan
      << "]\n"
         "    controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: false}\n"
         "services:\n"
         "  - id: files\n"
         "    domains: [files.cloud.test, \"*.cdn.cloud.test\"]\n"
         "    ports: ["
      << cloud << ", " << echo
      << "]\n"
         "    data_class: 1\n"
         "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n"
         "    tags: [test]\n"
         "  - id: rebind\n"
         "    domains: [rebind.cloud.test]\n"
         "    ports: ["
      << mynumber << ", " << cloud
      << "]\n"
         "    data_class: 1\n"
         "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n"
         "    tags: [test]\n"
         "  - id: leak\n"
         "    domains: [leak.cloud.test, lgwan-leak.cloud.test]\n"
         "    ports: ["
      << cloud << ", " << lgwan
      << "]\n"
         "    data_class: 1\n"
         "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n"
         "    tags: [test]\n"
         "  - id: refused\n"
         "    domains: [refused.cloud.test]\n"
         "    ports: ["
      << w.refused_port
      << "]\n"
         "    data_class: 1\n"
         "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n"
         "    tags: [test]\n"
         "  - id: blackhole\n"
         "    domains: [blackhole.cloud.test]\n"
         "    ports: ["
      << w.hole.port()
      << "]\n"
         "    data_class: 1\n"
         "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n"
         "    tags: [test]\n"
         "  - id: unresolvable\n"
         "    domains: [nxdomain.invalid]\n"
         "    ports: [443]\n"
         "    data_class: 1\n"
         "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n"
         "    tags: [test]\n"
         // Until password + TOTP authentication lands, a device's owner is
         // the user, with one factor: the test roles admit that.
         "roles:\n"
         "  - id: staff\n"
         "    layers: [lgwan, internet]\n"
         "    services: [\"tag:test\"]\n"
         "    screen_transfer: [vdi, vdi-by-address]\n"
         "    data_class: 2\n"
         "    mfa: false\n"
         "users:\n"
         "  - {id: demo, name: Demo User, roles: [staff]}\n"
         "  - {id: alice, name: Alice, roles: [staff]}\n"
         "  - {id: lost-owner, roles: [staff]}\n"
         "devices:\n"
         "  - {id: demo-pc, fingerprint: "
      << w.fingerprint("device-demo")
      << ", owner: demo, kind: lent, status: active}\n"
         "  - {id: alice-pc, fingerprint: "
      << w.fingerprint("device-alice")
      << ", owner: alice, kind: lent, status: active}\n"
         "  - {id: lost-pc, fingerprint: "
      << w.fingerprint("device-lost") << ", owner: lost-owner, kind: lent, status: lost}\n";
    return y.str();
}

std::string
test_config_yaml(const gateway_options& o, const std::string& policy_path, const std::string& log_path)
{
    const auto& pki = o.pki.empty() ? world::get().pki : o.pki;
    auto tls = [&](const std::string& crl) {
        std::string t = "    tls:\n      certificate: " + pki + "/server.pem\n      private_key: " + pki +
                        "/server.key\n      client_ca: " + pki + "/device-ca.pem\n";
        if (!crl.empty())
        {
            t += "      crl: " + pki + "/" + crl + "\n";
        }
        std::istringstream extra(o.listener_extra);
        for (std::string line; std::getline(extra, line);)
        {
            t += "    " + line + "\n";
        }
        return t;
    };
    std::ostringstream y;
    y << "version: 1\npolicy: " << policy_path << "\nthreads: " << o.threads << "\nlisteners:\n"
      << "  - id: internet\n    address: 127.0.0.1\n    port: 0\n    layer: internet\n"
      << tls(o.crl) << "  - id: lgwan\n    address: 127.0.0.1\n    port: 0\n    layer: lgwan\n"
      << tls(o.crl)
      << "hosts:\n"
         "  files.cloud.test: [127.0.30.1]\n"
         "  a.cdn.cloud.test: [127.0.30.1]\n"
         "  rebind.cloud.test: [127.0.20.1]\n"
         "  leak.cloud.test: [127.0.30.1, 10.1.2.3]\n"
         "  lgwan-leak.cloud.test: [127.0.10.1]\n"
         "  vdi.lgwan.test: [127.0.10.1]\n"
         "  other.lgwan.test: [127.0.10.1]\n"
         "  juki.mynumber.test: [127.0.20.1]\n"
         "  refused.cloud.test: [127.0.30.2]\n"
         "  blackhole.cloud.test: [127.0.30.3]\n"
         "  uncatalogued.cloud.test: [127.0.30.1]\n";
    if (!o.timeouts.empty())
    {
        y << "timeouts:\n";
        for (const auto& t : o.timeouts)
        {
            y << "  " << t << "\n";
        }
    }
    if (!o.limits.empty())
    {
        y << "limits:\n";
        for (const auto& l : o.limits)
        {
            y << "  " << l << "\n";
        }
    }
    y << "log:\n  tunnels: " << log_path << "\n" << o.extra_config;
    return y.str();
}

gateway::gateway(gateway_options options)
{
    const auto policy = dir_.file("policy.yaml");
    const auto config = dir_.file("sekisho.yaml");
    write_file(policy, options.policy.empty() ? test_policy_yaml() : options.policy);
    write_file(config, test_config_yaml(options, policy, dir_.file("tunnels.jsonl")));
    for (const auto& [name, text] : options.files)
    {
        write_file(dir_.file(name), text);
        ::chmod(dir_.file(name).c_str(), 0600);
    }
    auto argv = options.wrapper;
    argv.insert(argv.end(), {SEKISHOD_PATH, "--config", config});
    process_ = std::make_unique<process>(argv, dir_.file("stdout"), dir_.file("stderr"), options.env);
    const bool ready =
        eventually([&] { return log().find("event=ready") != std::string::npos || !process_->running(); },
                   std::chrono::seconds(20));
    if (!ready || !process_->running())
    {
        throw std::runtime_error("sekishod did not become ready:\n" + log());
    }
    static const std::regex listening(
        R"(event=listening listener=(\S+) layer=\S+ address=127\.0\.0\.1:(\d+))");
    const auto text = log();
    for (std::sregex_iterator it(text.begin(), text.end(), listening), end; it != end; ++it)
    {
        ports_.emplace_back((*it)[1].str(), static_cast<std::uint16_t>(std::stoi((*it)[2].str())));
    }
}

gateway::~gateway()
{
    // Stop it the way systemd does, then insist on a clean exit and no
    // sanitizer report: a daemon that only misbehaves on its way out, or
    // leaks, must still fail the suite (even from a static's destructor).
    if (!process_)
    {
        return;
    }
    // -1: never exited (killed after the timeout).
    int exit_code = process_->wait_for(std::chrono::milliseconds(0)).value_or(-1);
    if (process_->running())
    {
        process_->signal(SIGTERM);
        exit_code = process_->wait_for(std::chrono::seconds(15)).value_or(-1);
        if (exit_code == -1)
        {
            process_->signal(SIGKILL);
            process_->wait_for(std::chrono::seconds(5));
        }
    }
    const auto text = log();
    const bool sanitizer =
        text.find("Sanitizer") != std::string::npos || text.find("runtime error:") != std::string::npos;
    if (sanitizer || exit_code != 0)
    {
        std::fprintf(stderr, "sekishod did not stop cleanly (exit %d):\n%s\n", exit_code, text.c_str());
        std::fflush(stderr);
        std::_Exit(97);
    }
}

void gateway::crash()
{
    process_->signal(SIGKILL);
    process_->wait_for(std::chrono::seconds(5));
    process_.reset();
}

std::uint16_t gateway::port(const std::string& listener) const
{
    for (const auto& [name, port] : ports_)
    {
        if (name == listener)
        {
            return port;
        }
    }
    throw std::runtime_error("no listener " + listener);
}

std::string gateway::log() const
{
    return read_file(dir_.file("stderr"));
}

std::size_t gateway::count_events(const std::string& name) const
{
    const auto text = log();
    const auto needle = "event=" + name + " ";
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    {
        ++n;
    }
    return n;
}

std::string gateway::reload_with(const std::string& policy_yaml)
{
    const char* outcomes[] = {"policy_reloaded", "policy_unchanged", "policy_rejected"};
    std::size_t before[3];
    for (int i = 0; i < 3; ++i)
    {
        before[i] = count_events(outcomes[i]);
    }
    write_file(policy_file(), policy_yaml);
    process_->signal(SIGHUP);
    std::string outcome;
    eventually(
        [&] {
            for (int i = 0; i < 3; ++i)
            {
                if (count_events(outcomes[i]) > before[i])
                {
                    outcome = outcomes[i];
                    return true;
                }
            }
            return false;
        },
        std::chrono::seconds(10));
    return outcome;
}

std::vector<boost::json::object> gateway::records() const
{
    std::vector<boost::json::object> out;
    std::istringstream lines(read_file(dir_.file("tunnels.jsonl")));
    std::string line;
    while (std::getline(lines, line))
    {
        if (!line.empty())
        {
            out.push_back(boost::json::parse(line).as_object());
        }
    }
    return out;
}

boost::json::object gateway::record_for(std::uint16_t local_port, std::chrono::milliseconds timeout) const
{
    return record_from("127.0.0.1:" + std::to_string(local_port), timeout);
}

boost::json::object gateway::record_from(const std::string& peer, std::chrono::milliseconds timeout) const
{
    std::optional<boost::json::object> found;
    eventually(
        [&] {
            for (auto& r : records())
            {
                const auto* p = r.if_contains("peer");
                if (p != nullptr && p->is_string() && p->as_string() == peer)
                {
                    found = std::move(r);
                    return true;
                }
            }
            return false;
        },
        timeout);
    if (!found)
    {
        throw std::runtime_error("no tunnel record from " + peer + "; log:\n" + log());
    }
    return *found;
}

std::optional<int> gateway::stop(int sig, std::chrono::milliseconds timeout)
{
    process_->signal(sig);
    return process_->wait_for(timeout);
}

std::string test_policy_with(const std::string& from, const std::string& to)
{
    auto p = test_policy_yaml();
    const auto pos = p.find(from);
    BOOST_REQUIRE_MESSAGE(pos != std::string::npos, "not in the test policy: " << from);
    p.replace(pos, from.size(), to);
    return p;
}

std::string utc_in(std::chrono::seconds from_now)
{
    const std::time_t t = std::time(nullptr) + from_now.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace sekisho::test
