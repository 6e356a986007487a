#include "daemon/ctl/inventory.hpp"

// The policy loader's reader for devices: entries, so that what sekishoctl
// accepts and writes is checked exactly as sekishod will read it (an
// inventory is a fragment, not a policy, so load_policy_text() cannot take it).
#include "policy/load_sections.hpp"
#include "policy/yaml_reader.hpp"

#include <exception>
#include <set>

namespace sekisho::ctl {

namespace {

using policy::yaml_node;

// Offsets of the first character of each line (0-based lines).
std::vector<std::size_t> line_starts(std::string_view text)
{
    std::vector<std::size_t> starts{0};
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        if (text[i] == '\n')
        {
            starts.push_back(i + 1);
        }
    }
    return starts;
}

std::string_view line_text(std::string_view text, const std::vector<std::size_t>& starts, int line)
{
    if (line < 0 || static_cast<std::size_t>(line) >= starts.size())
    {
        return {};
    }
    const auto begin = starts[static_cast<std::size_t>(line)];
    const auto end = text.find('\n', begin);
    return text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
}

bool blank(std::string_view line)
{
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool comment_only(std::string_view line)
{
    const auto first = line.find_first_not_of(" \t");
    return first != std::string_view::npos && line[first] == '#';
}

// The character at a node's mark.
char char_at(std::string_view text, const std::vector<std::size_t>& starts, const yaml_node& node)
{
    const auto m = node.Mark();
    const auto line = line_text(text, starts, m.line);
    return m.column >= 0 && static_cast<std::size_t>(m.column) < line.size()
               ? line[static_cast<std::size_t>(m.column)]
               : '\0';
}

// A value the YAML tree would not read back as the same string is quoted.
std::string scalar_text(const std::string& value)
{
    if (value == "null" || value == "Null" || value == "NULL" || value == "~")
    {
        return "\"" + value + "\"";
    }
    return value;
}

yaml_node item_with_id(const yaml_node& list, std::string_view id)
{
    for (std::size_t i = 0; i < list.size(); ++i)
    {
        const auto item = list[i];
        if (item.IsMap() && item["id"].IsScalar() && item["id"].Scalar() == id)
        {
            return item;
        }
    }
    return {};
}

// No two entries may share an id, a fingerprint or a serial (compile() refuses
// such a policy; the check is repeated here because an inventory is edited on
// its own).
void check_unique(inventory& inv)
{
    std::set<std::string> ids;
    std::set<std::string> fingerprints;
    std::set<std::string> serials;
    for (const auto& d : inv.devices)
    {
        if (!ids.insert(d.id).second)
        {
            inv.diags.error(d.where, "duplicate id `" + d.id + "` in devices", "ids must be unique");
        }
        if (!d.fingerprint.empty() && !fingerprints.insert(d.fingerprint).second)
        {
            inv.diags.error(d.where,
                            "device `" + d.id + "`: its fingerprint is already listed for another device",
                            "a certificate identifies one device");
        }
        if (!d.serial.empty() && !serials.insert(d.serial).second)
        {
            inv.diags.error(d.where,
                            "device `" + d.id + "`: serial " + d.serial +
                                " is already listed for another device",
                            "a certificate identifies one device");
        }
    }
}

void parse_into(inventory& inv)
{
    policy::yaml_reader r(inv.name, inv.diags);
    auto parsed = r.parse(inv.text);
    if (!parsed)
    {
        return;
    }
    const yaml_node root = parsed->root;
    if (!root.IsMap())
    {
        inv.diags.error({inv.name, 1, 1},
                        "the inventory must be a YAML mapping with a `devices:` list",
                        "start it with `devices:` and one `  - id: ...` entry per device");
        return;
    }
    const auto list = root["devices"];
    if (!list)
    {
        inv.diags.error({inv.name, 1, 1},
                        "the inventory has no `devices:` key",
                        "add `devices:` as the last key of the file (at the start of a line)");
        return;
    }
    // An empty `devices:` is an inventory with no device yet (the policy
    // loader wants a list, but `add` turns it into one).
    if (!list.IsNull())
    {
        policy::policy_document doc;
        policy::detail::read_devices(r, list, doc);
        inv.devices = std::move(doc.devices);
        check_unique(inv);
    }
    inv.doc = std::move(*parsed);
}

} // namespace

inventory parse_inventory(std::string text, const std::string& name)
{
    inventory inv;
    inv.name = name;
    inv.text = std::move(text);
    try
    {
        parse_into(inv);
    }
    catch (const std::exception& e)
    {
        inv.diags.error({name, 0, 0}, std::string("cannot read the inventory: ") + e.what());
    }
    return inv;
}

const policy::device* find_device(const inventory& inv, std::string_view id)
{
    for (const auto& d : inv.devices)
    {
        if (d.id == id)
        {
            return &d;
        }
    }
    return nullptr;
}

std::optional<std::string>
add_device_text(const inventory& inv, const new_device& d, int* line, std::string* why)
{
    const std::string_view text = inv.text;
    const auto starts = line_starts(text);
    const yaml_node root = inv.doc->root;
    if (char_at(text, starts, root) == '{')
    {
        *why =
            inv.name + " is written as one flow mapping ({...}); write it in block style, one key per line";
        return std::nullopt;
    }
    yaml_node last_key;
    yaml_node list;
    for (const auto& kv : root)
    {
        last_key = kv.first;
        if (kv.first.Scalar() == "devices")
        {
            list = kv.second;
        }
    }
    if (last_key.Scalar() != "devices")
    {
        *why = "in " + inv.name + ", `devices:` is not the last top-level key (`" + last_key.Scalar() +
               ":` comes after it, at line " + std::to_string(last_key.Mark().line + 1) +
               "); new devices are appended at the end of the file, so move the devices: section to the "
               "end (or keep the devices in a file of their own, included by the policy)";
        return std::nullopt;
    }
    // Where the `-` of an entry goes, and where its keys go.
    int dash_column = root.Mark().column + 2;
    int key_column = dash_column + 2;
    bool separate = false; // a blank line between entries
    // An empty flow list (`devices: []`, as a new inventory is shipped) is
    // taken out, and the first entry starts a block list.
    std::string_view kept = text;
    std::string_view after_empty_list;
    if (list.IsSequence() && list.size() == 0 && char_at(text, starts, list) == '[')
    {
        const auto open =
            starts[static_cast<std::size_t>(list.Mark().line)] + static_cast<std::size_t>(list.Mark().column);
        const auto close = text.find(']', open);
        if (close == std::string_view::npos ||
            text.substr(open + 1, close - open - 1).find_first_not_of(" \t") != std::string_view::npos)
        {
            *why = "in " + inv.name + ", devices: is a flow list ([...]) that cannot be read";
            return std::nullopt;
        }
        kept = text.substr(0, open);
        while (!kept.empty() && kept.back() == ' ')
        {
            kept.remove_suffix(1);
        }
        after_empty_list = text.substr(close + 1);
    }
    else if (list.IsSequence())
    {
        if (char_at(text, starts, list) == '[')
        {
            *why = "in " + inv.name + ", devices: is a flow list ([...]) at line " +
                   std::to_string(list.Mark().line + 1) +
                   "; write it as a block list (one `- id: ...` entry per line) so that entries can be "
                   "appended";
            return std::nullopt;
        }
        if (list.size() > 0)
        {
            // The same layout as the last entry.
            const auto item = list[list.size() - 1];
            const auto m = item.Mark();
            const auto item_line = line_text(text, starts, m.line);
            const bool block_map = char_at(text, starts, item) != '{';
            auto dash = static_cast<std::size_t>(m.column);
            while (dash > 0 && item_line[dash - 1] == ' ')
            {
                --dash;
            }
            int dash_line = m.line;
            if (dash > 0 && item_line[dash - 1] == '-')
            {
                dash_column = static_cast<int>(dash) - 1;
                key_column = block_map ? m.column : dash_column + 2;
            }
            else if (const auto above_item = line_text(text, starts, m.line - 1);
                     block_map && above_item.find_first_not_of(' ') != std::string_view::npos &&
                     above_item[above_item.find_first_not_of(' ')] == '-' &&
                     static_cast<int>(above_item.find_first_not_of(' ')) < m.column)
            {
                // "-" alone on the line before the keys.
                dash_column = static_cast<int>(above_item.find_first_not_of(' '));
                key_column = m.column;
                dash_line = m.line - 1;
            }
            int above = dash_line - 1;
            while (above >= 0 && comment_only(line_text(text, starts, above)))
            {
                --above;
            }
            separate = list.size() > 1 && above >= 0 && blank(line_text(text, starts, above));
        }
    }
    else if (!list.IsNull())
    {
        *why = "in " + inv.name + ", devices: is not a list";
        return std::nullopt;
    }

    std::string out(kept);
    out += after_empty_list;
    if (!out.empty() && out.back() != '\n')
    {
        out += '\n';
    }
    if (separate && !out.ends_with("\n\n"))
    {
        out += '\n';
    }
    const std::string dash_indent(static_cast<std::size_t>(dash_column), ' ');
    const std::string key_indent(static_cast<std::size_t>(key_column), ' ');
    if (!d.comment.empty())
    {
        out += dash_indent + "# " + d.comment + "\n";
    }
    *line = static_cast<int>(line_starts(out).size());
    out += dash_indent + "-" + std::string(static_cast<std::size_t>(key_column - dash_column - 1), ' ') +
           "id: " + scalar_text(d.id) + "\n";
    out += key_indent + "owner: " + scalar_text(d.owner) + "\n";
    out += key_indent + "fingerprint: \"" + d.fingerprint + "\"\n";
    out += key_indent + "serial: \"" + d.serial + "\"\n";
    out += key_indent + "kind: " + std::string(policy::to_string(d.kind)) + "\n";
    out += key_indent + "status: active\n";
    return out;
}

std::optional<std::string> set_status_text(
    const inventory& inv, std::string_view id, policy::device_status s, int* line, std::string* why)
{
    const std::string_view text = inv.text;
    const auto starts = line_starts(text);
    const auto item = item_with_id(inv.doc->root["devices"], id);
    const auto status = item["status"];
    if (!status.IsScalar())
    {
        *why = "device `" + std::string(id) + "` has no status: value in " + inv.name;
        return std::nullopt;
    }
    const auto m = status.Mark();
    const auto where = line_text(text, starts, m.line);
    const auto column = static_cast<std::size_t>(m.column);
    std::string written = status.Scalar();
    if (column < where.size() && (where[column] == '"' || where[column] == '\''))
    {
        written = where[column] + written + where[column];
    }
    const auto after = column + written.size();
    const bool matches =
        where.substr(column, written.size()) == written &&
        (after == where.size() || std::string_view(" \t\r#,}").find(where[after]) != std::string_view::npos);
    *line = m.line + 1;
    if (!matches)
    {
        *why = inv.name + ":" + std::to_string(*line) + ": the status of device `" + std::string(id) +
               "` is not written as a simple value; change it by hand";
        return std::nullopt;
    }
    std::string out(text);
    out.replace(starts[static_cast<std::size_t>(m.line)] + column, written.size(), policy::to_string(s));
    return out;
}

std::vector<policy::device> expected_after_add(const inventory& before, const new_device& d)
{
    auto out = before.devices;
    policy::device dv;
    dv.id = d.id;
    dv.owner = d.owner;
    dv.fingerprint = d.fingerprint;
    dv.serial = d.serial;
    dv.kind = d.kind;
    dv.status = policy::device_status::active;
    out.push_back(std::move(dv));
    return out;
}

std::vector<policy::device>
expected_after_status(const inventory& before, std::string_view id, policy::device_status s)
{
    auto out = before.devices;
    for (auto& d : out)
    {
        if (d.id == id)
        {
            d.status = s;
        }
    }
    return out;
}

bool same_devices(const std::vector<policy::device>& a, const std::vector<policy::device>& b)
{
    if (a.size() != b.size())
    {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        const auto& x = a[i];
        const auto& y = b[i];
        if (x.id != y.id || x.fingerprint != y.fingerprint || x.serial != y.serial || x.owner != y.owner ||
            x.kind != y.kind || x.status != y.status || x.posture_verified != y.posture_verified ||
            x.expires != y.expires)
        {
            return false;
        }
    }
    return true;
}

} // namespace sekisho::ctl
