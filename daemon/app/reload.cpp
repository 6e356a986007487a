#include "daemon/app/reload.hpp"

#include "policy/load.hpp"

namespace sekisho::app {

namespace {

reload_result load_and_compile(const std::string& policy_file, const policy::compile_inputs& inputs)
{
    reload_result out;
    auto loaded = policy::load_policy_file(policy_file);
    out.diags.append(loaded.diags);
    if (!loaded.document)
    {
        return out;
    }
    // Compiled even after load errors, so that one reload reports everything.
    auto snap = policy::compile(std::move(*loaded.document), inputs, out.diags);
    if (!out.diags.has_errors())
    {
        out.snapshot = std::move(snap);
    }
    return out;
}

} // namespace

reload_result load_policy_snapshot(const std::string& policy_file, const policy::compile_inputs& inputs)
{
    // Runs on the reload thread: nothing may escape it (it would end the
    // daemon); a failure is a rejected reload like any other.
    try
    {
        return load_and_compile(policy_file, inputs);
    }
    catch (const std::exception& e)
    {
        reload_result out;
        out.diags.error({policy_file, 0, 0}, std::string("cannot reload the policy: ") + e.what());
        return out;
    }
}

} // namespace sekisho::app
