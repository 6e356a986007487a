#pragma once
// `sekishoctl doctor` (docs/sekishoctl.md#doctor): a list of checks of an
// installed gateway, each OK / WARN / FAIL with one line saying what was
// found and, for WARN and FAIL, what to do. This header holds what the
// checks share: a finding, the inputs loaded once, the limits they judge
// by, the text helpers and one declaration per check.
//
//   doctor_cmd.cpp     arguments, loading sekisho.yaml and the policy, the
//                      shared helpers below, text and JSON output
//   doctor_policy.cpp  the files themselves: config, catalog
//   doctor_tls.cpp     certificates and CRLs (OpenSSL)
//   doctor_checks.cpp  the host: key files, clock, audit disk
//   doctor_daemon.cpp  what runs: listeners, the daemon (admin socket)
//   doctor_store.cpp   the shared session store (Redis), when configured
//
// Every check keeps its texts in one table at its top (`{name}` marks a
// value), so that they can be translated in one place.

#include "daemon/config/settings.hpp"
#include "policy/snapshot.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sekisho::app {
struct startup_result;
} // namespace sekisho::app

namespace sekisho::ctl::doctor {

enum class status
{
    ok,
    warn,
    fail
};

// One line of the report.
struct finding
{
    std::string id; // stable: "config", "certificate:internet", "catalog:groupware", ...
    status level = status::ok;
    std::string message;
    std::vector<std::string> details; // e.g. the first errors of a file
    std::vector<std::string> actions; // what to do (WARN and FAIL)
};

inline constexpr int default_warn_days = 30;
inline constexpr int max_warn_days = 3650;
// A listener that does not accept within this time does not answer.
inline constexpr std::chrono::milliseconds listener_connect_timeout{1000};
// A CRL whose nextUpdate is this close is a warning: once it passes, every
// device is refused (crl_stale).
inline constexpr std::chrono::hours crl_warn_window{48};
// The audit log's filesystem: below the larger of these two it fails ...
inline constexpr std::uint64_t audit_min_free_bytes = 256ULL << 20;
inline constexpr std::uint64_t audit_min_free_rotations = 2; // × audit.rotate_bytes
// ... and below either of these it warns.
inline constexpr std::uint64_t audit_low_free_bytes = 2ULL << 30;
inline constexpr unsigned audit_low_free_percent = 10;
// Errors of a configuration that does not load shown under its line.
inline constexpr std::size_t config_errors_shown = 3;

// What the checks look at, loaded once by doctor_cmd.cpp.
struct inputs
{
    std::string config_path;
    std::chrono::system_clock::time_point now;
    int warn_days = default_warn_days;
    // sekisho.yaml as read, even with errors (null: it could not be read).
    const config::settings* settings = nullptr;
    bool settings_valid = false; // read without errors
    // The policy file compiled (null: it does not load or compile).
    std::shared_ptr<const policy::snapshot> policy;
    std::string admin_socket; // --admin-socket, else admin.socket; empty: none

    std::chrono::hours warn_within() const { return std::chrono::hours(24 * warn_days); }
};

// The values of a text's `{name}`s: {{"name", value}, ...}.
using fields = std::initializer_list<std::pair<std::string_view, std::string>>;

// `text` with every `{name}` replaced by its value.
std::string fill(std::string_view text, fields values);
// A check that needs sekisho.yaml when it does not load.
finding not_checked(std::string id);
// "2027-11-23 09:00 UTC"
std::string utc_text(std::time_t t);
// Whole days from now to t (negative once past).
long days_from(std::chrono::system_clock::time_point now, std::time_t t);
// "1.5 GiB", "300 MiB"
std::string bytes_text(std::uint64_t bytes);

// doctor_policy.cpp: `config` (from the loading itself) and `catalog` or
// `catalog:<service>`, `catalog:exception:<id>`.
finding check_config(const inputs& in, const app::startup_result& loaded);
std::vector<finding> check_catalog(const inputs& in);

// doctor_tls.cpp: `certificate:<listener>` and `crl:<listener>`.
std::vector<finding> check_certificates(const inputs& in);
std::vector<finding> check_crls(const inputs& in);

// doctor_checks.cpp
finding check_key_permissions(const inputs& in);
finding check_clock();
finding check_audit_disk(const inputs& in);

// doctor_daemon.cpp
finding check_listeners(const inputs& in);
finding check_daemon(const inputs& in);
// auth.store with type: redis (doctor_store.cpp); nothing otherwise.
std::vector<finding> check_store(const inputs& in);

// `sekishoctl doctor ...` (argv after "doctor"); the exit code.
int doctor_main(const std::vector<std::string>& args);

} // namespace sekisho::ctl::doctor
