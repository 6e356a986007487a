// sekisho-policy-bench: the cost of policy decisions and of loading a policy,
// for a generated policy of municipal-prefecture size next to the small
// example, in one run (ratios, since the machine is noisy).
//
//   sekisho-policy-bench [--services N] [--cidrs N] [--users N] [--decisions N]
//   sekisho-policy-bench [--services N] [--cidrs N] [--users N] --write-policy FILE
//   sekisho-policy-bench --catalog [--services N (10000)] [--decisions N]
//
// Prints a Markdown table: load + validate + compile time and peak RSS, and
// decide() (plus vet_resolved() for names) latency p50/p99/max over a mix of
// targets: catalogued names, wildcard names, unknown names, My Number names,
// LGWAN endpoints, and IP literals inside and outside the zones.
//
// --write-policy writes the large policy to FILE instead, in a variant that
// sekishod accepts today, and exits: model alpha, every role `mfa: false`
// (the daemon has one factor until user authentication lands) and without
// posture_max_age, the bench upstream's 127.0.30.0/24 in the internet zone,
// and `include: [bench-identity.yaml]` for the load generator's service,
// role, user and device (bench/run-gateway-bench writes that file).

#include "policy/catalog_check.hpp"
#include "policy/decide.hpp"
#include "policy/load.hpp"
#include "policy/yaml_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <sys/resource.h>

namespace {

using namespace sekisho::policy;
using steady = std::chrono::steady_clock;

constexpr std::size_t max_services = 1000000;
constexpr std::size_t max_cidrs = 100000;
constexpr std::size_t max_decisions = 10000000;

// Users and roles of the generated policy: 5,000 users over 20 roles (every
// fourth role grants the whole catalogue by tag, the others 50 services by
// id), each user with one lent device.
constexpr std::size_t role_count = 20;

std::string user_id(std::size_t i)
{
    return "u" + std::to_string(i);
}

std::string fingerprint(std::size_t i)
{
    char buf[65];
    std::snprintf(buf, sizeof buf, "%064zx", i + 1);
    return buf;
}

// Which policy generate() writes: the in-memory benchmark's (model beta, with
// posture checks and the default mfa), or one for the gateway benchmark's
// daemon (see --write-policy above).
enum class variant
{
    in_memory,
    daemon
};

// How much of the catalog each service carries: its certification only, or
// everything a municipality records (provider, three subprocessors,
// residency, approval, SBOM attestation) with supply_chain: rules and an
// exception for every tenth service, so that every rule of the catalog is
// evaluated on every decision (--catalog).
enum class catalog_detail
{
    certified,
    full
};

std::string service_catalog_yaml(std::size_t i, catalog_detail detail)
{
    std::string y = "    certification: {scheme: ismap, number: C" + std::to_string(i) +
                    ", registered: 2024-04-01, valid_until: 2099-12-31}\n";
    if (detail == catalog_detail::full)
    {
        y += "    provider: {name: Provider " + std::to_string(i % 500) +
             " K.K., corporate_number: \"1234567890123\", country: JP, parent_country: US}\n"
             "    subprocessors:\n"
             "      - {name: DC One, country: JP}\n"
             "      - {name: Support Two, country: SG}\n"
             "      - {name: Mail Three, country: IE}\n"
             "    residency: {storage: [JP], failover: [JP]}\n"
             "    approval: {by: 情報政策課, on: 2026-04-01, review_due: 2030-04-01}\n"
             "    sbom: {received: 2026-03-01, format: cyclonedx, kev_open: 0, attested: 2026-10-01}\n";
    }
    return y;
}

std::string supply_chain_yaml(std::size_t services)
{
    std::string y = "supply_chain:\n  restricted_countries: [";
    // Twenty codes none of the generated providers use.
    const char* codes[] = {"AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ",
                           "AK", "AL", "AM", "AN", "AO", "AP", "AQ", "AR", "AS", "AT"};
    for (std::size_t i = 0; i < std::size(codes); ++i)
    {
        y += std::string(i == 0 ? "" : ", ") + codes[i];
    }
    y += "]\n  restricted_providers: [Banned Corp, \"9999999999999\"]\n"
         "  residency:\n    - {min_class: 2, countries: [JP]}\n    - {min_class: 3C, countries: [JP]}\n"
         "  kev_attestation_max_age: 365d\nexceptions:\n";
    for (std::size_t i = 0; i < services; i += 10)
    {
        y += "  - {id: e" + std::to_string(i) + ", service: s" + std::to_string(i) +
             ", waives: [review_overdue], from: 2026-01-01, until: 2099-12-31, approved_by: CISO, reason: "
             "bench}\n";
    }
    return y;
}

std::string generate(std::size_t services,
                     std::size_t cidrs,
                     std::size_t users,
                     variant v,
                     catalog_detail detail = catalog_detail::certified)
{
    const bool daemon = v == variant::daemon;
    std::string y = std::string("version: 1\nmodel: ") + (daemon ? "alpha" : "beta") +
                    "\nzones:\n  mynumber:\n    domains: [mynumber.town.example]\n    cidrs:\n";
    // Half the CIDRs in the My Number layer (172.16.0.0/12 carved in /28s),
    // half in the LGWAN layer (10.0.0.0/8 in /24s), every tenth one IPv6.
    // The in-memory variant steps the second octet every 65,536 /28s, where
    // 4,096 fill it, so from the 4,097th on its ranges repeat (723 duplicates
    // at 10,000 CIDRs, which policy check reports as overlaps); it is kept as
    // it was so that its figures stay comparable. The daemon's variant steps
    // every 4,096 and so has as many distinct CIDRs as asked for.
    const std::size_t half = cidrs / 2;
    const unsigned octet_shift = daemon ? 12 : 16;
    for (std::size_t i = 0; i < half; ++i)
    {
        if (i % 10 == 9)
        {
            y += "      - fd00:1:" + std::to_string(i) + "::/48\n";
            continue;
        }
        y += "      - 172." + std::to_string(16 + (i >> octet_shift)) + "." + std::to_string((i >> 4) & 255) +
             "." + std::to_string((i & 15) * 16) + "/28\n";
    }
    y += "  lgwan:\n    domains: [lgwan.town.example, asp.lgwan.example]\n    cidrs:\n";
    for (std::size_t i = 0; i < cidrs - half; ++i)
    {
        if (i % 10 == 9)
        {
            y += "      - fd00:2:" + std::to_string(i) + "::/48\n";
            continue;
        }
        y += "      - 10." + std::to_string(i >> 8) + "." + std::to_string(i & 255) + ".0/24\n";
    }
    // The gateway benchmark's upstream listens on 127.0.30.1: loopback is
    // special-purpose space, reachable only when a zone claims it.
    y += daemon ? "  internet:\n    cidrs: [127.0.30.0/24]\n    domains: []\n"
                : "  internet:\n    cidrs: []\n    domains: []\n";
    y += "screen_transfer:\n"
         "  - id: vdi\n    host: vdi.lgwan.town.example\n    ports: [443]\n"
         "    controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: false}\n"
         "services:\n";
    for (std::size_t i = 0; i < services; ++i)
    {
        y += "  - id: s" + std::to_string(i) + "\n    domains: [";
        y += i % 10 == 0 ? "\"*.t" + std::to_string(i) + ".saas.example\""
                         : "app" + std::to_string(i) + ".saas.example";
        y += "]\n    ports: [443]\n    data_class: 2\n    tags: [saas]\n";
        y += service_catalog_yaml(i, detail);
    }
    if (detail == catalog_detail::full)
    {
        y += supply_chain_yaml(services);
    }
    y += "roles:\n";
    for (std::size_t r = 0; r < role_count; ++r)
    {
        y += "  - id: r" + std::to_string(r) +
             "\n    layers: [lgwan, internet]\n    screen_transfer: [vdi]\n    data_class: 2\n";
        y += daemon ? "    mfa: false\n" : "    posture_max_age: 7d\n";
        y += "    hours: [{days: [mon-sun], from: \"00:00\", to: \"24:00\"}]\n"
             "    services: [";
        if (r % 4 == 0 || services < 50 * role_count)
        {
            y += "\"tag:saas\"";
        }
        else
        {
            for (std::size_t k = 0; k < 50; ++k)
            {
                y += (k == 0 ? "" : ", ") + std::string("s") + std::to_string((r * 50 + k) % services);
            }
        }
        y += "]\n";
    }
    y += "users:\n";
    for (std::size_t i = 0; i < users; ++i)
    {
        y += "  - {id: " + user_id(i) + ", roles: [r" + std::to_string(i % role_count) + ", r0]}\n";
    }
    y += "devices:\n";
    for (std::size_t i = 0; i < users; ++i)
    {
        y += "  - {id: d" + std::to_string(i) + ", owner: " + user_id(i) + ", fingerprint: \"" +
             fingerprint(i) + "\", kind: lent, status: active, posture_verified: 2026-11-20T09:00+09:00}\n";
    }
    if (daemon)
    {
        y += "include: [bench-identity.yaml]\n";
    }
    return y;
}

std::vector<request> targets(std::size_t services, std::size_t users, std::size_t count, std::mt19937& rng)
{
    std::vector<request> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
    {
        const auto n = std::to_string(rng() % (services == 0 ? 1 : services));
        std::string authority;
        layer l = layer::internet;
        switch (rng() % 8)
        {
            case 0:
                authority = "app" + n + ".saas.example:443";
                break;
            case 1:
                authority = "x.t" + std::to_string((rng() % (services / 10 + 1)) * 10) + ".saas.example:443";
                break;
            case 2:
                authority = "unknown" + n + ".example.com:443";
                break;
            case 3:
                authority = "juki" + n + ".mynumber.town.example:443";
                break;
            case 4:
                authority = "vdi.lgwan.town.example:443";
                l = layer::lgwan;
                break;
            case 5:
                authority =
                    "172.16." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + ":443";
                break;
            case 6:
                authority = "10." + std::to_string(rng() % 20) + "." + std::to_string(rng() % 256) + ".7:443";
                l = layer::lgwan;
                break;
            default:
                authority = "[2001:db9::" + n.substr(0, 4) + "]:443";
                break;
        }
        auto t = parse_authority(authority);
        if (t)
        {
            const auto u = rng() % (users == 0 ? 1 : users);
            out.push_back({l, *t, user_id(u), "d" + std::to_string(u), true});
        }
    }
    return out;
}

struct latency
{
    double mean = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    std::size_t allowed = 0;
};

latency measure(const snapshot& snap, const std::vector<request>& reqs)
{
    // A fixed instant: the generated devices' posture reports stay fresh.
    const auto now = *parse_time("2026-11-23T10:00+09:00");
    const std::vector<ip_address> public_addr = {*ip_address::parse("203.0.114.10")};
    std::vector<double> ns;
    ns.reserve(reqs.size());
    latency out;
    for (const auto& r : reqs)
    {
        const auto t0 = steady::now();
        const auto d = decide_resolved(snap, r, now, public_addr);
        const auto t1 = steady::now();
        out.allowed += d.allowed() ? 1U : 0U;
        ns.push_back(
            static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
    }
    double sum = 0;
    for (double v : ns)
    {
        sum += v;
    }
    out.mean = sum / static_cast<double>(ns.size());
    std::sort(ns.begin(), ns.end());
    out.p50 = ns[ns.size() / 2];
    out.p99 = ns[ns.size() * 99 / 100];
    out.max = ns.back();
    return out;
}

long current_rss_kib()
{
    std::FILE* f = std::fopen("/proc/self/status", "r");
    long kib = 0;
    char line[256];
    while (f != nullptr && std::fgets(line, sizeof line, f) != nullptr)
    {
        if (std::strncmp(line, "VmRSS:", 6) == 0)
        {
            kib = std::strtol(line + 6, nullptr, 10);
        }
    }
    if (f != nullptr)
    {
        std::fclose(f);
    }
    return kib;
}

long peak_rss_kib()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

const char* string_arg(int argc, char** argv, const char* name)
{
    for (int i = 1; i + 1 < argc; ++i)
    {
        if (std::strcmp(argv[i], name) == 0)
        {
            return argv[i + 1];
        }
    }
    return nullptr;
}

int write_policy(const char* path, std::size_t services, std::size_t cidrs, std::size_t users)
{
    const auto yaml = generate(services, cidrs, users, variant::daemon);
    std::FILE* f = std::fopen(path, "w");
    if (f == nullptr)
    {
        std::fprintf(stderr, "sekisho-policy-bench: cannot write %s: %s\n", path, std::strerror(errno));
        return 1;
    }
    const bool written = std::fwrite(yaml.data(), 1, yaml.size(), f) == yaml.size();
    if (std::fclose(f) != 0 || !written)
    {
        std::fprintf(stderr, "sekisho-policy-bench: cannot write %s\n", path);
        return 1;
    }
    std::printf("%s: %zu services, %zu CIDRs, %zu users, %.1f MiB\n",
                path,
                services,
                cidrs,
                users,
                static_cast<double>(yaml.size()) / 1048576.0);
    return 0;
}

std::size_t arg(int argc, char** argv, const char* name, std::size_t fallback, std::size_t max)
{
    for (int i = 1; i + 1 < argc; ++i)
    {
        if (std::strcmp(argv[i], name) == 0)
        {
            const auto v = std::strtoull(argv[i + 1], nullptr, 10);
            return std::min<std::size_t>(v, max);
        }
    }
    return fallback;
}

bool has_flag(int argc, char** argv, const char* name)
{
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], name) == 0)
        {
            return true;
        }
    }
    return false;
}

std::shared_ptr<const snapshot> compile_generated(const std::string& yaml)
{
    auto loaded = load_policy_text(yaml, "generated.yaml");
    diagnostics diags;
    std::shared_ptr<const snapshot> snap;
    if (!loaded.diags.has_errors())
    {
        snap = compile(std::move(*loaded.document), {{}, *parse_time("2026-11-23T10:00+09:00")}, diags);
    }
    if (!snap)
    {
        std::fprintf(stderr, "%s%s", loaded.diags.to_string().c_str(), diags.to_string().c_str());
    }
    return snap;
}

// --catalog: the same requests decided under the same policy twice, once with
// certifications only and once with the whole supply-chain record and its
// rules; the rounds alternate (A B A B A B) so that drift of the machine
// touches both alike. The ratio is the cost of the supply-chain rules.
int catalog_comparison(
    std::size_t services, std::size_t cidrs, std::size_t users, std::size_t decisions, std::mt19937& rng)
{
    const auto plain = compile_generated(generate(services, cidrs, users, variant::in_memory));
    const auto full =
        compile_generated(generate(services, cidrs, users, variant::in_memory, catalog_detail::full));
    if (!plain || !full)
    {
        return 1;
    }
    const auto reqs = targets(services, users, decisions, rng);
    latency best_plain;
    latency best_full;
    best_plain.mean = best_full.mean = 1e300;
    for (int round = 0; round < 3; ++round)
    {
        const auto a = measure(*plain, reqs);
        const auto b = measure(*full, reqs);
        if (a.mean < best_plain.mean)
        {
            best_plain = a;
        }
        if (b.mean < best_full.mean)
        {
            best_full = b;
        }
    }
    std::printf("| catalog | services | decide mean | p50 | p99 | allowed |\n| --- | --- | --- | --- | --- | "
                "--- |\n");
    for (const auto& [name, lat] :
         {std::pair<const char*, const latency&>{"certification only", best_plain},
          std::pair<const char*, const latency&>{"full supply chain + rules + exceptions", best_full}})
    {
        std::printf("| %s | %zu | %.0f ns | %.0f ns | %.0f ns | %zu of %zu |\n",
                    name,
                    services,
                    lat.mean,
                    lat.p50,
                    lat.p99,
                    lat.allowed,
                    reqs.size());
    }
    std::printf("\nfull / certification-only: mean %.3f, p50 %.3f, p99 %.3f (best of 3 alternating rounds)\n",
                best_full.mean / best_plain.mean,
                best_full.p50 / best_plain.p50,
                best_full.p99 / best_plain.p99);
    // The whole catalog check alone (certification included), for the
    // requests whose name is a catalogued service, under the full policy.
    const auto now = *parse_time("2026-11-23T10:00+09:00");
    std::vector<const cloud_service*> svcs;
    for (const auto& r : reqs)
    {
        if (const auto* svc = r.dest.type == target::kind::name ? full->find_service(r.dest.host) : nullptr)
        {
            svcs.push_back(svc);
        }
    }
    std::size_t passed = 0;
    const auto c0 = steady::now();
    for (const auto* svc : svcs)
    {
        passed += check_catalog(*full, *svc, now).why == reason::allowed ? 1U : 0U;
    }
    const auto per_check = std::chrono::duration<double, std::nano>(steady::now() - c0).count() /
                           static_cast<double>(svcs.size());
    std::printf("check_catalog() alone: %.0f ns per call over %zu calls (%zu passed) = %.1f%% of the full "
                "policy's mean decision\n",
                per_check,
                svcs.size(),
                passed,
                100.0 * per_check / best_full.mean);
    return best_plain.allowed == best_full.allowed ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    const std::size_t services = arg(argc, argv, "--services", 100000, max_services);
    const std::size_t cidrs = arg(argc, argv, "--cidrs", 10000, max_cidrs);
    const std::size_t decisions = arg(argc, argv, "--decisions", 1000000, max_decisions);
    const std::size_t users = arg(argc, argv, "--users", 5000, 1000000);
    if (const char* path = string_arg(argc, argv, "--write-policy"))
    {
        return write_policy(path, services, cidrs, users);
    }
    std::mt19937 rng(20261122);
    if (has_flag(argc, argv, "--catalog"))
    {
        return catalog_comparison(
            arg(argc, argv, "--services", 10000, max_services), cidrs, users, decisions, rng);
    }

    struct row
    {
        const char* name;
        std::size_t services;
        std::size_t cidrs;
        std::size_t users;
    };
    // Large first: ru_maxrss is a high-water mark, so its growth during the
    // first load is that load's own peak.
    const row rows[] = {{"large", services, cidrs, users}, {"small (example size)", 3, 4, 2}};
    std::printf("| policy | services | CIDRs | users | YAML | YAML parse alone (libyaml tree) | load + "
                "validate + compile | "
                "peak RSS growth while loading | decide p50 | p99 | max | allowed |\n");
    std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (const auto& r : rows)
    {
        const auto yaml = generate(r.services, r.cidrs, r.users, variant::in_memory);
        const auto rss_before = current_rss_kib();
        const auto t0 = steady::now();
        auto loaded = load_policy_text(yaml, "generated.yaml");
        diagnostics diags;
        std::shared_ptr<const snapshot> snap;
        if (!loaded.diags.has_errors())
        {
            snap = compile(std::move(*loaded.document), {{}, *parse_time("2026-11-23T10:00+09:00")}, diags);
        }
        const auto t1 = steady::now();
        if (!snap)
        {
            std::fprintf(stderr, "%s%s", loaded.diags.to_string().c_str(), diags.to_string().c_str());
            return 1;
        }
        const auto load_peak_kib = peak_rss_kib() - rss_before;
        loaded.document.reset();
        // The parser's share of the load: the same text parsed again, alone.
        const auto p0 = steady::now();
        {
            auto tree = parse_yaml(yaml, nullptr);
            (void)tree;
        }
        const auto parse_ms = std::chrono::duration<double, std::milli>(steady::now() - p0).count();
        const auto reqs = targets(r.services, r.users, decisions, rng);
        const auto lat = measure(*snap, reqs);
        std::printf(
            "| %s | %zu | %zu | %zu | %.1f MiB | %.0f ms | %.0f ms | %ld MiB | %.0f ns | %.0f ns | %.0f ns "
            "| %zu of %zu |\n",
            r.name,
            r.services,
            r.cidrs,
            r.users,
            static_cast<double>(yaml.size()) / 1048576.0,
            parse_ms,
            std::chrono::duration<double, std::milli>(t1 - t0).count(),
            load_peak_kib > 0 ? load_peak_kib / 1024 : 0L,
            lat.p50,
            lat.p99,
            lat.max,
            lat.allowed,
            reqs.size());
    }
    return 0;
}
