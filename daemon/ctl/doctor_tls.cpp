// `sekishoctl doctor`'s certificate and CRL checks, read with OpenSSL: each
// listener's server certificate and client CA (`certificate:<listener>`), and
// its CRL (`crl:<listener>`) as sekishod judges it (daemon/tls/crl.hpp: past
// its nextUpdate, or issued in the future, every device is refused).

#include "daemon/ctl/doctor.hpp"
#include "daemon/i18n/catalog.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

namespace sekisho::ctl::doctor {

namespace {

// The texts of `certificate:<listener>`.
namespace cert_text {
constexpr const char* server = "server certificate";
constexpr const char* client_ca = "client CA";
constexpr const char* valid = "{what} {path} valid until {until} ({days} day(s) left)";
constexpr const char* expiring = "{what} {path} expires {until} ({days} day(s) left)";
constexpr const char* expired = "{what} {path} expired on {until}";
constexpr const char* not_yet = "{what} {path} is not valid before {from}";
constexpr const char* unreadable = "cannot read the {what} {path}: {why}";
constexpr const char* renew_server =
    "install a renewed server certificate (and its key) at {path}, then systemctl restart sekishod "
    "(a reload does not re-read it)";
constexpr const char* renew_ca =
    "issue a new device CA and re-issue the devices' certificates before {until}; "
    "list both CAs in {path} during the change-over, then systemctl restart "
    "sekishod";
constexpr const char* check_dates =
    "check the clock (see `clock`) and the certificate's dates: openssl x509 -noout -dates -in {path}";
// Also the CRL's ({key} crl).
constexpr const char* check_key = "check listeners[{id}].tls.{key} in {config}";
} // namespace cert_text

// The texts of `crl:<listener>`.
namespace crl_text {
constexpr const char* valid = "{path}: nextUpdate {next} ({days} day(s) left), {revoked} revoked";
constexpr const char* soon =
    "{path}: nextUpdate {next}, in {hours} hours; after it every device is refused (crl_stale)";
constexpr const char* stale =
    "{path} is past its nextUpdate {next}: sekishod refuses every device (crl_stale)";
constexpr const char* future = "{path} is not valid before {this}: sekishod refuses every device (crl_stale)";
constexpr const char* unreadable = "cannot read the CRL {path}: {why}";
constexpr const char* publish =
    "publish a fresh CRL from the device CA and install it at {path} (openssl ca -gencrl); sekishod "
    "takes it within timeouts.crl_check, or at once with sekishoctl reload";
// An unreadable CRL: cert_text::check_key.
} // namespace crl_text

struct x509_free
{
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_CRL* p) const { X509_CRL_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;
using crl_ptr = std::unique_ptr<X509_CRL, x509_free>;

struct file_closer
{
    void operator()(std::FILE* f) const { std::fclose(f); }
};

std::optional<std::time_t> to_time(const ASN1_TIME* t)
{
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1)
    {
        return std::nullopt;
    }
    return ::timegm(&tm);
}

// Every PEM object of one kind in a file; empty with *why when none.
template <typename Ptr, typename Read>
std::vector<Ptr> read_pem(const std::string& path, Read read, std::string* why)
{
    std::vector<Ptr> out;
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.c_str(), "r"));
    if (!f)
    {
        *why = std::strerror(errno);
        return out;
    }
    while (auto* item = read(f.get(), nullptr, nullptr, nullptr))
    {
        out.emplace_back(item);
    }
    ERR_clear_error();
    if (out.empty())
    {
        *why = "no PEM certificate or CRL in it";
    }
    return out;
}

// The validity of a certificate file: the first certificate's, or for a CA
// bundle (all = true) the latest notBefore and the earliest notAfter.
struct validity
{
    std::time_t not_before = 0;
    std::time_t not_after = 0;
};

std::optional<validity> read_validity(const std::string& path, bool all, std::string* why)
{
    const auto certs = read_pem<x509_ptr>(path, PEM_read_X509, why);
    std::optional<validity> out;
    for (const auto& c : certs)
    {
        const auto from = to_time(X509_get0_notBefore(c.get()));
        const auto until = to_time(X509_get0_notAfter(c.get()));
        if (!from || !until)
        {
            *why = "a certificate with unreadable dates";
            return std::nullopt;
        }
        out = out ? validity{std::max(out->not_before, *from), std::min(out->not_after, *until)}
                  : validity{*from, *until};
        if (!all)
        {
            break;
        }
    }
    return out;
}

// What to do about a file of listeners[id].tls that cannot be read.
std::string check_key_do(const inputs& in, const config::listener_settings& l, const char* key)
{
    return fill(cert_text::check_key, {{"id", l.id}, {"key", key}, {"config", in.config_path}});
}

// One certificate file's part of the line; raises `level` and adds actions.
std::string
judge(const inputs& in, const config::listener_settings& l, const std::string& path, bool is_ca, finding& f)
{
    const std::string what(i18n::text(is_ca ? cert_text::client_ca : cert_text::server));
    std::string why;
    const auto v = read_validity(path, is_ca, &why);
    if (!v)
    {
        f.level = status::fail;
        f.actions.push_back(check_key_do(in, l, is_ca ? "client_ca" : "certificate"));
        return fill(cert_text::unreadable, {{"what", what}, {"path", path}, {"why", why}});
    }
    const auto now = std::chrono::system_clock::to_time_t(in.now);
    const long days = days_from(in.now, v->not_after);
    const auto until = utc_text(v->not_after);
    const auto renew =
        fill(is_ca ? cert_text::renew_ca : cert_text::renew_server, {{"path", path}, {"until", until}});
    if (v->not_before > now)
    {
        f.level = status::fail;
        f.actions.push_back(fill(cert_text::check_dates, {{"path", path}}));
        return fill(cert_text::not_yet, {{"what", what}, {"path", path}, {"from", utc_text(v->not_before)}});
    }
    if (v->not_after <= now)
    {
        f.level = status::fail;
        f.actions.push_back(renew);
        return fill(cert_text::expired, {{"what", what}, {"path", path}, {"until", until}});
    }
    if (days < in.warn_days)
    {
        f.level = std::max(f.level, status::warn);
        f.actions.push_back(renew);
        return fill(cert_text::expiring,
                    {{"what", what}, {"path", path}, {"until", until}, {"days", std::to_string(days)}});
    }
    return fill(cert_text::valid,
                {{"what", what}, {"path", path}, {"until", until}, {"days", std::to_string(days)}});
}

finding check_crl(const inputs& in, const config::listener_settings& l, const std::string& path)
{
    finding f{"crl:" + l.id, status::ok, {}, {}, {}};
    std::string why;
    const auto crls = read_pem<crl_ptr>(path, PEM_read_X509_CRL, &why);
    std::optional<std::time_t> next;
    std::time_t issued = 0;
    std::size_t revoked = 0;
    for (const auto& c : crls)
    {
        const auto n = to_time(X509_CRL_get0_nextUpdate(c.get()));
        const auto t = to_time(X509_CRL_get0_lastUpdate(c.get()));
        if (!n || !t)
        {
            why = "a CRL without a nextUpdate (sekishod rejects it)";
            next.reset();
            break;
        }
        next = next ? std::min(*next, *n) : *n;
        issued = std::max(issued, *t);
        const auto* list = X509_CRL_get_REVOKED(c.get());
        revoked += list == nullptr ? 0 : static_cast<std::size_t>(sk_X509_REVOKED_num(list));
    }
    if (!next)
    {
        f.level = status::fail;
        f.message = fill(crl_text::unreadable, {{"path", path}, {"why", why}});
        f.actions.push_back(check_key_do(in, l, "crl"));
        return f;
    }
    const auto now = std::chrono::system_clock::to_time_t(in.now);
    const auto publish = fill(crl_text::publish, {{"path", path}});
    if (*next <= now || issued > now)
    {
        f.level = status::fail;
        f.message = *next <= now ? fill(crl_text::stale, {{"path", path}, {"next", utc_text(*next)}})
                                 : fill(crl_text::future, {{"path", path}, {"this", utc_text(issued)}});
        f.actions.push_back(publish);
        return f;
    }
    const auto left = std::chrono::seconds(*next - now);
    if (left < crl_warn_window)
    {
        f.level = status::warn;
        f.message =
            fill(crl_text::soon,
                 {{"path", path},
                  {"next", utc_text(*next)},
                  {"hours", std::to_string(std::chrono::duration_cast<std::chrono::hours>(left).count())}});
        f.actions.push_back(publish);
        return f;
    }
    f.message = fill(crl_text::valid,
                     {{"path", path},
                      {"next", utc_text(*next)},
                      {"days", std::to_string(days_from(in.now, *next))},
                      {"revoked", std::to_string(revoked)}});
    return f;
}

} // namespace

std::vector<finding> check_certificates(const inputs& in)
{
    if (!in.settings_valid)
    {
        return {not_checked("certificate")};
    }
    std::vector<finding> out;
    for (const auto& l : in.settings->listeners)
    {
        finding f{"certificate:" + l.id, status::ok, {}, {}, {}};
        const auto server = judge(in, l, l.tls.certificate, false, f);
        const auto ca = judge(in, l, l.tls.client_ca, true, f);
        f.message = server + "; " + ca;
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<finding> check_crls(const inputs& in)
{
    if (!in.settings_valid)
    {
        return {not_checked("crl")};
    }
    std::vector<finding> out;
    for (const auto& l : in.settings->listeners)
    {
        if (l.tls.crl)
        {
            out.push_back(check_crl(in, l, *l.tls.crl));
        }
    }
    return out;
}

} // namespace sekisho::ctl::doctor
