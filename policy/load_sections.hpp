#pragma once
// Readers for the sections of a policy file, shared by load.cpp (the main
// file and its includes) and load_identity.cpp. Internal to policy/.

#include "model.hpp"
#include "yaml_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy::detail {

// "services[3]"
std::string indexed(std::string_view what, std::size_t i);
// An id: 1-64 of [a-z0-9._-]; reports and returns nullopt otherwise.
std::optional<std::string> read_id(yaml_reader& r, const yaml_node& node, std::string_view what);
// A list of ids; with allow_tags also "tag:<tag>" entries.
std::vector<std::string>
read_references(yaml_reader& r, const yaml_node& node, std::string_view what, bool allow_tags);
// An RFC 3339 time with an offset ("2027-04-01T09:00+09:00") or a date
// ("2027-03-31"): by default the end of that day in Asia/Tokyo (the next
// day's 00:00 JST, for "valid through"), with day_edge::start its 00:00 JST
// (for "valid from").
enum class day_edge
{
    start,
    end
};
std::optional<clock::time_point>
read_time(yaml_reader& r, const yaml_node& node, std::string_view what, day_edge edge = day_edge::end);

// The catalog keys of one `services:` entry (certification, provider,
// subprocessors, residency, approval, sbom) into svc.catalog.
void read_service_catalog(yaml_reader& r, const yaml_node& item, const std::string& what, cloud_service& svc);
// The `supply_chain:` and `exceptions:` sections (load_catalog.cpp).
void read_supply_chain(yaml_reader& r, const yaml_node& node, policy_document& doc);
void read_exceptions(yaml_reader& r, const yaml_node& node, policy_document& doc);
void read_registrations(yaml_reader& r, const yaml_node& node, policy_document& doc);
std::optional<data_class> read_data_class(yaml_reader& r, const yaml_node& node, std::string_view what);

void read_roles(yaml_reader& r, const yaml_node& node, policy_document& doc);
void read_users(yaml_reader& r, const yaml_node& node, policy_document& doc);
void read_devices(yaml_reader& r, const yaml_node& node, policy_document& doc);

} // namespace sekisho::policy::detail
