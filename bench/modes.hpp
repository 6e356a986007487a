#pragma once
// The load patterns. Each starts its own upstream, runs bounded by the options' counts
// and deadlines, prints its report on stdout and returns the process exit code (0: every
// tunnel did what it should; 1: some failed, details in the report and on stderr).

#include "options.hpp"
#include "tunnel.hpp"

namespace gw::bench {

int run_bulk(const options& o, const client_context& ctx);
int run_rate(const options& o, const client_context& ctx);
int run_idle(const options& o, const client_context& ctx);
// signin makes a TLS context per device, from options::logins_file.
int run_signin(const options& o);

} // namespace gw::bench
