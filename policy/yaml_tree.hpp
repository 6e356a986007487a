#pragma once
// A read-only YAML document tree built from libyaml's event parser, for the
// loaders (policy and daemon settings). A node view has the small part of the
// yaml-cpp Node interface the loaders use (IsMap, operator[], Scalar, Mark,
// ...), so each loader reads naturally; underneath, every node, scalar and
// child list lives in a few arenas owned by the tree.
//
// Why not yaml-cpp: on a policy of 100,000 services (11 MiB) yaml-cpp took
// 2-3 s and over 600 MiB to build its node graph; libyaml's parser reads the
// same text in about a quarter of a second, and this tree costs tens of MiB
// (docs/performance.md).
//
// Plain scalars `~`, `null`, `Null`, `NULL` and empty values are null; a
// quoted "null" is a string. Anchors and aliases are resolved (an alias
// shares the anchored node). Only the first document of a stream is read.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy {

namespace yaml_detail {

enum class kind : std::uint8_t
{
    null,
    scalar,
    sequence,
    map
};

struct node_data
{
    kind type = kind::null;
    int line = 0;   // 0-based, as libyaml reports it
    int column = 0; // 0-based
    const std::string* scalar = nullptr;
    std::size_t first = 0; // first child in the tree's child list
    std::size_t count = 0; // children (a map has key, value, key, value, ...)
};

} // namespace yaml_detail

struct yaml_mark
{
    int line = -1; // 0-based; -1 for a node that is not in the document
    int column = -1;
};

class yaml_tree;

// A view of one node, or of nothing (a key that is not there).
class yaml_node
{
public:
    yaml_node() = default;

    bool IsDefined() const { return data_ != nullptr; }
    bool IsNull() const { return data_ != nullptr && data_->type == yaml_detail::kind::null; }
    bool IsScalar() const { return data_ != nullptr && data_->type == yaml_detail::kind::scalar; }
    bool IsSequence() const { return data_ != nullptr && data_->type == yaml_detail::kind::sequence; }
    bool IsMap() const { return data_ != nullptr && data_->type == yaml_detail::kind::map; }
    explicit operator bool() const { return IsDefined(); }

    // The text of a scalar; empty for anything else.
    const std::string& Scalar() const;
    yaml_mark Mark() const;
    // Entries of a sequence, pairs of a map; 0 otherwise.
    std::size_t size() const;
    // The i-th entry of a sequence (undefined when out of range or not a sequence).
    yaml_node operator[](std::size_t i) const;
    yaml_node operator[](int i) const { return (*this)[static_cast<std::size_t>(i)]; }
    // The value of the first key equal to `key` in a map (undefined otherwise).
    yaml_node operator[](std::string_view key) const;
    yaml_node operator[](const char* key) const { return (*this)[std::string_view(key)]; }
    yaml_node operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }

    // Map iteration: `for (const auto& kv : map)` with kv.first / kv.second.
    struct pair;
    class iterator
    {
    public:
        iterator(const yaml_node* owner, std::size_t i) : owner_(owner), i_(i) {}
        pair operator*() const;
        iterator& operator++()
        {
            ++i_;
            return *this;
        }
        bool operator!=(const iterator& o) const { return i_ != o.i_; }

    private:
        const yaml_node* owner_;
        std::size_t i_;
    };
    iterator begin() const { return {this, 0}; }
    iterator end() const { return {this, IsMap() ? size() : 0}; }

private:
    friend class yaml_tree;
    yaml_node(const yaml_tree* tree, const yaml_detail::node_data* data) : tree_(tree), data_(data) {}
    yaml_node child(std::size_t i) const;

    const yaml_tree* tree_ = nullptr;
    const yaml_detail::node_data* data_ = nullptr;
};

struct yaml_node::pair
{
    yaml_node first;
    yaml_node second;
};

struct yaml_error
{
    std::string message; // libyaml's problem and context
    int line = 0;        // 1-based
    int column = 0;      // 1-based
};

// A parsed document. Nodes are views into it: keep the tree alive while they are used.
class yaml_tree
{
public:
    // Parses the first document of `text`; nullopt with *error on a syntax error.
    static std::shared_ptr<const yaml_tree> parse(std::string_view text, yaml_error* error);

    // The document's root; undefined for an empty stream.
    yaml_node root() const;

    yaml_tree() = default;
    yaml_tree(const yaml_tree&) = delete;
    yaml_tree& operator=(const yaml_tree&) = delete;

private:
    friend class yaml_node;
    friend class tree_builder;
    std::deque<yaml_detail::node_data> nodes_;
    std::deque<std::string> scalars_;
    std::vector<const yaml_detail::node_data*> children_;
    const yaml_detail::node_data* root_ = nullptr;
};

// The tree and its root together, so that a loader holds both in one value.
struct yaml_document
{
    std::shared_ptr<const yaml_tree> tree;
    yaml_node root;
};

// Parses text into a document; nullopt (with *error) on a syntax error.
std::optional<yaml_document> parse_yaml(std::string_view text, yaml_error* error);

} // namespace sekisho::policy
