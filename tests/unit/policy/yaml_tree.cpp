// The YAML tree under every loader: kinds, nulls, marks, anchors and
// aliases, duplicate keys kept for the reader to report, syntax errors with
// their line.

#include "policy/yaml_tree.hpp"

#include <boost/test/unit_test.hpp>

using sekisho::policy::parse_yaml;
using sekisho::policy::yaml_error;

BOOST_AUTO_TEST_SUITE(yaml_tree)

BOOST_AUTO_TEST_CASE(kinds_scalars_and_marks)
{
    yaml_error e;
    const auto doc = parse_yaml("a: 1\nb: [x, \"y\"]\nc:\n  d: true\n", &e);
    BOOST_TEST_REQUIRE(doc.has_value(), e.message);
    const auto root = doc->root;
    BOOST_TEST(root.IsMap());
    BOOST_TEST(root.size() == 3U);
    BOOST_TEST(root["a"].IsScalar());
    BOOST_TEST(root["a"].Scalar() == "1");
    BOOST_TEST(root["b"].IsSequence());
    BOOST_TEST(root["b"].size() == 2U);
    BOOST_TEST(root["b"][1].Scalar() == "y");
    BOOST_TEST(!root["b"][2].IsDefined());
    BOOST_TEST(root["c"]["d"].Scalar() == "true");
    BOOST_TEST(root["c"]["d"].Mark().line == 3); // 0-based
    BOOST_TEST(root["c"]["d"].Mark().column == 5);
    BOOST_TEST(!root["missing"]);
    BOOST_TEST(root["missing"].Mark().line == -1);
    BOOST_TEST(!root["a"]["x"].IsDefined());
    BOOST_TEST(root["a"].size() == 0U);
}

BOOST_AUTO_TEST_CASE(plain_nulls_are_null_quoted_ones_are_text)
{
    const auto doc = parse_yaml("a:\nb: ~\nc: null\nd: \"null\"\ne: ''\n", nullptr);
    BOOST_TEST_REQUIRE(doc.has_value());
    const auto r = doc->root;
    for (const char* k : {"a", "b", "c"})
    {
        BOOST_TEST(r[k].IsDefined(), k);
        BOOST_TEST(r[k].IsNull(), k);
        BOOST_TEST(!r[k].IsScalar(), k);
    }
    BOOST_TEST(r["d"].IsScalar());
    BOOST_TEST(r["d"].Scalar() == "null");
    BOOST_TEST(r["e"].IsScalar());
    BOOST_TEST(r["e"].Scalar().empty());
}

BOOST_AUTO_TEST_CASE(maps_iterate_in_order_and_keep_duplicate_keys)
{
    const auto doc = parse_yaml("{z: 1, a: 2, z: 3}", nullptr);
    BOOST_TEST_REQUIRE(doc.has_value());
    std::string keys;
    for (const auto& kv : doc->root)
    {
        keys += kv.first.Scalar() + "=" + kv.second.Scalar() + ";";
    }
    BOOST_TEST(keys == "z=1;a=2;z=3;");
    BOOST_TEST(doc->root["z"].Scalar() == "1"); // lookups see the first
}

BOOST_AUTO_TEST_CASE(anchors_and_aliases_share_the_node)
{
    const auto doc = parse_yaml("ports: &web [443, 8443]\nother: *web\n", nullptr);
    BOOST_TEST_REQUIRE(doc.has_value());
    BOOST_TEST(doc->root["other"].IsSequence());
    BOOST_TEST(doc->root["other"][1].Scalar() == "8443");
    yaml_error e;
    BOOST_TEST(!parse_yaml("a: *nowhere\n", &e).has_value());
    BOOST_TEST(e.message.find("unknown anchor") != std::string::npos, e.message);
    BOOST_TEST(e.line == 1);
}

BOOST_AUTO_TEST_CASE(syntax_errors_carry_their_line)
{
    yaml_error e;
    BOOST_TEST(!parse_yaml("a: 1\nb: [1, 2\nc: 3\n", &e).has_value());
    BOOST_TEST(!e.message.empty());
    BOOST_TEST(e.line >= 2, e.line);
    BOOST_TEST(!parse_yaml("a: \"\xff\"\n", &e).has_value()); // not UTF-8
}

BOOST_AUTO_TEST_CASE(empty_streams_and_extra_documents)
{
    const auto empty = parse_yaml("", nullptr);
    BOOST_TEST_REQUIRE(empty.has_value());
    BOOST_TEST(!empty->root.IsDefined());
    const auto two = parse_yaml("a: 1\n---\nb: 2\n", nullptr);
    BOOST_TEST_REQUIRE(two.has_value());
    BOOST_TEST(two->root["a"].Scalar() == "1");
    BOOST_TEST(!two->root["b"].IsDefined());
}

BOOST_AUTO_TEST_SUITE_END()
