// sekisho-audit keygen: a new Ed25519 key for the daemon's checkpoints. The
// secret file is created with mode 0600 and never overwritten; the public
// file (default: KEY.pub) is what auditors verify with.

#include "daemon/audit/keys.hpp"
#include "daemon/audit_tool/args.hpp"
#include "daemon/audit_tool/commands.hpp"
#include "daemon/util/fd.hpp"

#include <cerrno>
#include <cstdio>

#include <fcntl.h>

namespace sekisho::audit_tool {

namespace {

bool write_new_file(const std::string& path, const std::string& text, mode_t mode)
{
    util::fd_guard fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0)
    {
        std::fprintf(stderr,
                     "sekisho-audit keygen: cannot create %s: %s%s\n",
                     path.c_str(),
                     util::error_text(errno).c_str(),
                     errno == EEXIST ? " (an existing key is never overwritten)" : "");
        return false;
    }
    std::string why;
    if (!util::write_all(fd.get(), text, &why) || ::fsync(fd.get()) != 0)
    {
        std::fprintf(stderr,
                     "sekisho-audit keygen: cannot write %s: %s\n",
                     path.c_str(),
                     util::error_text(errno).c_str());
        return false;
    }
    return true;
}

} // namespace

int keygen_command(int argc, char** argv, int from)
{
    std::string error;
    const auto a = parse_args(argc, argv, from, {"--out", "--public"}, {}, error);
    if (!a || !a->get("--out") || !a->files.empty())
    {
        std::fprintf(stderr,
                     "sekisho-audit keygen: %s\nusage: sekisho-audit keygen --out KEY [--public PUB]\n",
                     error.empty() ? "--out is required" : error.c_str());
        return exit_cannot_run;
    }
    const auto secret_path = *a->get("--out");
    const auto public_path = a->get("--public").value_or(secret_path + ".pub");
    const auto key = audit::signing_key::generate();
    if (!write_new_file(secret_path, key.secret_text(), 0600) ||
        !write_new_file(public_path, key.public_text(), 0644))
    {
        return exit_cannot_run;
    }
    std::printf("signing key: %s (mode 0600; give it to sekishod as audit.signing_key)\n"
                "public key:  %s (key id %s; give it to auditors for sekisho-audit verify)\n",
                secret_path.c_str(),
                public_path.c_str(),
                key.public_half().id().c_str());
    return 0;
}

} // namespace sekisho::audit_tool
