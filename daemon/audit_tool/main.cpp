// sekisho-audit: the auditors' tool. It reads audit files copied off the
// gateway (or the folder they live in) and never needs the daemon:
//
//   sekisho-audit keygen --out KEY [--public PUB]
//                        a new checkpoint signing key (mode 0600) and its public half
//   sekisho-audit verify --key PUB [--anchor COLLECTED] [--json] FILES|FOLDERS...
//                        chain, signatures, sequence, sealing; exit code per failure class
//   sekisho-audit query [FILTERS] [--format table|json|csv] [--count] FILES|FOLDERS...
//                        the records that pass the filters (time, user, layer, zone, reason…)
//   sekisho-audit export [FILTERS] [--format json|csv] FILES|FOLDERS...
//                        the same, JSON Lines by default (for a SIEM or a spreadsheet)
//   sekisho-audit report --html OUT [--from T] [--to T] [--key PUB] [--lang ja|en] FILES|FOLDERS...
//                        one self-contained HTML page in Japanese and English for the period
//
// See docs/sekisho-audit.md for every command, option and exit code.

#include "daemon/audit_tool/commands.hpp"

#include <cstdio>
#include <string>

namespace {

void usage()
{
    std::fputs("usage: sekisho-audit keygen --out KEY [--public PUB]\n"
               "       sekisho-audit verify --key PUB [--anchor COLLECTED] [--json] FILES|FOLDERS...\n"
               "       sekisho-audit query [FILTERS] [--format table|json|csv] [--count] FILES|FOLDERS...\n"
               "       sekisho-audit export [FILTERS] [--format json|csv] FILES|FOLDERS...\n"
               "       sekisho-audit report --html OUT [--from T] [--to T] [--key PUB] [--lang ja|en] "
               "FILES|FOLDERS...\n"
               "see docs/sekisho-audit.md\n",
               stderr);
}

} // namespace

int main(int argc, char** argv)
{
    using namespace sekisho::audit_tool;
    if (argc < 2)
    {
        usage();
        return 1;
    }
    const std::string command = argv[1];
    if (command == "keygen")
    {
        return keygen_command(argc, argv, 2);
    }
    if (command == "verify")
    {
        return verify_command(argc, argv, 2);
    }
    if (command == "query")
    {
        return query_command(argc, argv, 2);
    }
    if (command == "export")
    {
        return export_command(argc, argv, 2);
    }
    if (command == "report")
    {
        return report_command(argc, argv, 2);
    }
    if (command == "--help" || command == "-h" || command == "help")
    {
        usage();
        return 0;
    }
    std::fprintf(stderr, "sekisho-audit: unknown command %s\n", command.c_str());
    usage();
    return 1;
}
