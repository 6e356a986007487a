#include "daemon/proto/connect_request.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

namespace sekisho::proto {

namespace http = boost::beast::http;

connect_parser::state connect_parser::fail(unsigned status, std::string reason, std::string text)
{
    error_ = {status, std::move(reason), std::move(text)};
    return state::failed;
}

connect_parser::state connect_parser::parse(std::string_view buffered)
{
    // A fresh Beast parser per call: it is cheap, and the head is re-scanned
    // from the start, so no state can leak between partial reads.
    http::request_parser<http::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(head_limit_));
    parser.body_limit(0);
    parser.eager(false);
    boost::beast::error_code ec;
    const auto used = parser.put(boost::asio::buffer(buffered.data(), buffered.size()), ec);
    if (ec == http::error::need_more)
    {
        if (buffered.size() >= head_limit_)
        {
            return fail(431, "request_head_too_large", "the request head is larger than the gateway accepts");
        }
        return state::need_more;
    }
    if (ec == http::error::header_limit)
    {
        return fail(431, "request_head_too_large", "the request head is larger than the gateway accepts");
    }
    if (ec)
    {
        return fail(400, "malformed_request", "the request is not a valid HTTP/1.1 request");
    }
    if (!parser.is_header_done())
    {
        return state::need_more;
    }
    // Beast's header_limit does not count the request line; the limit is
    // for the whole head.
    if (used > head_limit_)
    {
        return fail(431, "request_head_too_large", "the request head is larger than the gateway accepts");
    }
    const auto& req = parser.get();
    if (req.method() != http::verb::connect)
    {
        return fail(405, "method_not_allowed", "this gateway only relays CONNECT tunnels");
    }
    if (req.version() != 11 && req.version() != 10)
    {
        return fail(400, "malformed_request", "unsupported HTTP version");
    }
    if (!parser.is_done() || parser.chunked() || (parser.content_length() && *parser.content_length() != 0))
    {
        return fail(400, "malformed_request", "a CONNECT request carries no body");
    }
    const auto target = req.target();
    std::string why;
    auto dest = policy::parse_authority(std::string_view(target.data(), target.size()), &why);
    if (!dest)
    {
        return fail(400, "invalid_target", "the CONNECT target must be host:port (" + why + ")");
    }
    request_.dest = std::move(*dest);
    request_.authority = std::string(target);
    if (auto it = req.find(http::field::proxy_authorization); it != req.end())
    {
        request_.proxy_authorization = std::string(it->value());
    }
    head_size_ = used;
    return state::done;
}

} // namespace sekisho::proto
