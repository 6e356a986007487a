#include "daemon/redis/resp.hpp"

#include <charconv>

namespace sekisho::redis {

namespace {

// One reply's parse over the whole buffer; `at` moves past what was read.
class reader
{
public:
    reader(std::span<const char> bytes, const parse_limits& limits) : bytes_(bytes), limits_(limits) {}

    // false: need more (error_ empty) or invalid (error_ set).
    bool read(value& out, unsigned depth)
    {
        if (depth > limits_.max_depth)
        {
            return fail("replies nested deeper than " + std::to_string(limits_.max_depth));
        }
        if (at_ >= bytes_.size())
        {
            return false;
        }
        const char type = bytes_[at_];
        std::string_view line;
        if (!read_line(line))
        {
            return false;
        }
        line.remove_prefix(1);
        switch (type)
        {
            case '+':
                out.kind = kind::simple_string;
                out.text = line;
                return true;
            case '-':
                out.kind = kind::error;
                out.text = line;
                return true;
            case ':':
                out.kind = kind::integer;
                return number(line, out.integer);
            case '_':
                out.kind = kind::null;
                return line.empty() || fail("RESP3 null with a payload");
            case '#':
                out.kind = kind::boolean;
                out.integer = line == "t" ? 1 : 0;
                return line == "t" || line == "f" || fail("RESP3 boolean is neither t nor f");
            case ',':
                out.kind = kind::real;
                out.text = line;
                return !line.empty() || fail("empty RESP3 double");
            case '(':
                out.kind = kind::big_number;
                out.text = line;
                return !line.empty() || fail("empty RESP3 big number");
            case '$':
            case '!':
            case '=':
                return blob(type, line, out);
            case '*':
            case '~':
            case '%':
            case '>':
                return aggregate(type, line, out, depth);
            default:
                return fail("not a RESP type byte: 0x" + hex(static_cast<unsigned char>(type)));
        }
    }

    std::size_t at() const { return at_; }
    const std::string& error() const { return error_; }

private:
    static std::string hex(unsigned char c)
    {
        static constexpr char digits[] = "0123456789abcdef";
        return {digits[c >> 4], digits[c & 15]};
    }

    bool fail(std::string why)
    {
        error_ = std::move(why);
        return false;
    }

    // Up to CRLF; false when it has not arrived (or a bare CR/LF is invalid).
    bool read_line(std::string_view& line)
    {
        const std::string_view rest(bytes_.data() + at_, bytes_.size() - at_);
        const auto lf = rest.find('\n');
        // A line longer than any valid header or simple string is garbage,
        // whether or not its end has arrived yet (found by fuzz-resp: a long
        // line was accepted when it came in one read, refused when split).
        const auto bound = limits_.max_bulk_bytes + 64;
        if (lf == std::string_view::npos)
        {
            return rest.size() > bound ? fail("a RESP line without an end") : false;
        }
        if (lf > bound)
        {
            return fail("a RESP line without an end");
        }
        if (lf == 0 || rest[lf - 1] != '\r')
        {
            return fail("a RESP line that does not end with CRLF");
        }
        line = rest.substr(0, lf - 1);
        at_ += lf + 1;
        return true;
    }

    bool number(std::string_view text, std::int64_t& out)
    {
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        return (ec == std::errc() && p == text.data() + text.size() && !text.empty()) ||
               fail("not a RESP integer: " + std::string(text.substr(0, 32)));
    }

    bool blob(char type, std::string_view header, value& out)
    {
        std::int64_t n = 0;
        if (!number(header, n))
        {
            return false;
        }
        if (n == -1 && type == '$')
        {
            out.kind = kind::null;
            return true;
        }
        if (n < 0 || static_cast<std::uint64_t>(n) > limits_.max_bulk_bytes)
        {
            return fail("a RESP string of " + std::to_string(n) + " bytes");
        }
        const auto size = static_cast<std::size_t>(n);
        if (bytes_.size() - at_ < size + 2)
        {
            return false;
        }
        if (bytes_[at_ + size] != '\r' || bytes_[at_ + size + 1] != '\n')
        {
            return fail("a RESP string longer than its length");
        }
        std::string_view body(bytes_.data() + at_, size);
        at_ += size + 2;
        if (type == '=')
        {
            // "txt:..." or "mkd:...": the three-letter format and a colon first.
            if (body.size() < 4 || body[3] != ':')
            {
                return fail("a RESP3 verbatim string without its format");
            }
            body.remove_prefix(4);
        }
        out.kind = type == '!' ? kind::error : kind::bulk_string;
        out.text = body;
        return true;
    }

    bool aggregate(char type, std::string_view header, value& out, unsigned depth)
    {
        std::int64_t n = 0;
        if (!number(header, n))
        {
            return false;
        }
        if (n == -1 && type == '*')
        {
            out.kind = kind::null;
            return true;
        }
        const std::uint64_t per_entry = type == '%' ? 2 : 1;
        if (n < 0 || static_cast<std::uint64_t>(n) * per_entry > limits_.max_elements - elements_)
        {
            return fail("a RESP aggregate of " + std::to_string(n) + " entries");
        }
        const auto count = static_cast<std::size_t>(static_cast<std::uint64_t>(n) * per_entry);
        elements_ += count;
        out.kind = type == '%' ? kind::map : type == '>' ? kind::push : kind::array;
        // Grown as entries arrive: a header alone must not allocate its count.
        out.items.clear();
        for (std::size_t i = 0; i < count; ++i)
        {
            out.items.emplace_back();
            if (!read(out.items.back(), depth + 1))
            {
                return false;
            }
        }
        return true;
    }

    std::span<const char> bytes_;
    const parse_limits& limits_;
    std::size_t at_ = 0;
    std::size_t elements_ = 0;
    std::string error_;
};

} // namespace

parse_result parse_reply(std::span<const char> bytes, const parse_limits& limits)
{
    parse_result r;
    reader in(bytes, limits);
    if (in.read(r.reply, 0))
    {
        r.state = parse_state::done;
        r.length = in.at();
        return r;
    }
    if (!in.error().empty())
    {
        r.state = parse_state::invalid;
        r.error = in.error();
        r.reply = {};
        return r;
    }
    r.reply = {};
    return r;
}

std::string encode_command(std::span<const std::string_view> args)
{
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto a : args)
    {
        out += '$';
        out += std::to_string(a.size());
        out += "\r\n";
        out += a;
        out += "\r\n";
    }
    return out;
}

} // namespace sekisho::redis
