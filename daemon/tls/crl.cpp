#include "daemon/tls/crl.hpp"

#include "daemon/log/logger.hpp"
#include "daemon/tls/context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include <sys/stat.h>

namespace sekisho::tls {

namespace {

struct file_closer
{
    void operator()(std::FILE* f) const { std::fclose(f); }
};

struct crl_problem
{
    std::string reason; // for event=crl_rejected
    std::string text;
    std::string hint;
};

struct crl_load
{
    std::shared_ptr<const crl_set> set; // null: rejected
    std::vector<crl_problem> problems;
};

std::time_t to_time(const ASN1_TIME* t)
{
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1)
    {
        return 0;
    }
    return timegm(&tm);
}

std::string utc_text(std::time_t t)
{
    std::tm tm{};
    char buf[32] = "";
    if (gmtime_r(&t, &tm) != nullptr)
    {
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    return buf;
}

bool signed_by_a_ca(X509_CRL* crl, const std::vector<x509_ptr>& cas)
{
    for (const auto& ca : cas)
    {
        if (X509_NAME_cmp(X509_get_subject_name(ca.get()), X509_CRL_get_issuer(crl)) == 0)
        {
            EVP_PKEY* key = X509_get0_pubkey(ca.get());
            if (key != nullptr && X509_CRL_verify(crl, key) == 1)
            {
                return true;
            }
        }
    }
    return false;
}

// Reads every CRL of a PEM file and checks each: signed by one of the CAs,
// with a nextUpdate. Any problem rejects the whole file (all are reported).
crl_load load_crl_file(const std::string& path, const std::vector<x509_ptr>& cas)
{
    crl_load out;
    ERR_clear_error();
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.c_str(), "r"));
    if (!f)
    {
        out.problems.push_back({"unreadable",
                                "cannot read CRL file " + path + ": " + std::strerror(errno),
                                "check the path and that the daemon's user may read it"});
        return out;
    }
    std::vector<crl_ptr> crls;
    while (X509_CRL* crl = PEM_read_X509_CRL(f.get(), nullptr, nullptr, nullptr))
    {
        crls.emplace_back(crl);
    }
    // The end of the file shows as "no start line"; anything else is a
    // broken PEM block or DER inside one.
    const unsigned long last = ERR_peek_last_error();
    if (last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE))
    {
        out.problems.push_back({"malformed",
                                "CRL file " + path + " is malformed: " + drain_openssl_errors(),
                                "expected PEM CRLs as written by `openssl ca -gencrl`"});
        return out;
    }
    ERR_clear_error();
    if (crls.empty())
    {
        out.problems.push_back(
            {"no_crl", "no CRL found in " + path, "expected a PEM file with -----BEGIN X509 CRL-----"});
        return out;
    }
    for (const auto& crl : crls)
    {
        if (!signed_by_a_ca(crl.get(), cas))
        {
            out.problems.push_back({"bad_signature",
                                    "CRL in " + path + " is not signed by the client CA",
                                    "use the device CA's own CRL"});
        }
        if (X509_CRL_get0_nextUpdate(crl.get()) == nullptr)
        {
            out.problems.push_back({"no_next_update",
                                    "CRL in " + path + " has no nextUpdate",
                                    "issue CRLs with a nextUpdate date"});
        }
    }
    ERR_clear_error();
    if (!out.problems.empty())
    {
        return out;
    }
    store_ptr store(X509_STORE_new());
    bool built = store != nullptr;
    for (const auto& ca : cas)
    {
        built = built && X509_STORE_add_cert(store.get(), ca.get()) == 1;
    }
    for (const auto& crl : crls)
    {
        built = built && X509_STORE_add_crl(store.get(), crl.get()) == 1;
    }
    built = built && X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK) == 1;
    if (!built)
    {
        out.problems.push_back(
            {"internal", "cannot build a verification store: " + drain_openssl_errors(), ""});
        return out;
    }
    out.set = std::make_shared<const crl_set>(std::move(store), std::move(crls));
    return out;
}

void free_source(
    void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/, void* /*argp*/)
{
    delete static_cast<crl_source*>(ptr);
}

int source_index()
{
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_source);
    return index;
}

} // namespace

crl_set::crl_set(store_ptr store, std::vector<crl_ptr> crls)
    : store_(std::move(store)), crls_(std::move(crls))
{
    bool first = true;
    for (const auto& crl : crls_)
    {
        if (const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get()))
        {
            revoked_ += static_cast<std::size_t>(sk_X509_REVOKED_num(revoked));
        }
        const auto next = to_time(X509_CRL_get0_nextUpdate(crl.get()));
        const auto issued = to_time(X509_CRL_get0_lastUpdate(crl.get()));
        next_update_ = first ? next : std::min(next_update_, next);
        this_update_ = first ? issued : std::max(this_update_, issued);
        first = false;
    }
}

bool crl_set::revokes(SSL* ssl) const
{
    return revokes(SSL_get0_peer_certificate(ssl));
}

bool crl_set::revokes(X509* cert) const
{
    if (cert == nullptr)
    {
        return false;
    }
    // Serial numbers are unique per issuer: only the issuer's own CRL counts.
    for (const auto& crl : crls_)
    {
        X509_REVOKED* entry = nullptr;
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(cert)) == 0 &&
            X509_CRL_get0_by_cert(crl.get(), &entry, cert) == 1)
        {
            return true;
        }
    }
    return false;
}

file_stamp stamp_of(const std::string& path)
{
    file_stamp s;
    struct stat st
    {};
    if (::stat(path.c_str(), &st) == 0)
    {
        s.exists = true;
        s.device = static_cast<unsigned long long>(st.st_dev);
        s.inode = static_cast<unsigned long long>(st.st_ino);
        s.size = static_cast<long long>(st.st_size);
        s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    }
    return s;
}

crl_source::crl_source(std::string path,
                       std::vector<x509_ptr> cas,
                       std::shared_ptr<const crl_set> first,
                       file_stamp stamp)
    : path_(std::move(path)), cas_(std::move(cas)), stamp_(stamp), current_(std::move(first))
{}

std::shared_ptr<const crl_set> crl_source::check(const std::string& listener, bool force)
{
    std::shared_ptr<const crl_set> installed;
    const auto now_stamp = stamp_of(path_);
    if (force || now_stamp != stamp_)
    {
        // Stamp first, then read: a change during the read is seen next time.
        stamp_ = now_stamp;
        auto loaded = load_crl_file(path_, cas_);
        if (loaded.set)
        {
            current_.store(loaded.set);
            installed = loaded.set;
            log::info("crl_reloaded",
                      {{"listener", listener},
                       {"file", path_},
                       {"next_update", utc_text(installed->next_update())},
                       {"revoked", std::to_string(installed->revoked())}});
        }
        else
        {
            const auto& p = loaded.problems.front();
            log::error("crl_rejected",
                       {{"listener", listener},
                        {"file", path_},
                        {"reason", p.reason},
                        {"detail", p.text},
                        {"kept_next_update", utc_text(current()->next_update())}});
        }
    }
    const auto in_force = current();
    if (in_force->stale(std::time(nullptr)))
    {
        // Loud on purpose, at every check: every device is refused until an
        // operator installs a fresh CRL.
        log::error("crl_stale",
                   {{"listener", listener},
                    {"file", path_},
                    {"next_update", utc_text(in_force->next_update())},
                    {"this_update", utc_text(in_force->this_update())},
                    {"effect", "every new tunnel is refused (fail closed) until a fresh CRL is installed"}});
    }
    return installed;
}

bool attach_crl_source(SSL_CTX* ctx,
                       const std::string& path,
                       const policy::source_location& where,
                       policy::diagnostics& diags)
{
    X509_STORE* ctx_store = SSL_CTX_get_cert_store(ctx);
    std::vector<x509_ptr> cas;
    STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(ctx_store);
    for (int i = 0; i < sk_X509_OBJECT_num(objs); ++i)
    {
        X509* ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
        if (ca != nullptr && X509_up_ref(ca) == 1)
        {
            cas.emplace_back(ca);
        }
    }
    const auto stamp = stamp_of(path);
    auto loaded = load_crl_file(path, cas);
    for (const auto& p : loaded.problems)
    {
        diags.error(where, p.text, p.hint);
    }
    if (!loaded.set)
    {
        return false;
    }
    if (loaded.set->next_update() <= std::time(nullptr))
    {
        diags.warning(where,
                      "CRL in " + path +
                          " is past its nextUpdate: every client certificate will be refused "
                          "(fail closed) until a fresh CRL is installed",
                      "publish a new CRL from the device CA");
    }
    // Every session verifies against the source's store (use_current_crl).
    // The context's own store checks CRLs but holds none: a session that
    // somehow verified against it would fail with crl_stale (closed), never
    // pass unchecked.
    X509_STORE_set_flags(ctx_store, X509_V_FLAG_CRL_CHECK);
    auto source = std::make_unique<crl_source>(path, std::move(cas), loaded.set, stamp);
    if (SSL_CTX_set_ex_data(ctx, source_index(), source.get()) != 1)
    {
        diags.error(where, "cannot attach the CRL to the TLS context: " + drain_openssl_errors());
        return false;
    }
    source.release(); // owned by the context now (free_source)
    return true;
}

crl_source* crl_source_of(SSL_CTX* ctx)
{
    return ctx == nullptr ? nullptr : static_cast<crl_source*>(SSL_CTX_get_ex_data(ctx, source_index()));
}

bool use_current_crl(SSL* ssl)
{
    const auto* source = crl_source_of(SSL_get_SSL_CTX(ssl));
    if (source == nullptr)
    {
        return true;
    }
    const auto set = source->current();
    // SSL_set1_verify_cert_store, spelled out (the macro casts C-style): the
    // session takes its own reference to the store.
    return set != nullptr && SSL_ctrl(ssl, SSL_CTRL_SET_VERIFY_CERT_STORE, 1, set->store()) == 1;
}

} // namespace sekisho::tls
