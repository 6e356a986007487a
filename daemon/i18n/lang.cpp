#include "daemon/i18n/lang.hpp"

#include <atomic>
#include <cstdlib>

namespace sekisho::i18n {

namespace {

std::atomic<lang> chosen{lang::en};

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
    {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i)
    {
        const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
        if (c != prefix[i])
        {
            return false;
        }
    }
    return true;
}

} // namespace

lang current()
{
    return chosen.load(std::memory_order_relaxed);
}

void set(lang l)
{
    chosen.store(l, std::memory_order_relaxed);
}

std::optional<lang> parse(std::string_view name)
{
    if (name == "ja" || starts_with_ignoring_case(name, "ja_") || starts_with_ignoring_case(name, "ja.") ||
        starts_with_ignoring_case(name, "japanese"))
    {
        return lang::ja;
    }
    if (name == "en" || name == "C" || name == "POSIX" || starts_with_ignoring_case(name, "en_") ||
        starts_with_ignoring_case(name, "en.") || starts_with_ignoring_case(name, "c.") ||
        starts_with_ignoring_case(name, "english"))
    {
        return lang::en;
    }
    return std::nullopt;
}

lang from_environment()
{
    for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"})
    {
        const char* v = std::getenv(var);
        if (v != nullptr && *v != '\0')
        {
            return parse(v).value_or(lang::en);
        }
    }
    return lang::en;
}

std::string choose(std::vector<std::string>& args)
{
    set(from_environment());
    for (std::size_t i = 0; i < args.size();)
    {
        std::string value;
        std::size_t taken = 1;
        if (args[i] == "--lang")
        {
            if (i + 1 >= args.size())
            {
                return "--lang needs a value: en or ja";
            }
            value = args[i + 1];
            taken = 2;
        }
        else if (args[i].rfind("--lang=", 0) == 0)
        {
            value = args[i].substr(7);
        }
        else
        {
            ++i;
            continue;
        }
        const auto l = value == "en" || value == "ja" ? parse(value) : std::nullopt;
        if (!l)
        {
            return "--lang takes en or ja, not " + value;
        }
        set(*l);
        // Taken out; the next argument is now at i.
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                   args.begin() + static_cast<std::ptrdiff_t>(i + taken));
    }
    return {};
}

} // namespace sekisho::i18n
