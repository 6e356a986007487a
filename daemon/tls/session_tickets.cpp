#include "daemon/tls/session_tickets.hpp"

#include "daemon/log/logger.hpp"
#include "daemon/tls/context.hpp"
#include "daemon/tls/crl.hpp"
#include "daemon/util/private_file.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <vector>

#include <sys/stat.h>

namespace sekisho::tls {

namespace {

constexpr std::size_t name_bytes = 16; // OpenSSL's ticket key name
constexpr std::size_t key_bytes = 32;  // AES-256 and HMAC-SHA256 keys
constexpr std::string_view derive_label = "sekisho session ticket v1";

struct ticket_keys
{
    std::array<unsigned char, name_bytes> name{};
    std::array<unsigned char, key_bytes> aes{};
    std::array<unsigned char, key_bytes> hmac{};
};

// The keys of one period and of the one before it, for one listener.
struct key_window
{
    std::int64_t period = 0;
    std::uint64_t generation = 0;
    ticket_keys current;
    ticket_keys previous;
};

struct cipher_free
{
    void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};

// A listener's ticket state, owned by its SSL_CTX (ex_data).
struct ticket_state
{
    std::shared_ptr<ticket_secret> secret;
    std::string layer;
    std::array<unsigned char, 32> ca_digest{};
    std::int64_t lifetime_s = 0;
    std::unique_ptr<EVP_CIPHER, cipher_free> cipher;
    std::atomic<std::shared_ptr<const key_window>> window;
};

void free_state(
    void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/, void* /*argp*/)
{
    delete static_cast<ticket_state*>(ptr);
}

int state_index()
{
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_state);
    return index;
}

ticket_state* state_of(SSL* ssl)
{
    return static_cast<ticket_state*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), state_index()));
}

// HKDF-SHA256(master, salt = label, info = layer NUL CA-digest period) →
// name ‖ AES key ‖ HMAC key.
bool derive(const ticket_state& st, const ticket_secret::material& m, std::int64_t period, ticket_keys& out)
{
    std::vector<unsigned char> info(st.layer.begin(), st.layer.end());
    info.push_back(0);
    info.insert(info.end(), st.ca_digest.begin(), st.ca_digest.end());
    for (int shift = 56; shift >= 0; shift -= 8)
    {
        info.push_back(static_cast<unsigned char>(static_cast<std::uint64_t>(period) >> shift));
    }
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX* kctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
    EVP_KDF_free(kdf);
    if (kctx == nullptr)
    {
        return false;
    }
    std::string salt(derive_label);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(m.bytes.data()), m.bytes.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_end(),
    };
    std::array<unsigned char, name_bytes + 2 * key_bytes> okm{};
    const bool ok = EVP_KDF_derive(kctx, okm.data(), okm.size(), params) == 1;
    EVP_KDF_CTX_free(kctx);
    if (ok)
    {
        std::memcpy(out.name.data(), okm.data(), name_bytes);
        std::memcpy(out.aes.data(), okm.data() + name_bytes, key_bytes);
        std::memcpy(out.hmac.data(), okm.data() + name_bytes + key_bytes, key_bytes);
    }
    OPENSSL_cleanse(okm.data(), okm.size());
    return ok;
}

// The keys for now; derived again when the period or the secret changed
// (two threads may both derive: the results are equal).
std::shared_ptr<const key_window> window_now(ticket_state& st)
{
    const auto period = static_cast<std::int64_t>(std::time(nullptr)) / st.lifetime_s;
    const auto m = st.secret->current();
    auto w = st.window.load();
    if (w && w->period == period && w->generation == m->generation)
    {
        return w;
    }
    auto fresh = std::make_shared<key_window>();
    fresh->period = period;
    fresh->generation = m->generation;
    if (!derive(st, *m, period, fresh->current) || !derive(st, *m, period - 1, fresh->previous))
    {
        return nullptr;
    }
    st.window.store(fresh);
    return fresh;
}

// OpenSSL's ticket key callback: 1 with keys set up, 2 (decrypt) when the
// ticket should be renewed, 0 for a ticket of unknown keys, -1 on error.
int ticket_key_callback(SSL* ssl,
                        unsigned char key_name[16],
                        unsigned char* iv,
                        EVP_CIPHER_CTX* cctx,
                        EVP_MAC_CTX* hctx,
                        int encrypt)
{
    ticket_state* st = state_of(ssl);
    const auto w = st != nullptr ? window_now(*st) : nullptr;
    if (w == nullptr)
    {
        return -1;
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (encrypt == 1)
    {
        const int iv_len = EVP_CIPHER_get_iv_length(st->cipher.get());
        std::memcpy(key_name, w->current.name.data(), name_bytes);
        if (iv_len <= 0 || RAND_bytes(iv, iv_len) != 1 ||
            EVP_EncryptInit_ex2(cctx, st->cipher.get(), w->current.aes.data(), iv, nullptr) != 1 ||
            EVP_MAC_init(hctx, w->current.hmac.data(), key_bytes, params) != 1)
        {
            return -1;
        }
        return 1;
    }
    const ticket_keys* k = nullptr;
    if (std::memcmp(key_name, w->current.name.data(), name_bytes) == 0)
    {
        k = &w->current;
    }
    else if (std::memcmp(key_name, w->previous.name.data(), name_bytes) == 0)
    {
        k = &w->previous;
    }
    if (k == nullptr)
    {
        return 0; // another layer's, another CA's, an old period's, a forged one
    }
    if (EVP_DecryptInit_ex2(cctx, st->cipher.get(), k->aes.data(), iv, nullptr) != 1 ||
        EVP_MAC_init(hctx, k->hmac.data(), key_bytes, params) != 1)
    {
        return -1;
    }
    return k == &w->current ? 1 : 2;
}

// A decrypted ticket is used only if its certificate would still pass:
// within its validity period, not revoked by the CRL set in force, and that
// set not stale. Otherwise a full handshake decides (and refuses with the
// precise reason).
bool still_acceptable(SSL* ssl, SSL_SESSION* session)
{
    X509* cert = SSL_SESSION_get0_peer(session);
    if (cert == nullptr)
    {
        return false;
    }
    std::time_t now = std::time(nullptr);
    if (X509_cmp_time(X509_get0_notAfter(cert), &now) <= 0 ||
        X509_cmp_time(X509_get0_notBefore(cert), &now) >= 0)
    {
        return false;
    }
    if (const auto* source = crl_source_of(SSL_get_SSL_CTX(ssl)))
    {
        const auto set = source->current();
        if (set == nullptr || set->stale(now) || set->revokes(cert))
        {
            return false;
        }
    }
    return true;
}

SSL_TICKET_RETURN decrypt_callback(SSL* ssl,
                                   SSL_SESSION* session,
                                   const unsigned char* /*key_name*/,
                                   std::size_t /*key_name_length*/,
                                   SSL_TICKET_STATUS status,
                                   void* /*arg*/)
{
    switch (status)
    {
        case SSL_TICKET_SUCCESS:
        case SSL_TICKET_SUCCESS_RENEW:
            if (session == nullptr || !still_acceptable(ssl, session))
            {
                return SSL_TICKET_RETURN_IGNORE_RENEW;
            }
            // Always a fresh ticket: clients use each TLS 1.3 ticket once (RFC
            // 8446 C.4), and without one their next connection is a full handshake.
            return SSL_TICKET_RETURN_USE_RENEW;
        case SSL_TICKET_EMPTY:
        case SSL_TICKET_NO_DECRYPT:
            return SSL_TICKET_RETURN_IGNORE_RENEW;
        default:
            return SSL_TICKET_RETURN_ABORT;
    }
}

// device, inode, size and mtime: a change means "read it again".
std::string stamp_text(const std::string& path)
{
    struct stat st
    {};
    if (::stat(path.c_str(), &st) != 0)
    {
        return {};
    }
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) +
           ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

// The key file's secret: SHA-256 of its bytes (any length from 32 bytes up,
// e.g. `openssl rand -out ticket.key 48`). Empty `why` on success.
std::shared_ptr<ticket_secret::material> read_key_file(const std::string& path, std::string& why)
{
    struct stat st
    {};
    if (::stat(path.c_str(), &st) != 0)
    {
        why = "cannot read the session ticket key " + path + ": " + std::strerror(errno);
        return nullptr;
    }
    if (!S_ISREG(st.st_mode))
    {
        why = "the session ticket key " + path + " is not a regular file";
        return nullptr;
    }
    if (!util::private_enough(path, st.st_mode))
    {
        why = "the session ticket key " + path + " may be read by others (mode " +
              std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
              std::to_string(st.st_mode & 7) + "); whoever reads it can resume any device's session";
        return nullptr;
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<unsigned char> bytes;
    if (in)
    {
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (!in.good() && !in.eof())
    {
        why = "cannot read the session ticket key " + path;
        return nullptr;
    }
    if (bytes.size() < ticket_secret::min_key_file_bytes || bytes.size() > ticket_secret::max_key_file_bytes)
    {
        why = "the session ticket key " + path + " has " + std::to_string(bytes.size()) +
              " bytes; it needs " + std::to_string(ticket_secret::min_key_file_bytes) + " to " +
              std::to_string(ticket_secret::max_key_file_bytes) + " random bytes";
        OPENSSL_cleanse(bytes.data(), bytes.size());
        return nullptr;
    }
    auto m = std::make_shared<ticket_secret::material>();
    unsigned int len = 0;
    const bool ok = EVP_Digest(bytes.data(), bytes.size(), m->bytes.data(), &len, EVP_sha256(), nullptr) == 1;
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (!ok)
    {
        why = "cannot hash the session ticket key: " + drain_openssl_errors();
        return nullptr;
    }
    return m;
}

std::uint64_t next_generation()
{
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}

bool file_digest(const std::string& path, std::array<unsigned char, 32>& out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        return false;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    unsigned int len = 0;
    return EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, EVP_sha256(), nullptr) == 1;
}

} // namespace

ticket_secret::ticket_secret(std::string key_file) : key_file_(std::move(key_file)) {}

std::shared_ptr<ticket_secret> ticket_secret::make(const config::session_ticket_settings& settings,
                                                   policy::diagnostics& diags)
{
    std::shared_ptr<ticket_secret> out(new ticket_secret(settings.key_file));
    std::shared_ptr<material> m;
    if (settings.key_file.empty())
    {
        m = std::make_shared<material>();
        if (RAND_bytes(m->bytes.data(), static_cast<int>(m->bytes.size())) != 1)
        {
            diags.error(settings.where, "cannot draw a session ticket secret: " + drain_openssl_errors());
            return nullptr;
        }
    }
    else
    {
        std::string why;
        out->stamp_ = stamp_text(settings.key_file);
        m = read_key_file(settings.key_file, why);
        if (m == nullptr)
        {
            diags.error(
                settings.where,
                why,
                "make one with `openssl rand -out ticket.key 48 && chmod 600 ticket.key` (the same file on "
                "every instance behind one load balancer), or remove session_tickets.key_file");
            return nullptr;
        }
    }
    m->generation = next_generation();
    out->current_.store(std::move(m));
    return out;
}

bool ticket_secret::check(bool forced)
{
    if (key_file_.empty())
    {
        return false;
    }
    const auto stamp = stamp_text(key_file_);
    if (!forced && stamp == stamp_)
    {
        return false;
    }
    stamp_ = stamp;
    std::string why;
    auto m = read_key_file(key_file_, why);
    if (m == nullptr)
    {
        log::error("ticket_key_rejected",
                   {{"file", key_file_}, {"error", why}, {"kept", "the key in force"}});
        return false;
    }
    const auto old = current();
    if (old != nullptr && old->bytes == m->bytes)
    {
        return false;
    }
    m->generation = next_generation();
    current_.store(std::move(m));
    log::info("ticket_key_reloaded", {{"file", key_file_}});
    return true;
}

bool enable_session_tickets(SSL_CTX* ctx,
                            std::shared_ptr<ticket_secret> secret,
                            std::string_view layer,
                            const std::string& client_ca_file,
                            std::chrono::seconds lifetime,
                            const policy::source_location& where,
                            policy::diagnostics& diags)
{
    auto st = std::make_unique<ticket_state>();
    st->secret = std::move(secret);
    st->layer = std::string(layer);
    st->lifetime_s = std::max<std::int64_t>(1, lifetime.count());
    st->cipher.reset(EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr));
    if (st->cipher == nullptr || !file_digest(client_ca_file, st->ca_digest))
    {
        diags.error(where, "cannot set up session tickets: " + drain_openssl_errors());
        return false;
    }
    const std::string sid_context = "sekishod/" + st->layer;
    if (SSL_CTX_set_ex_data(ctx, state_index(), st.get()) != 1)
    {
        diags.error(where, "cannot set up session tickets: " + drain_openssl_errors());
        return false;
    }
    st.release(); // owned by the context now (free_state)
    SSL_CTX_set_session_id_context(ctx,
                                   reinterpret_cast<const unsigned char*>(sid_context.data()),
                                   static_cast<unsigned>(sid_context.size()));
    SSL_CTX_set_timeout(ctx, static_cast<long>(lifetime.count()));
    SSL_CTX_set_num_tickets(ctx, 1);
    SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_max_early_data(ctx, 0);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback);
    SSL_CTX_set_session_ticket_cb(ctx, nullptr, decrypt_callback, nullptr);
    return true;
}

} // namespace sekisho::tls
