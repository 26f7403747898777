// The configuration table (bench/config/axes.hpp): each field parses what it prints, the
// rules refuse what they say, messages are in field names and render as flags, and names
// and the results' config come from the table.
#include <gtest/gtest.h>

#include <set>

#include "config/axes.hpp"

using namespace ringlab;
using namespace ringlab::config;

TEST(Axes, EveryFieldParsesItsOwnDefault) {
    for (const auto& f : fields()) {
        if (!f.parse || f.unset_default) continue;
        RunConfig c;
        EXPECT_EQ(f.parse(c, f.default_text()), "") << f.name;
        EXPECT_EQ(f.print(c), f.default_text()) << f.name;
    }
}

TEST(Axes, NamesAndFlagsAreUnique) {
    std::set<std::string> names, flags, shorts;
    for (const auto& f : fields()) {
        EXPECT_TRUE(names.insert(f.name).second) << f.name;
        if (!f.flag.empty()) EXPECT_TRUE(flags.insert(f.flag).second) << f.flag;
        for (const auto& s : f.switches) EXPECT_TRUE(flags.insert(s.flag).second) << s.flag;
        if (f.is_axis()) EXPECT_TRUE(shorts.insert(f.short_name).second) << f.short_name;
    }
}

TEST(Axes, DefaultConfigurationPassesEveryRule) {
    EXPECT_FALSE(check(RunConfig{})) << check(RunConfig{}).message;
    EXPECT_FALSE(prune(RunConfig{}));
}

TEST(Axes, ValuesAreParsedOnceWithTheirRange) {
    RunConfig c;
    const Field* batch = find_field("batch");
    ASSERT_NE(batch, nullptr);
    EXPECT_EQ(parse_field(*batch, c, "32"), "");
    EXPECT_EQ(c.batch, 32u);
    EXPECT_NE(parse_field(*batch, c, "0").find("out of range"), std::string::npos);
    EXPECT_NE(parse_field(*batch, c, "99999999999999999999999").find("out of range"), std::string::npos);
    EXPECT_NE(parse_field(*batch, c, "-1").find("is not valid"), std::string::npos);
    EXPECT_EQ(c.batch, 32u) << "a refused value leaves the field as it was";
    EXPECT_NE(parse_field(*find_field("ring_size"), c, "100").find("power of two"), std::string::npos);
    EXPECT_EQ(parse_field(*find_field("indirect"), c, "auto=3"), "");
    EXPECT_EQ(find_field("indirect")->print(c), "auto=3");
    EXPECT_EQ(parse_field(*find_field("completion"), c, "random:7"), "");
    EXPECT_EQ(c.completion_seed, 7u);
}

TEST(Axes, RulesSpeakFieldsAndRenderAsFlags) {
    RunConfig c;
    c.kick_mode = KickMode::unlocked;
    const Problem p = check(c);
    ASSERT_TRUE(p);
    EXPECT_EQ(render(p.message, Spelling::field),
              "kick_mode unlocked needs submitters 2 or more (with one submitter there is no lock)");
    EXPECT_EQ(render(p.message, Spelling::flag),
              "--kick-unlocked needs --submitters 2 or more (with one submitter there is no lock)");
    RunConfig d;
    d.batch = 8;
    d.outstanding = 4;
    EXPECT_EQ(render(check(d).message, Spelling::flag),
              "--batch 8 exceeds --outstanding 4 (a batch must fit in flight: batch <= outstanding)");
    RunConfig s;
    s.driver_cpu = s.device_cpu = 0;
    EXPECT_NE(render(check(s).message, Spelling::flag).find("--allow-same-cpu"), std::string::npos);
}

TEST(Axes, PointlessCombinationsArePrunedNotRefused) {
    RunConfig c;
    c.kick_cost_ns = 2000;  // with notify poll nothing kicks
    EXPECT_FALSE(check(c));
    EXPECT_TRUE(prune(c));
}

TEST(Axes, NamesAndConfigJsonComeFromTheTable) {
    RunConfig c;
    c.batch = 8;
    c.sg = 2;
    EXPECT_EQ(benchmark_name(c, "auto"), "ring/layout:split/barrier:smp/notify:poll/batch:8/ring:256/placement:auto/sg:2");
    const auto j = to_json(c, "same-l3");
    EXPECT_EQ(j.at("batch"), 8);
    EXPECT_EQ(j.at("notify"), "poll");
    EXPECT_EQ(j.at("placement"), "same-l3");
    EXPECT_EQ(j.at("indirect"), "off");
    for (const char* k : {"layout", "barrier", "runtime_barrier", "wait", "ring_size", "outstanding", "kick_cost_ns",
                          "submitters", "kick_mode", "device_access", "payload_bytes", "cache_line", "verify", "inject",
                          "sg", "completion"})
        EXPECT_TRUE(j.contains(k)) << k;
}

TEST(Axes, VocabularyListsEveryFieldAndRule) {
    const auto v = vocabulary_json();
    EXPECT_EQ(v.at("fields").size(), fields().size());
    EXPECT_EQ(v.at("rules").size(), rules().size());
    EXPECT_EQ(v.at("layouts").at("index").at("notify"), nlohmann::json({"poll", "flags"}));
    EXPECT_TRUE(v.at("barriers").contains("smp"));
}
