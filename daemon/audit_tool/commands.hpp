#pragma once
// The subcommands of sekisho-audit (docs/sekisho-audit.md). Each takes the
// arguments after its name and returns the process exit code.

namespace sekisho::audit_tool {

int keygen_command(int argc, char** argv, int from);
int verify_command(int argc, char** argv, int from);
int query_command(int argc, char** argv, int from);
int export_command(int argc, char** argv, int from);
int report_command(int argc, char** argv, int from);

} // namespace sekisho::audit_tool
