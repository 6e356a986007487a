#include "daemon/proto/reply.hpp"

namespace sekisho::proto {

namespace {

std::string_view status_text(unsigned status)
{
    switch (status)
    {
        case 200:
            return "Connection Established";
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 405:
            return "Method Not Allowed";
        case 407:
            return "Proxy Authentication Required";
        case 408:
            return "Request Timeout";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "Error";
    }
}

std::string with_body(unsigned status, const std::string& headers, const std::string& body)
{
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(status_text(status)) + "\r\n";
    out += headers;
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += body;
    return out;
}

} // namespace

std::string reply_established()
{
    return "HTTP/1.1 200 Connection Established\r\n\r\n";
}

std::string reply_denied(std::string_view reason, std::string_view rule)
{
    const std::string r(reason);
    const std::string id(rule);
    return with_body(403,
                     "Sekisho-Deny: reason=" + r + "; rule=" + id + "\r\n",
                     "sekisho: denied by policy (reason " + r + ", rule " + id + ")\n");
}

std::string reply_error(unsigned status, std::string_view reason, std::string_view text)
{
    std::string headers = "Sekisho-Error: " + std::string(reason) + "\r\n";
    if (status == 405)
    {
        headers += "Allow: CONNECT\r\n";
    }
    return with_body(status, headers, "sekisho: " + std::string(text) + " (" + std::string(reason) + ")\n");
}

std::string reply_auth_required()
{
    return with_body(
        407,
        "Proxy-Authenticate: Basic realm=\"sekisho\"\r\n",
        "sekisho: sign in with your user name, and your password followed by the 6-digit code\n");
}

std::string reply_plaintext_on_tls_port()
{
    return with_body(
        400,
        "Sekisho-Error: tls_required\r\n",
        "sekisho: this port speaks TLS 1.3 with a device certificate; use https:// as the proxy\n");
}

} // namespace sekisho::proto
