#pragma once
// The gateway's own HTTP answers on the client connection. Bodies are one
// fixed line; nothing from the request is ever echoed back.

#include <string>
#include <string_view>

namespace sekisho::proto {

std::string reply_established();

// 403 with `Sekisho-Deny: reason=<code>; rule=<rule id>`.
std::string reply_denied(std::string_view reason, std::string_view rule);

// 400, 405 (with Allow: CONNECT), 408, 429, 431, 502, 504 with
// `Sekisho-Error: <code>`.
std::string reply_error(unsigned status, std::string_view reason, std::string_view text);

// 407 with `Proxy-Authenticate: Basic realm="sekisho"`. The same answer for
// missing, wrong, locked-out and replayed credentials: it never says which
// factor failed.
std::string reply_auth_required();

// The answer on a TLS port to a client that speaks plain HTTP.
std::string reply_plaintext_on_tls_port();

} // namespace sekisho::proto
