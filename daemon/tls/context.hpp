#pragma once
// Builds the server TLS context of one listener from its files: TLS 1.3 only,
// client certificate required and verified against the device CA, the CRL
// checked when configured (a CRL past its nextUpdate fails every handshake:
// fail closed). A live context is never changed: a reloaded CRL reaches new
// sessions through the context's CRL source (daemon/tls/crl.hpp).

#include "daemon/config/settings.hpp"
#include "policy/diagnostics.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace sekisho::tls {

std::shared_ptr<boost::asio::ssl::context> make_server_context(const config::tls_files& files,
                                                               const policy::source_location& where,
                                                               policy::diagnostics& diags);

// Drains OpenSSL's per-thread error queue into one line of text.
std::string drain_openssl_errors();

} // namespace sekisho::tls
