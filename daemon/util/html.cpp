#include "daemon/util/html.hpp"

namespace sekisho::util {

std::string html_escape(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (const char c : s)
    {
        switch (c)
        {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                // Control characters have no place in the page: shown as U+FFFD.
                if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
                {
                    out += "\xEF\xBF\xBD";
                }
                else
                {
                    out += c;
                }
        }
    }
    return out;
}

} // namespace sekisho::util
