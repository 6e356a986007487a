#pragma once
// The device inventory for `sekishoctl device ...`: a YAML file with a
// top-level `devices:` list (the one scripts/mkpki writes, a file the
// policy includes such as config/policies/kakuu-devices.yaml, or the policy
// itself).
//
// Edits keep the operator's comments and layout: they change the text, not a
// re-serialisation of the tree. `add` appends an entry block at the end of
// the file (so `devices:` must be the last top-level key); `lost` / `retire`
// replace the one `status:` scalar of that device on its line, found through
// the marks yaml_tree keeps. The caller re-parses the result with
// parse_inventory() and compares with expected_*() before writing anything.

#include "policy/diagnostics.hpp"
#include "policy/identity.hpp"
#include "policy/yaml_tree.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::ctl {

struct inventory
{
    std::string name; // the path, for messages
    std::string text;
    // Entries read with the policy loader's own checks (policy/load_identity.cpp),
    // in file order; use only when diags.has_errors() is false.
    std::vector<policy::device> devices;
    policy::diagnostics diags;
    std::optional<policy::yaml_document> doc; // for the marks
};

// Never throws; every problem is in the result's diags.
inventory parse_inventory(std::string text, const std::string& name);

const policy::device* find_device(const inventory& inv, std::string_view id);

struct new_device
{
    std::string id;
    std::string owner;
    std::string fingerprint; // 64 lower-case hex
    std::string serial;      // lower-case hex
    policy::device_kind kind = policy::device_kind::lent;
    std::string comment; // one line, written above the entry
};

// The new text, and the 1-based line of the new entry's `- id:` in *line;
// nullopt with the reason in *why when the file's layout does not allow it.
std::optional<std::string>
add_device_text(const inventory& inv, const new_device& d, int* line, std::string* why);
std::optional<std::string> set_status_text(
    const inventory& inv, std::string_view id, policy::device_status s, int* line, std::string* why);

// What the devices must read as after the edit.
std::vector<policy::device> expected_after_add(const inventory& before, const new_device& d);
std::vector<policy::device>
expected_after_status(const inventory& before, std::string_view id, policy::device_status s);

// Every field but the source location.
bool same_devices(const std::vector<policy::device>& a, const std::vector<policy::device>& b);

} // namespace sekisho::ctl
