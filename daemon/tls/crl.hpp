#pragma once
// A listener's CRL, replaced while the listener serves (issue #4).
//
// Every load builds a complete new verification store: the device CAs read at
// start-up plus the CRLs of the file, with CRL checking on. It is published
// through an atomic shared_ptr, and each new TLS session takes the store in
// force when it is created (SSL_set1_verify_cert_store keeps its own
// reference). A handshake never sees half a reload, and an old store lives
// until its last session is gone.
//
// Why the SSL_CTX itself is never changed after start-up: SSL_CTX_set_cert_store
// frees the context's old store while other I/O threads may be creating SSL
// objects from the context or verifying against that store. OpenSSL makes
// changing a shared SSL_CTX no promise of thread safety; a per-session store
// needs none.
//
// A file that cannot be read or parsed, or whose CRLs are not signed by the
// device CA or have no nextUpdate, is rejected: the previous CRL stays in
// force. A CRL past its nextUpdate is installed (it is genuine), and then
// every handshake fails with crl_stale (fail closed) until a fresh one comes.

#include "policy/diagnostics.hpp"

#include <openssl/ssl.h>

#include <atomic>
#include <cstddef>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::tls {

struct openssl_free
{
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_CRL* p) const { X509_CRL_free(p); }
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
using x509_ptr = std::unique_ptr<X509, openssl_free>;
using crl_ptr = std::unique_ptr<X509_CRL, openssl_free>;
using store_ptr = std::unique_ptr<X509_STORE, openssl_free>;

// The CRLs of one file, checked, and the store handshakes verify against.
class crl_set
{
public:
    // crls: checked, each with a nextUpdate; store: the CAs and these CRLs.
    crl_set(store_ptr store, std::vector<crl_ptr> crls);

    X509_STORE* store() const { return store_.get(); }
    std::size_t crl_count() const { return crls_.size(); }
    // Revoked entries over all its CRLs.
    std::size_t revoked() const { return revoked_; }
    // The earliest nextUpdate and the latest thisUpdate of its CRLs.
    std::time_t next_update() const { return next_update_; }
    std::time_t this_update() const { return this_update_; }
    // Past a nextUpdate or issued in the future: every handshake fails with
    // crl_stale while this set is in force.
    bool stale(std::time_t now) const { return next_update_ <= now || this_update_ > now; }
    // The established session's peer certificate is on its issuer's CRL here.
    // Call on the thread that owns the session.
    bool revokes(SSL* ssl) const;
    // The certificate is on its issuer's CRL here (a resumed session's).
    bool revokes(X509* cert) const;

private:
    store_ptr store_;
    std::vector<crl_ptr> crls_;
    std::size_t revoked_ = 0;
    std::time_t next_update_ = 0;
    std::time_t this_update_ = 0;
};

// Identifies a version of a file: a change of any field means "read it again".
struct file_stamp
{
    bool exists = false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    long long size = 0;
    long long mtime_ns = 0;
    bool operator==(const file_stamp&) const = default;
};

file_stamp stamp_of(const std::string& path);

// One listener's CRL file and the set in force.
class crl_source
{
public:
    crl_source(std::string path,
               std::vector<x509_ptr> cas,
               std::shared_ptr<const crl_set> first,
               file_stamp stamp);

    const std::string& path() const { return path_; }
    // Any thread.
    std::shared_ptr<const crl_set> current() const { return current_.load(); }

    // Reload thread only. Reads the file again when its device, inode, size
    // or mtime changed, or always when forced (SIGHUP). Logs crl_reloaded or
    // crl_rejected, and crl_stale at every call while the set in force is
    // stale. Returns the new set when one was installed, else null.
    std::shared_ptr<const crl_set> check(const std::string& listener, bool force);

private:
    std::string path_;
    std::vector<x509_ptr> cas_; // the device CAs of start-up
    file_stamp stamp_;          // of the last read, accepted or not
    std::atomic<std::shared_ptr<const crl_set>> current_;
};

// Start-up: reads the CRL file of a context whose store already holds the
// device CAs, reports problems to diags, and on success attaches the source
// to the context (it lives as long as the context).
bool attach_crl_source(SSL_CTX* ctx,
                       const std::string& path,
                       const policy::source_location& where,
                       policy::diagnostics& diags);

// The CRL source of a context (null: the listener has no `crl`).
crl_source* crl_source_of(SSL_CTX* ctx);

// For a new session: verify against the CRL in force. False when that cannot
// be arranged; the session must then be refused.
bool use_current_crl(SSL* ssl);

} // namespace sekisho::tls
