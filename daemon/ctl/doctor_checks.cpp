// `sekishoctl doctor`'s checks of the host: `key_permissions`, whether every
// key file sekisho.yaml names is readable by its owner only,
// `clock`, whether the kernel's clock is synchronised (NTP), and
// `audit_disk`, the free space where the audit log is written.

#include "daemon/ctl/common.hpp"
#include "daemon/ctl/doctor.hpp"
#include "daemon/util/fd.hpp"
#include "policy/yaml_reader.hpp"
#include "policy/yaml_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timex.h>

namespace sekisho::ctl::doctor {

namespace {

namespace key_text {
constexpr const char* ok = "{count} key file(s), readable by their owner only";
constexpr const char* none = "no key files configured";
constexpr const char* open = "{key} {path} has mode {mode}: group or others may use it";
constexpr const char* open_do = "chmod 600 {path}";
constexpr const char* missing = "{key} {path}: {why}";
constexpr const char* missing_do = "check {key} in {config}";
constexpr const char* denied_do = "run as root (sudo sekishoctl doctor); if sekishod cannot read it either, "
                                  "give it to the daemon's user: chown <user> {path} && chmod 600 {path}";
constexpr const char* not_file = "{key} {path} is not a regular file";
} // namespace key_text

namespace clock_text {
constexpr const char* synced = "the clock is synchronised (estimated error {error} µs)";
constexpr const char* unsynced =
    "the clock is not synchronised (NTP); TOTP codes and certificate checks depend on it";
constexpr const char* unsynced_do = "enable systemd-timesyncd or chrony (timedatectl set-ntp true)";
constexpr const char* unknown = "cannot read the kernel's clock state: {why}";
} // namespace clock_text

namespace audit_text {
constexpr const char* none = "no audit log configured (no audit: section)";
constexpr const char* none_do = "add audit: {directory: /var/log/sekisho, signing_key: ...} to {config} "
                                "(docs/configuration.md#audit)";
constexpr const char* missing = "the audit directory {dir}: {why}";
constexpr const char* missing_do = "create it (mkdir -p {dir}) or fix audit.directory in {config}";
constexpr const char* plenty = "{free} free ({percent}%) on the filesystem of {dir}";
constexpr const char* too_little =
    "only {free} free on the filesystem of {dir}; sekishod needs at least {need}";
constexpr const char* low = "{free} free ({percent}%) on the filesystem of {dir}: running low";
constexpr const char* space_do = "free space there (archive old audit-*.log files once sekisho-audit verify "
                                 "passes) or move audit.directory to a larger filesystem";
} // namespace audit_text

struct key_file
{
    std::string key; // "auth.secrets", ...
    std::string path;
};

// egress.<layer>.proxy.password_file is read into the settings but its path
// is not kept: read it from the file as the loader does.
void add_password_files(const std::string& config_path, std::vector<key_file>& out)
{
    std::string why;
    const auto text = policy::read_text_file(config_path, &why);
    policy::yaml_error error;
    const auto doc = text ? policy::parse_yaml(*text, &error) : std::nullopt;
    if (!doc)
    {
        return;
    }
    const auto base = std::filesystem::absolute(config_path).parent_path();
    for (const char* layer : {"lgwan", "internet"})
    {
        const auto node = doc->root["egress"][layer]["proxy"]["password_file"];
        const auto expanded = node.IsScalar() ? policy::expand_variables(node.Scalar(), &why) : std::nullopt;
        if (expanded && !expanded->empty())
        {
            out.push_back({"egress." + std::string(layer) + ".proxy.password_file",
                           (base / *expanded).lexically_normal().string()});
        }
    }
}

std::vector<key_file> key_files(const inputs& in)
{
    std::vector<key_file> out;
    const auto& s = *in.settings;
    for (const auto& l : s.listeners)
    {
        out.push_back({"listeners[" + l.id + "].tls.private_key", l.tls.private_key});
    }
    if (s.audit)
    {
        out.push_back({"audit.signing_key", s.audit->signing_key});
        if (s.audit->forward)
        {
            out.push_back({"audit.forward.private_key", s.audit->forward->private_key});
        }
    }
    if (s.auth)
    {
        out.push_back({"auth.secrets", s.auth->secrets_file});
    }
    add_password_files(in.config_path, out);
    std::vector<key_file> unique;
    for (auto& k : out)
    {
        const bool seen =
            std::any_of(unique.begin(), unique.end(), [&](const key_file& u) { return u.path == k.path; });
        if (!k.path.empty() && !seen)
        {
            unique.push_back(std::move(k));
        }
    }
    return unique;
}

} // namespace

finding check_key_permissions(const inputs& in)
{
    // Checked even when sekisho.yaml has errors: a key others may read is one.
    if (in.settings == nullptr)
    {
        return not_checked("key_permissions");
    }
    finding f{"key_permissions", status::ok, {}, {}, {}};
    const auto files = key_files(in);
    std::vector<std::string> problems;
    for (const auto& k : files)
    {
        struct stat st
        {};
        const bool found = ::stat(k.path.c_str(), &st) == 0;
        const int err = errno;
        const util::fd_guard fd(found ? ::open(k.path.c_str(), O_RDONLY | O_CLOEXEC) : -1);
        const int open_err = errno;
        std::string problem;
        if (!found || fd.get() < 0)
        {
            const int e = found ? open_err : err;
            problem =
                fill(key_text::missing, {{"key", k.key}, {"path", k.path}, {"why", util::error_text(e)}});
            f.actions.push_back(
                e == EACCES ? fill(key_text::denied_do, {{"path", k.path}})
                            : fill(key_text::missing_do, {{"key", k.key}, {"config", in.config_path}}));
        }
        else if (!S_ISREG(st.st_mode))
        {
            problem = fill(key_text::not_file, {{"key", k.key}, {"path", k.path}});
            f.actions.push_back(fill(key_text::missing_do, {{"key", k.key}, {"config", in.config_path}}));
        }
        else if ((st.st_mode & 077) != 0)
        {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
            problem = fill(key_text::open, {{"key", k.key}, {"path", k.path}, {"mode", mode}});
            f.actions.push_back(fill(key_text::open_do, {{"path", k.path}}));
        }
        if (!problem.empty())
        {
            problems.push_back(std::move(problem));
        }
    }
    if (!problems.empty())
    {
        f.level = status::fail;
        f.message = join(problems, "; ");
        return f;
    }
    f.message =
        files.empty() ? key_text::none : fill(key_text::ok, {{"count", std::to_string(files.size())}});
    return f;
}

finding check_clock()
{
    finding f{"clock", status::ok, {}, {}, {}};
    timex tx{}; // modes 0: only reads the state
    const int state = ::ntp_adjtime(&tx);
    if (state == -1)
    {
        f.level = status::warn;
        f.message = fill(clock_text::unknown, {{"why", util::error_text(errno)}});
        f.actions.push_back(clock_text::unsynced_do);
    }
    else if (state == TIME_ERROR || (tx.status & STA_UNSYNC) != 0)
    {
        f.level = status::warn;
        f.message = clock_text::unsynced;
        f.actions.push_back(clock_text::unsynced_do);
    }
    else
    {
        f.message = fill(clock_text::synced, {{"error", std::to_string(tx.esterror)}});
    }
    return f;
}

finding check_audit_disk(const inputs& in)
{
    if (!in.settings_valid)
    {
        return not_checked("audit_disk");
    }
    finding f{"audit_disk", status::ok, {}, {}, {}};
    const auto& audit = in.settings->audit;
    if (!audit)
    {
        f.level = status::warn;
        f.message = audit_text::none;
        f.actions.push_back(fill(audit_text::none_do, {{"config", in.config_path}}));
        return f;
    }
    const auto& dir = audit->directory;
    struct stat st
    {};
    struct statvfs vfs
    {};
    std::string why;
    if (::stat(dir.c_str(), &st) != 0 || ::statvfs(dir.c_str(), &vfs) != 0)
    {
        why = util::error_text(errno);
    }
    else if (!S_ISDIR(st.st_mode))
    {
        why = util::error_text(ENOTDIR);
    }
    if (!why.empty())
    {
        f.level = status::fail;
        f.message = fill(audit_text::missing, {{"dir", dir}, {"why", why}});
        f.actions.push_back(fill(audit_text::missing_do, {{"dir", dir}, {"config", in.config_path}}));
        return f;
    }
    const std::uint64_t available = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const std::uint64_t total = static_cast<std::uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    const std::uint64_t percent = total == 0 ? 0 : available * 100 / total;
    const std::uint64_t need = std::max(audit_min_free_bytes, audit_min_free_rotations * audit->rotate_bytes);
    const fields values = {{"free", bytes_text(available)},
                           {"percent", std::to_string(percent)},
                           {"dir", dir},
                           {"need", bytes_text(need)}};
    if (available < need)
    {
        f.level = status::fail;
        f.message = fill(audit_text::too_little, values);
    }
    else if (available < audit_low_free_bytes || percent < audit_low_free_percent)
    {
        f.level = status::warn;
        f.message = fill(audit_text::low, values);
    }
    else
    {
        f.message = fill(audit_text::plenty, values);
        return f;
    }
    f.actions.push_back(audit_text::space_do);
    return f;
}

} // namespace sekisho::ctl::doctor
