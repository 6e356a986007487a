#include "daemon/audit/reader.hpp"

#include "daemon/audit/line.hpp"
#include "policy/yaml_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace sekisho::audit {

namespace {

bool is_audit_file_name(const std::string& name)
{
    return name == "audit.log" || (name.starts_with("audit-") && name.ends_with(".log"));
}

std::uint64_t first_seq_of(std::string_view text)
{
    const auto end = text.find('\n');
    const auto e = read_envelope(text.substr(0, end));
    return e ? e->seq : 0;
}

} // namespace

bool read_log_files(const std::vector<std::string>& paths, std::vector<log_file>& out, std::string& error)
{
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const auto& p : paths)
    {
        std::error_code ec;
        if (fs::is_directory(p, ec))
        {
            std::vector<std::string> found;
            for (const auto& entry : fs::directory_iterator(p, ec))
            {
                if (entry.is_regular_file() && is_audit_file_name(entry.path().filename().string()))
                {
                    found.push_back(entry.path().string());
                }
            }
            if (ec)
            {
                error = "cannot list " + p + ": " + ec.message();
                return false;
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        }
        else
        {
            files.push_back(p);
        }
    }
    for (const auto& f : files)
    {
        log_file lf;
        lf.path = f;
        auto text = policy::read_text_file(f, &error);
        if (!text)
        {
            error = "cannot read " + f + ": " + error;
            return false;
        }
        lf.text = std::move(*text);
        lf.first_seq = first_seq_of(lf.text);
        out.push_back(std::move(lf));
    }
    std::stable_sort(out.begin(), out.end(), [](const log_file& a, const log_file& b) {
        return a.first_seq < b.first_seq;
    });
    return true;
}

void for_each_line(std::string_view text,
                   const std::function<bool(std::size_t number, std::string_view line, bool terminated)>& fn)
{
    std::size_t number = 0;
    while (!text.empty())
    {
        ++number;
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos)
        {
            fn(number, text, false);
            return;
        }
        if (!fn(number, text.substr(0, nl), true))
        {
            return;
        }
        text.remove_prefix(nl + 1);
    }
}

} // namespace sekisho::audit
