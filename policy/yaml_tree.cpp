#include "yaml_tree.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>

#include <yaml.h>

namespace sekisho::policy {

namespace {

const std::string empty_text;

bool plain_null(std::string_view v)
{
    return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

// Owns a libyaml parser and its current event.
struct parser_guard
{
    yaml_parser_t parser{};
    yaml_event_t event{};
    bool has_event = false;

    parser_guard() { yaml_parser_initialize(&parser); }
    ~parser_guard()
    {
        drop();
        yaml_parser_delete(&parser);
    }
    parser_guard(const parser_guard&) = delete;
    parser_guard& operator=(const parser_guard&) = delete;

    void drop()
    {
        if (has_event)
        {
            yaml_event_delete(&event);
            has_event = false;
        }
    }
    bool next()
    {
        drop();
        has_event = yaml_parser_parse(&parser, &event) != 0;
        return has_event;
    }
};

std::string_view text_of(const yaml_char_t* p)
{
    return p == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(p));
}

} // namespace

// A document may expand through its aliases to at most this many nodes, or
// this many times its own node count if that is more.
constexpr std::uint64_t max_alias_expansion_floor = 100000;
constexpr std::uint64_t max_alias_expansion_factor = 4;

// Builds a tree from the event stream: a stack of open collections, each
// collecting its children until its end event appends them to the tree's
// child list in one block.
class tree_builder
{
public:
    explicit tree_builder(yaml_tree& t) : tree_(t) {}

    bool run(std::string_view text, yaml_error* error)
    {
        // A UTF-8 byte-order mark (Windows Notepad writes one) is not part of
        // the document: with the encoding fixed, libyaml would read it as a
        // character and see only the first key (found by fuzz-policy-load).
        if (text.starts_with("\xEF\xBB\xBF"))
        {
            text.remove_prefix(3);
        }
        parser_guard g;
        yaml_parser_set_input_string(
            &g.parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
        yaml_parser_set_encoding(&g.parser, YAML_UTF8_ENCODING);
        for (;;)
        {
            if (!g.next())
            {
                return fail(g, error);
            }
            const auto& e = g.event;
            switch (e.type)
            {
                case YAML_SCALAR_EVENT:
                    scalar(e);
                    break;
                case YAML_SEQUENCE_START_EVENT:
                    open(e, yaml_detail::kind::sequence, e.data.sequence_start.anchor);
                    break;
                case YAML_MAPPING_START_EVENT:
                    open(e, yaml_detail::kind::map, e.data.mapping_start.anchor);
                    break;
                case YAML_SEQUENCE_END_EVENT:
                case YAML_MAPPING_END_EVENT:
                    close();
                    break;
                case YAML_ALIAS_EVENT:
                    if (!alias(e, error))
                    {
                        return false;
                    }
                    break;
                case YAML_DOCUMENT_END_EVENT:
                case YAML_STREAM_END_EVENT:
                    return true; // the first document only
                default:
                    break;
            }
        }
    }

private:
    struct frame
    {
        yaml_detail::node_data* node;
        std::vector<const yaml_detail::node_data*> children;
        std::uint64_t expanded_before = 0; // expanded_ before this node
    };

    yaml_detail::node_data& make(const yaml_event_t& e, yaml_detail::kind k)
    {
        ++expanded_;
        auto& n = tree_.nodes_.emplace_back();
        n.type = k;
        n.line = static_cast<int>(e.start_mark.line);
        n.column = static_cast<int>(e.start_mark.column);
        return n;
    }

    void add(const yaml_detail::node_data* n)
    {
        if (stack_.empty())
        {
            if (tree_.root_ == nullptr)
            {
                tree_.root_ = n;
            }
            return;
        }
        stack_.back().children.push_back(n);
    }

    void remember(const yaml_char_t* anchor, const yaml_detail::node_data* n)
    {
        if (anchor != nullptr)
        {
            anchors_[std::string(text_of(anchor))] = n;
        }
    }

    void scalar(const yaml_event_t& e)
    {
        const std::string_view value(reinterpret_cast<const char*>(e.data.scalar.value),
                                     e.data.scalar.length);
        const bool is_null = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && plain_null(value);
        auto& n = make(e, is_null ? yaml_detail::kind::null : yaml_detail::kind::scalar);
        n.scalar = is_null ? &empty_text : &tree_.scalars_.emplace_back(value);
        remember(e.data.scalar.anchor, &n);
        add(&n);
    }

    void open(const yaml_event_t& e, yaml_detail::kind k, const yaml_char_t* anchor)
    {
        const auto before = expanded_;
        auto& n = make(e, k);
        remember(anchor, &n);
        std::vector<const yaml_detail::node_data*> children;
        if (!spare_.empty())
        {
            children = std::move(spare_.back());
            spare_.pop_back();
        }
        stack_.push_back({&n, std::move(children), before});
    }

    void close()
    {
        auto f = std::move(stack_.back());
        stack_.pop_back();
        // What an alias to this node brings in, aliases within it included.
        sizes_[f.node] = expanded_ - f.expanded_before;
        f.node->first = tree_.children_.size();
        f.node->count = f.children.size();
        tree_.children_.insert(tree_.children_.end(), f.children.begin(), f.children.end());
        f.children.clear();
        spare_.push_back(std::move(f.children));
        add(f.node);
    }

    bool alias(const yaml_event_t& e, yaml_error* error)
    {
        const auto name = text_of(e.data.alias.anchor);
        auto it = anchors_.find(std::string(name));
        if (it == anchors_.end())
        {
            *error = {"unknown anchor `*" + std::string(name) + "`",
                      static_cast<int>(e.start_mark.line) + 1,
                      static_cast<int>(e.start_mark.column) + 1};
            return false;
        }
        // The loaders walk every use of an alias: a few KiB of aliases to
        // aliases could cost minutes and gigabytes (found by
        // fuzz-policy-load). What they expand to is bounded.
        const auto size = sizes_.find(it->second);
        expanded_ += size == sizes_.end() ? 1 : size->second;
        const auto bound = std::max<std::uint64_t>(max_alias_expansion_floor,
                                                   max_alias_expansion_factor * tree_.nodes_.size());
        if (expanded_ > bound)
        {
            *error = {"aliases expand this document to more than " + std::to_string(bound) +
                          " nodes (it has " + std::to_string(tree_.nodes_.size()) +
                          "): write the lists out instead",
                      static_cast<int>(e.start_mark.line) + 1,
                      static_cast<int>(e.start_mark.column) + 1};
            return false;
        }
        add(it->second);
        return true;
    }

    static bool fail(const parser_guard& g, yaml_error* error)
    {
        const auto& p = g.parser;
        std::string message = p.problem != nullptr ? p.problem : "cannot parse";
        if (p.context != nullptr)
        {
            message += std::string(" ") + p.context;
        }
        *error = {
            message, static_cast<int>(p.problem_mark.line) + 1, static_cast<int>(p.problem_mark.column) + 1};
        return false;
    }

    yaml_tree& tree_;
    std::vector<frame> stack_;
    std::vector<std::vector<const yaml_detail::node_data*>> spare_;
    std::unordered_map<std::string, const yaml_detail::node_data*> anchors_;
    // Nodes as the loaders will walk them (aliases expanded), and each
    // closed collection's share of that.
    std::uint64_t expanded_ = 0;
    std::unordered_map<const yaml_detail::node_data*, std::uint64_t> sizes_;
};

std::shared_ptr<const yaml_tree> yaml_tree::parse(std::string_view text, yaml_error* error)
{
    yaml_error ignored;
    auto tree = std::make_shared<yaml_tree>();
    tree_builder b(*tree);
    if (!b.run(text, error != nullptr ? error : &ignored))
    {
        return nullptr;
    }
    return tree;
}

yaml_node yaml_tree::root() const
{
    return root_ == nullptr ? yaml_node() : yaml_node(this, root_);
}

std::optional<yaml_document> parse_yaml(std::string_view text, yaml_error* error)
{
    auto tree = yaml_tree::parse(text, error);
    if (!tree)
    {
        return std::nullopt;
    }
    auto root = tree->root();
    return yaml_document{std::move(tree), root};
}

const std::string& yaml_node::Scalar() const
{
    return data_ != nullptr && data_->scalar != nullptr ? *data_->scalar : empty_text;
}

yaml_mark yaml_node::Mark() const
{
    return data_ == nullptr ? yaml_mark{} : yaml_mark{data_->line, data_->column};
}

std::size_t yaml_node::size() const
{
    if (IsSequence())
    {
        return data_->count;
    }
    return IsMap() ? data_->count / 2 : 0;
}

yaml_node yaml_node::child(std::size_t i) const
{
    return yaml_node(tree_, tree_->children_[data_->first + i]);
}

yaml_node yaml_node::operator[](std::size_t i) const
{
    return IsSequence() && i < data_->count ? child(i) : yaml_node();
}

yaml_node yaml_node::operator[](std::string_view key) const
{
    if (!IsMap())
    {
        return {};
    }
    for (std::size_t i = 0; i + 1 < data_->count; i += 2)
    {
        const auto* k = tree_->children_[data_->first + i];
        if (k->type == yaml_detail::kind::scalar && *k->scalar == key)
        {
            return child(i + 1);
        }
    }
    return {};
}

yaml_node::pair yaml_node::iterator::operator*() const
{
    return {owner_->child(2 * i_), owner_->child(2 * i_ + 1)};
}

} // namespace sekisho::policy
