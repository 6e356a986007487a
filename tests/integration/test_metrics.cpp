// The Prometheus endpoint (metrics:) and the admin API's /v1/metrics and
// /v1/policy: figures that follow what the daemon did (tunnels opened and
// denied, bytes, decisions, reloads, the audit writer, expiry of
// certificates, CRLs and catalog entries), text that Prometheus' own promtool
// accepts, and a real Prometheus server scraping it.

#include "harness/audit_log.hpp"
#include "harness/checks.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <fstream>
#include <regex>

using namespace sekisho::test;

namespace {

constexpr double missing = -1;

gateway_options with_metrics()
{
    gateway_options o;
    o.extra_config += "metrics:\n  address: 127.0.0.1\n  port: 0\nadmin:\n  socket: run/admin.sock\n";
    return o;
}

// The port metrics_listening reported.
std::uint16_t metrics_port(const gateway& g)
{
    std::smatch m;
    const auto log = g.log();
    static const std::regex line(R"(event=metrics_listening address=127\.0\.0\.1:(\d+))");
    BOOST_REQUIRE_MESSAGE(std::regex_search(log, m, line), log);
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

run_result http_get(const gateway& g, const std::string& path, const std::vector<std::string>& extra = {})
{
    std::vector<std::string> argv{"curl", "-sS", "-i"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("http://127.0.0.1:" + std::to_string(metrics_port(g)) + path);
    return run(argv, g.dir(), 10s);
}

std::string scrape(const gateway& g)
{
    const auto r =
        run({"curl", "-sS", "-f", "http://127.0.0.1:" + std::to_string(metrics_port(g)) + "/metrics"},
            g.dir(),
            10s);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

// The value of the sample `name{labels}` (exact text before the value);
// -1 when there is none (no figure here is negative but expiry days, which
// the tests compare with positive bounds).
double value_of(const std::string& text, const std::string& sample)
{
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
    {
        if (l.size() > sample.size() && l.compare(0, sample.size(), sample) == 0 && l[sample.size()] == ' ')
        {
            return std::stod(l.substr(sample.size() + 1));
        }
    }
    return missing;
}

bool has(const std::string& text, const std::string& sample)
{
    return value_of(text, sample) != missing;
}

boost::json::object admin_get(const gateway& g, const std::string& path)
{
    const auto r =
        run({"curl", "-sS", "--unix-socket", g.dir().file("run/admin.sock"), "http://sekishod" + path},
            g.dir(),
            10s);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return boost::json::parse(r.out).as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(figures_follow_what_the_daemon_did)
{
    temp_dir keys;
    const auto k = make_audit_keys(keys);
    auto o = with_metrics();
    o.files.emplace_back("audit.key", k.secret_text);
    o.extra_config += audit_section("audit", "audit.key");
    gateway g(o);
    const auto& w = world::get();

    const auto before = scrape(g);
    BOOST_TEST(value_of(before, "sekisho_tunnels_open") == 0.0);
    BOOST_TEST(!has(before, "sekisho_tunnels_opened_total{layer=\"internet\"}"));

    // Two allowed tunnels, one denial (My Number), one TLS failure.
    for (int i = 0; i < 2; ++i)
    {
        const auto r =
            curl_via(g.internet(), "http://files.cloud.test:" + std::to_string(w.cloud.port()) + "/");
        BOOST_REQUIRE(r.connect_code == 200);
    }
    const auto denied =
        curl_via(g.internet(), "http://juki.mynumber.test:" + std::to_string(w.mynumber.port()) + "/");
    BOOST_TEST(denied.connect_code == 403);
    {
        tcp_client plain(g.internet());
        plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        BOOST_TEST(plain.recv_all(3s).starts_with("HTTP/1.1 400"));
    }
    // An open tunnel shows in the gauge.
    tls_client open(g.internet());
    BOOST_REQUIRE(
        open.connect("files.cloud.test:" + std::to_string(w.cloud.port())).starts_with("HTTP/1.1 200"));

    std::string after;
    eventually(
        [&] {
            after = scrape(g);
            return value_of(after, "sekisho_tunnels_opened_total{layer=\"internet\"}") == 3.0 &&
                   value_of(after, "sekisho_connections_total") >= 4.0;
        },
        5s);
    BOOST_TEST(value_of(after, "sekisho_tunnels_opened_total{layer=\"internet\"}") == 3.0, after);
    BOOST_TEST(value_of(after, "sekisho_tunnels_open") == 1.0);
    BOOST_TEST(value_of(after, "sekisho_connections_open") >= 1.0);
    BOOST_TEST(value_of(after, "sekisho_tunnels_denied_total{reason=\"mynumber_zone\"}") == 1.0, after);
    BOOST_TEST(value_of(after, "sekisho_relayed_bytes_total{direction=\"down\"}") > 0.0);
    BOOST_TEST(value_of(after, "sekisho_decision_duration_seconds_count") == 4.0);
    BOOST_TEST(value_of(after, "sekisho_decision_duration_seconds_bucket{le=\"+Inf\"}") == 4.0);
    BOOST_TEST(value_of(after, "sekisho_tunnel_setup_duration_seconds_count") == 3.0);
    double failed = 0;
    std::istringstream lines(after);
    for (std::string l; std::getline(lines, l);)
    {
        if (l.starts_with("sekisho_connections_failed_total{"))
        {
            failed += std::stod(l.substr(l.rfind(' ') + 1));
        }
    }
    BOOST_TEST(failed >= 1.0, after);
    BOOST_TEST(value_of(after, "sekisho_connections_failed_total{reason=\"not_tls\"}") == 1.0, after);
    // The audit writer, the certificates, the CRL, the catalog.
    BOOST_TEST(value_of(after, "sekisho_audit_healthy") == 1.0);
    BOOST_TEST(value_of(after, "sekisho_audit_durable_seq") > 0.0);
    BOOST_TEST(value_of(after, "sekisho_audit_lost_total") == 0.0);
    const auto server_days =
        value_of(after, "sekisho_certificate_expiry_seconds{listener=\"internet\",certificate=\"server\"}");
    BOOST_TEST(server_days > 86400.0);
    BOOST_TEST(
        has(after, "sekisho_certificate_expiry_seconds{listener=\"lgwan\",certificate=\"client_ca\"}"));
    BOOST_TEST(value_of(after, "sekisho_crl_next_update_seconds{listener=\"internet\"}") > 0.0);
    BOOST_TEST(after.find("sekisho_catalog_certification_expiry_seconds{service=\"files\"") !=
                   std::string::npos,
               after);

    // Prometheus' own checker accepts the text.
    write_file(g.dir().file("scrape.txt"), after);
    const auto lint =
        run({"sh", "-c", "promtool check metrics < " + g.dir().file("scrape.txt")}, g.dir(), 30s);
    BOOST_TEST(lint.exit_code == 0, lint.out << lint.err);
}

BOOST_AUTO_TEST_CASE(reloads_are_counted)
{
    gateway g(with_metrics());
    BOOST_TEST(!has(scrape(g), "sekisho_reload_last_result"));
    BOOST_TEST(g.reload_with(test_policy_yaml() + "\n# changed\n").find("policy_reloaded") !=
               std::string::npos);
    auto text = scrape(g);
    BOOST_TEST(value_of(text, "sekisho_reloads_total{result=\"ok\"}") == 1.0);
    BOOST_TEST(value_of(text, "sekisho_reload_last_result") == 1.0);
    const auto ok_at = value_of(text, "sekisho_reload_last_success_timestamp_seconds");
    BOOST_TEST(ok_at > 1.7e9);
    BOOST_TEST(g.reload_with("version: 1\nservices: [\n").find("policy_rejected") != std::string::npos);
    text = scrape(g);
    BOOST_TEST(value_of(text, "sekisho_reloads_total{result=\"rejected\"}") == 1.0);
    BOOST_TEST(value_of(text, "sekisho_reload_last_result") == 0.0);
    BOOST_TEST(value_of(text, "sekisho_reload_last_success_timestamp_seconds") == ok_at);
}

BOOST_AUTO_TEST_CASE(only_get_metrics_is_served)
{
    gateway g(with_metrics());
    const auto ok = http_get(g, "/metrics");
    BOOST_TEST(ok.out.find("HTTP/1.1 200") == 0U, ok.out);
    BOOST_TEST(ok.out.find("text/plain; version=0.0.4") != std::string::npos);
    BOOST_TEST(ok.out.find("# TYPE sekisho_tunnels_opened_total counter") != std::string::npos);
    BOOST_TEST(http_get(g, "/").out.find("HTTP/1.1 404") == 0U);
    BOOST_TEST(http_get(g, "/metrics", {"-X", "POST"}).out.find("HTTP/1.1 405") == 0U);
    // Garbage is closed; the endpoint keeps serving.
    tcp_client junk(metrics_port(g));
    junk.send("\x16\x03\x01 not http\r\n\r\n");
    BOOST_TEST(junk.closed_by_peer(6s));
    BOOST_TEST(http_get(g, "/metrics").out.find("HTTP/1.1 200") == 0U);
}

BOOST_AUTO_TEST_CASE(admin_api_policy_and_metrics)
{
    gateway g(with_metrics());
    const auto status = admin_get(g, "/v1/status");
    const auto policy = admin_get(g, "/v1/policy");
    BOOST_TEST(policy.at("policy").as_string() == status.at("policy").as_string());
    BOOST_TEST(policy.at("file").as_string() == g.policy_file());
    BOOST_TEST(policy.at("age_seconds").to_number<std::int64_t>() >= 0);
    BOOST_TEST(policy.at("services").to_number<std::int64_t>() > 0);
    BOOST_TEST(!policy.contains("last_reload"));
    const auto loaded = policy.at("loaded_at").to_number<std::int64_t>();
    std::this_thread::sleep_for(1100ms);
    g.reload_with(test_policy_yaml() + "\n# changed\n");
    const auto after = admin_get(g, "/v1/policy");
    BOOST_TEST(after.at("policy").as_string() != policy.at("policy").as_string());
    BOOST_TEST(after.at("loaded_at").to_number<std::int64_t>() > loaded);
    BOOST_TEST(after.at("last_reload").as_object().at("policy_ok").as_bool());

    const auto m = admin_get(g, "/v1/metrics");
    BOOST_TEST(m.at("format").as_string() == "prometheus");
    BOOST_TEST(std::string(m.at("text").as_string()).find("sekisho_build_info{") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_real_prometheus_scrapes_it)
{
    gateway g(with_metrics());
    require_serving(g);
    temp_dir dir;
    const auto prom_port = free_loopback_port();
    write_file(dir.file("prometheus.yml"),
               "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sekisho\n    static_configs:\n"
               "      - targets: ['127.0.0.1:" +
                   std::to_string(metrics_port(g)) + "']\n");
    process prom({"prometheus",
                  "--config.file=" + dir.file("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.file("data"),
                  "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                 dir.file("prom.out"),
                 dir.file("prom.err"));
    const std::string query =
        "http://127.0.0.1:" + std::to_string(prom_port) + "/api/v1/query?query=sekisho_tunnels_opened_total";
    std::string answer;
    const bool scraped = eventually(
        [&] {
            const auto r = run({"curl", "-sS", query}, dir, 5s);
            answer = r.out;
            return r.exit_code == 0 && answer.find("\"layer\":\"internet\"") != std::string::npos;
        },
        30s);
    BOOST_TEST(scraped, answer << read_file(dir.file("prom.err")));
    const auto up = run(
        {"curl",
         "-sS",
         "http://127.0.0.1:" + std::to_string(prom_port) + "/api/v1/query?query=up%7Bjob%3D%22sekisho%22%7D"},
        dir,
        5s);
    BOOST_TEST(up.out.find("\"value\":[") != std::string::npos, up.out);
    BOOST_TEST(up.out.find(",\"1\"]") != std::string::npos, up.out);
}

BOOST_AUTO_TEST_CASE(a_metrics_address_off_loopback_is_warned_about)
{
    temp_dir dir;
    gateway_options o;
    o.extra_config = "metrics:\n  address: 0.0.0.0\n  port: 9464\n";
    write_file(dir.file("policy.yaml"), test_policy_yaml());
    write_file(dir.file("sekisho.yaml"), test_config_yaml(o, dir.file("policy.yaml"), dir.file("t.jsonl")));
    const auto r = run({SEKISHOD_PATH, "--check-config", dir.file("sekisho.yaml")}, dir);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("warning: metrics.address `0.0.0.0` is not a loopback address") !=
                   std::string::npos,
               r.err);
}

BOOST_AUTO_TEST_SUITE_END()
