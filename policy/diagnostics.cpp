#include "diagnostics.hpp"

#include <algorithm>

namespace sekisho::policy {

std::string format(const diagnostic& d)
{
    std::string out = d.where.file.empty() ? std::string("<input>") : d.where.file;
    if (d.where.line > 0)
    {
        out += ':' + std::to_string(d.where.line);
        if (d.where.column > 0)
        {
            out += ':' + std::to_string(d.where.column);
        }
    }
    out += d.level == severity::error ? ": error: " : ": warning: ";
    out += d.message;
    if (!d.hint.empty())
    {
        out += " (hint: " + d.hint + ")";
    }
    return out;
}

void diagnostics::error(source_location where, std::string message, std::string hint)
{
    items_.push_back({severity::error, std::move(where), std::move(message), std::move(hint)});
}

void diagnostics::warning(source_location where, std::string message, std::string hint)
{
    items_.push_back({severity::warning, std::move(where), std::move(message), std::move(hint)});
}

bool diagnostics::has_errors() const
{
    return error_count() > 0;
}

std::size_t diagnostics::error_count() const
{
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](const diagnostic& d) { return d.level == severity::error; }));
}

void diagnostics::append(const diagnostics& other)
{
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string diagnostics::to_string() const
{
    std::string out;
    for (const auto& d : items_)
    {
        out += format(d);
        out += '\n';
    }
    return out;
}

} // namespace sekisho::policy
