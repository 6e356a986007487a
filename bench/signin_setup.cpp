// sekisho-signin-setup: what bench/run-gateway-bench's sign-in phases need, made in-process
// (a few hundred `openssl` runs would take longer than the phases themselves).
//
//   sekisho-signin-setup hash [--time N] < password
//       The argon2id hash of the password on stdin (one line, without its newline) in
//       libsodium's string format, with the interactive cost the daemon uses
//       (crypto_pwhash_str, as daemon/auth/password.cpp). With --time N (1..100) it then
//       verifies the password N times against that hash, as a worker does for a first
//       sign-in, and prints "verify_ms_p50 X" and "verify_ms_max Y" after the hash.
//
//   sekisho-signin-setup devices --ca CERT --ca-key KEY --prefix P --count N --out DIR
//       N (1..10000) device certificates, DIR/device-P0001.pem with the key in
//       DIR/device-P0001.key (mode 0600), ..., each with its own ECDSA P-256 key, signed by
//       the CA for two days with the profile of scripts/mkpki's devices (CA:FALSE,
//       digitalSignature, clientAuth). Prints "P0001 FINGERPRINT" per device: the SHA-256
//       fingerprint as `openssl x509 -fingerprint -sha256` writes it.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace {

int usage()
{
    std::fputs("usage: sekisho-signin-setup hash [--time N] < password\n"
               "       sekisho-signin-setup devices --ca CERT --ca-key KEY --prefix P --count N --out DIR\n",
               stderr);
    return 2;
}

int fail(const std::string& what)
{
    std::fprintf(stderr, "sekisho-signin-setup: %s\n", what.c_str());
    ERR_print_errors_fp(stderr);
    return 1;
}

int run_hash(int rounds)
{
    if (sodium_init() < 0)
    {
        return fail("libsodium cannot be initialised");
    }
    std::string password;
    if (!std::getline(std::cin, password) || password.empty())
    {
        std::fputs("sekisho-signin-setup: no password on stdin\n", stderr);
        return 2;
    }
    std::array<char, crypto_pwhash_STRBYTES> hash{};
    if (crypto_pwhash_str(hash.data(),
                          password.data(),
                          password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
        return fail("crypto_pwhash_str failed (out of memory?)");
    }
    std::printf("%s\n", hash.data());
    if (rounds == 0)
    {
        return 0;
    }
    std::vector<double> ms;
    for (int i = 0; i < rounds; ++i)
    {
        const auto t0 = std::chrono::steady_clock::now();
        const int rc = crypto_pwhash_str_verify(hash.data(), password.data(), password.size());
        const auto t1 = std::chrono::steady_clock::now();
        if (rc != 0)
        {
            return fail("the fresh hash does not verify");
        }
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("verify_ms_p50 %.1f\nverify_ms_max %.1f\n", ms[(ms.size() - 1) / 2], ms.back());
    return 0;
}

struct free_x509
{
    void operator()(X509* p) const { X509_free(p); }
};
struct free_pkey
{
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct free_bio
{
    void operator()(BIO* p) const { BIO_free(p); }
};
using x509_ptr = std::unique_ptr<X509, free_x509>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, free_pkey>;
using bio_ptr = std::unique_ptr<BIO, free_bio>;

bool add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value)
{
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    const bool ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

// Writes PEM through a file created with `mode` (0600 for keys).
template <class Write>
bool write_pem(const std::string& path, int mode, Write write)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
    {
        return false;
    }
    bio_ptr bio(BIO_new_fd(fd, BIO_CLOSE));
    return bio != nullptr && write(bio.get()) == 1 && BIO_flush(bio.get()) == 1;
}

std::string fingerprint(X509* cert)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md.data(), &len) != 1)
    {
        return {};
    }
    std::string out;
    for (unsigned int i = 0; i < len; ++i)
    {
        std::array<char, 4> hex{};
        std::snprintf(hex.data(), hex.size(), i == 0 ? "%02X" : ":%02X", md[i]);
        out += hex.data();
    }
    return out;
}

int run_devices(const std::string& ca_file,
                const std::string& ca_key_file,
                const std::string& prefix,
                int count,
                const std::string& dir)
{
    bio_ptr ca_bio(BIO_new_file(ca_file.c_str(), "r"));
    x509_ptr ca(ca_bio ? PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr) : nullptr);
    bio_ptr key_bio(BIO_new_file(ca_key_file.c_str(), "r"));
    pkey_ptr ca_key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!ca || !ca_key)
    {
        return fail("cannot read the CA certificate " + ca_file + " or its key " + ca_key_file);
    }
    for (int i = 1; i <= count; ++i)
    {
        std::array<char, 8> number{};
        std::snprintf(number.data(), number.size(), "%04d", i);
        const std::string name = prefix + number.data();
        pkey_ptr key(EVP_EC_gen("P-256"));
        x509_ptr cert(X509_new());
        std::array<unsigned char, 16> serial{};
        if (!key || !cert || RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1)
        {
            return fail("key generation failed");
        }
        serial[0] &= 0x7fU; // a positive serial number
        BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
        const bool serial_ok =
            bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
        BN_free(bn);
        X509_NAME* subject = X509_get_subject_name(cert.get());
        const auto* org = reinterpret_cast<const unsigned char*>("sekisho bench");
        const auto* cn = reinterpret_cast<const unsigned char*>(name.c_str());
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, ca.get(), cert.get(), nullptr, nullptr, 0);
        const bool built = serial_ok && X509_set_version(cert.get(), 2) == 1 &&
                           X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, org, -1, -1, 0) == 1 &&
                           X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, cn, -1, -1, 0) == 1 &&
                           X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) == 1 &&
                           X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
                           X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2L * 86400) != nullptr &&
                           X509_set_pubkey(cert.get(), key.get()) == 1 &&
                           add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
                           add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature") &&
                           add_extension(cert.get(), &ctx, NID_ext_key_usage, "clientAuth") &&
                           add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash") &&
                           add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always") &&
                           X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0;
        if (!built)
        {
            return fail("cannot build the certificate of " + name);
        }
        const std::string base = dir + "/device-" + name;
        const bool written =
            write_pem(base + ".key",
                      0600,
                      [&](BIO* b) {
                          return PEM_write_bio_PrivateKey(
                              b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
                      }) &&
            write_pem(base + ".pem", 0644, [&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
        if (!written)
        {
            return fail("cannot write " + base + ".pem/.key");
        }
        std::printf("%s %s\n", name.c_str(), fingerprint(cert.get()).c_str());
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty())
    {
        return usage();
    }
    if (args[0] == "hash")
    {
        int rounds = 0;
        if (args.size() == 3 && args[1] == "--time")
        {
            rounds = std::atoi(argv[3]);
            if (rounds < 1 || rounds > 100)
            {
                return usage();
            }
        }
        else if (args.size() != 1)
        {
            return usage();
        }
        return run_hash(rounds);
    }
    if (args[0] != "devices" || args.size() != 11)
    {
        return usage();
    }
    std::string ca;
    std::string ca_key;
    std::string prefix;
    std::string dir;
    int count = 0;
    for (std::size_t i = 1; i + 1 < args.size(); i += 2)
    {
        const std::string value(args[i + 1]);
        if (args[i] == "--ca")
        {
            ca = value;
        }
        else if (args[i] == "--ca-key")
        {
            ca_key = value;
        }
        else if (args[i] == "--prefix")
        {
            prefix = value;
        }
        else if (args[i] == "--out")
        {
            dir = value;
        }
        else if (args[i] == "--count")
        {
            count = std::atoi(value.c_str());
        }
        else
        {
            return usage();
        }
    }
    const bool prefix_ok =
        !prefix.empty() && prefix.size() <= 32 && std::all_of(prefix.begin(), prefix.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        });
    if (ca.empty() || ca_key.empty() || dir.empty() || !prefix_ok || count < 1 || count > 10000)
    {
        return usage();
    }
    return run_devices(ca, ca_key, prefix, count, dir);
}
