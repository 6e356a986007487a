// Argument parsing and output for `sekishoctl user ...` and `sekishoctl device ...`.

#include "daemon/ctl/admin.hpp"

#include "daemon/ctl/common.hpp"
#include "daemon/i18n/catalog.hpp"

#include <algorithm>
#include <cstdio>

namespace sekisho::ctl {

namespace {

std::optional<admin_args> fail(const std::string& problem)
{
    usage(problem.c_str());
    return std::nullopt;
}

} // namespace

std::optional<admin_args> parse_admin_args(const char* group,
                                           const std::vector<std::string>& args,
                                           const std::vector<admin_command>& commands)
{
    const std::string prefix = std::string(group) + " ";
    if (args.empty())
    {
        return fail(prefix + "needs a command");
    }
    const admin_command* spec = nullptr;
    for (const auto& c : commands)
    {
        if (args[0] == c.name)
        {
            spec = &c;
        }
    }
    if (spec == nullptr)
    {
        return fail("unknown command " + prefix + args[0]);
    }
    admin_args out;
    out.command = args[0];
    const std::string what = prefix + out.command;
    for (std::size_t i = 1; i < args.size(); ++i)
    {
        std::string a = args[i];
        if (!a.starts_with("--"))
        {
            out.positional.push_back(a);
            continue;
        }
        // --name=value is accepted as well as --name value.
        std::optional<std::string> inline_value;
        if (const auto eq = a.find('='); eq != std::string::npos)
        {
            inline_value = a.substr(eq + 1);
            a.resize(eq);
        }
        if (a == "--json" || spec->flags.count(a) != 0)
        {
            if (inline_value)
            {
                return fail(a + " takes no value");
            }
            out.flags.insert(a);
            continue;
        }
        if (spec->valued.count(a) == 0)
        {
            return fail(what + " does not take " + a);
        }
        if (out.values.count(a) != 0)
        {
            return fail(a + " is given twice");
        }
        if (!inline_value && i + 1 >= args.size())
        {
            return fail(a + " needs a value");
        }
        out.values[a] = inline_value ? *inline_value : args[++i];
        if (out.values[a].empty())
        {
            return fail(a + " needs a value");
        }
    }
    for (const auto& r : spec->required)
    {
        if (out.values.count(r) == 0)
        {
            return fail(what + " needs " + r);
        }
    }
    const std::size_t wanted = spec->positional == nullptr ? 0 : 1;
    const bool optional = spec->positional != nullptr && spec->positional[0] == '[';
    if (out.positional.size() != wanted && !(optional && out.positional.empty()))
    {
        if (wanted == 0)
        {
            return fail("unexpected argument `" + out.positional[0] + "` (" + what + " takes options only)");
        }
        return fail(
            what + " takes one " + spec->positional +
            (out.positional.empty() ? std::string() : ", not " + std::to_string(out.positional.size())));
    }
    return out;
}

void print_json(const boost::json::object& o)
{
    std::printf("%s\n", boost::json::serialize(o).c_str());
}

void print_diagnostics(const policy::diagnostics& d)
{
    for (const auto& item : d.items())
    {
        print_error("%s\n", i18n::format(item).c_str());
    }
}

void print_table(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> widths;
    for (const auto& r : rows)
    {
        widths.resize(std::max(widths.size(), r.size()));
        for (std::size_t i = 0; i + 1 < r.size(); ++i)
        {
            widths[i] = std::max(widths[i], r[i].size());
        }
    }
    for (const auto& r : rows)
    {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i)
        {
            line += r[i];
            if (i + 1 < r.size())
            {
                line += std::string(widths[i] - r[i].size() + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ')
        {
            line.pop_back();
        }
        std::printf("%s\n", line.c_str());
    }
}

} // namespace sekisho::ctl
