#pragma once
// The `sekishoctl policy ...` subcommands. main.cpp parses argv into
// `options` and calls one of these; each returns the process exit code
// (common.hpp: 0 ok, 1 failed, 2 usage).

#include "policy/decide.hpp"

#include <map>
#include <optional>
#include <string>

namespace sekisho::ctl {

struct options
{
    bool json = false;
    bool html = false;
    bool mfa = false;
    std::map<std::string, std::string> values; // "--layer" → "internet", ...

    const std::string* get(const std::string& name) const
    {
        auto it = values.find(name);
        return it == values.end() ? nullptr : &it->second;
    }
};

// --at, or now when it is not given; nullopt when it is not a time.
std::optional<policy::clock::time_point> at_option(const options& o);

int check_cmd(const std::string& file, bool per_test, const options& o);
int explain_cmd(const std::string& file, const options& o);
int diff_cmd(const std::string& old_file, const std::string& new_file, const options& o);
int matrix_cmd(const std::string& file, const options& o);

} // namespace sekisho::ctl
