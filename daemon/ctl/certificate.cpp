#include "daemon/ctl/certificate.hpp"

#include "daemon/tls/peer_identity.hpp"
#include "policy/identity.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace sekisho::ctl {

namespace {

struct bio_free
{
    void operator()(BIO* b) const { BIO_free(b); }
};
struct x509_free
{
    void operator()(X509* x) const { X509_free(x); }
};

// The oldest error of OpenSSL's queue as text (the queue is emptied).
std::string openssl_error()
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0)
    {
        return "unknown OpenSSL error";
    }
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return text;
}

std::string common_name(X509* cert)
{
    X509_NAME* name = X509_get_subject_name(cert);
    const int pos = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (pos < 0)
    {
        return {};
    }
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos)));
    std::string out;
    if (len > 0)
    {
        out.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    }
    OPENSSL_free(utf8);
    // The name goes into a comment line of the inventory: no line breaks.
    for (auto& c : out)
    {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f)
        {
            c = '?';
        }
    }
    return out;
}

std::string date_of(const ASN1_TIME* t)
{
    struct tm parts
    {};
    if (t == nullptr || ASN1_TIME_to_tm(t, &parts) != 1)
    {
        return "?";
    }
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday);
    return text;
}

} // namespace

std::optional<certificate_info> read_certificate(const std::string& pem_path, std::string* why)
{
    ERR_clear_error();
    std::unique_ptr<BIO, bio_free> bio(BIO_new_file(pem_path.c_str(), "r"));
    if (!bio)
    {
        *why = "cannot open " + pem_path + ": " + openssl_error();
        return std::nullopt;
    }
    std::unique_ptr<X509, x509_free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
    {
        ERR_clear_error();
        *why = "no certificate in " + pem_path + " (expected a PEM file with -----BEGIN CERTIFICATE-----)";
        return std::nullopt;
    }
    certificate_info out;
    out.fingerprint = tls::certificate_fingerprint(cert.get());
    if (out.fingerprint.empty())
    {
        *why = "cannot compute the fingerprint of " + pem_path + ": " + openssl_error();
        return std::nullopt;
    }
    const auto serial = policy::normalise_serial(tls::certificate_serial_hex(cert.get()));
    if (!serial)
    {
        *why = "the certificate in " + pem_path + " has no usable serial number";
        return std::nullopt;
    }
    out.serial = *serial;
    out.subject_cn = common_name(cert.get());
    const ASN1_TIME* not_after = X509_get0_notAfter(cert.get());
    out.not_after = date_of(not_after);
    out.expired = X509_cmp_current_time(not_after) < 0;
    out.is_ca = X509_check_ca(cert.get()) == 1;
    ERR_clear_error();
    return out;
}

} // namespace sekisho::ctl
