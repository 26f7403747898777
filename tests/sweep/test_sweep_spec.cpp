// Spec parsing, pruning, expansion and the shipped presets.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sweep/sweep_spec.hpp"

using namespace ringlab::sweep;
using nlohmann::json;

namespace {

SweepSpec spec_of(const char* text) { return parse_spec_text(text, "test"); }

std::string error_of(const char* text) {
    try {
        parse_spec_text(text, "test");
    } catch (const SpecError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(SweepSpec, CartesianProductOfAxes) {
    auto s = spec_of(R"({"axes": {"layout": ["split", "packed"], "batch": [1, 8, 32]}})");
    auto e = expand(s, 1);
    EXPECT_EQ(e.configs.size(), 6u);
    EXPECT_EQ(e.combinations, 6u);
    std::set<std::string> names;
    for (const auto& c : e.configs) names.insert(c.benchmark_name());
    EXPECT_EQ(names.size(), 6u);
    EXPECT_TRUE(names.count("ring/layout:packed/barrier:smp/notify:poll/batch:32/ring:256/placement:auto"));
}

TEST(SweepSpec, NameCarriesNonDefaultExtraAxes) {
    auto s = spec_of(R"({"axes": {"notify": "event-idx", "wait": "sleep", "kick_cost_ns": 2000, "submitters": 4,
                                  "kick_mode": "unlocked", "placement": "cross-l3", "batch": 32}})");
    auto e = expand(s, 1);
    ASSERT_EQ(e.configs.size(), 1u);
    EXPECT_EQ(e.configs[0].benchmark_name(),
              "ring/layout:split/barrier:smp/notify:event-idx/batch:32/ring:256/placement:cross-l3"
              "/wait:sleep/kick_ns:2000/submitters:4/kick_mode:unlocked");
}

TEST(SweepSpec, UnknownAxisNamesTheValidOnes) {
    auto msg = error_of(R"({"axes": {"layuot": ["split"]}})");
    EXPECT_NE(msg.find("unknown axis 'layuot'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("layout"), std::string::npos) << msg;
    EXPECT_NE(msg.find("kick_cost_ns"), std::string::npos) << msg;
}

TEST(SweepSpec, UnknownValueNamesTheValidOnes) {
    auto msg = error_of(R"({"axes": {"notify": ["poll", "evnt-idx"]}})");
    EXPECT_NE(msg.find("'evnt-idx'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("poll, flags, event-idx"), std::string::npos) << msg;
    msg = error_of(R"({"axes": {"barrier": "smb"}})");
    EXPECT_NE(msg.find("mandatory"), std::string::npos) << msg;
}

TEST(SweepSpec, NumericAxesAreRangeChecked) {
    EXPECT_NE(error_of(R"({"axes": {"ring_size": 100}})").find("power of two"), std::string::npos);
    EXPECT_NE(error_of(R"({"axes": {"batch": 0}})").find("batch"), std::string::npos);
    EXPECT_NE(error_of(R"({"axes": {"payload_bytes": 12}})").find("multiple of 8"), std::string::npos);
    EXPECT_NE(error_of(R"({"axes": {"batch": -3}})").find("batch"), std::string::npos);
    EXPECT_NE(error_of(R"({"axes": {"batch": "many"}})").find("batch"), std::string::npos);
}

TEST(SweepSpec, UnknownKeysAndBadJsonAreErrors) {
    EXPECT_NE(error_of(R"({"axis": {}})").find("unknown key 'axis'"), std::string::npos);
    EXPECT_NE(error_of(R"({"settings": {"bufers": 5}})").find("unknown key 'bufers'"), std::string::npos);
    EXPECT_NE(error_of(R"({"axes": )").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error_of(R"({"rows": [{"name": "a"}, {"name": "a"}]})").find("unique"), std::string::npos);
}

TEST(SweepSpec, PrunesNonsenseWithReasons) {
    auto s = spec_of(R"({"axes": {"layout": ["split", "index"], "notify": ["poll", "event-idx"],
                                  "wait": ["spin", "sleep"], "batch": [1, 512], "ring_size": 256}})");
    auto e = expand(s, 7);
    // Kept: batch 1 only; (split|index) x poll/spin, split x event-idx x spin|sleep.
    EXPECT_EQ(e.configs.size(), 4u);
    EXPECT_EQ(e.configs.size() + e.pruned.size(), e.combinations);
    bool batch = false, eventidx = false, sleep = false;
    for (const auto& p : e.pruned) {
        EXPECT_FALSE(p.reason.empty());
        // The table's rules, in field names (config/axes.cpp).
        batch |= p.reason.find("batch 512 is not valid (1 to the ring size, 256)") != std::string::npos;
        eventidx |= p.reason.find("layout index does not support notify mode event-idx") != std::string::npos;
        sleep |= p.reason.find("wait sleep needs notifications: use notify flags") != std::string::npos;
    }
    EXPECT_TRUE(batch && eventidx && sleep);
}

TEST(SweepSpec, PrunesOutstandingKickModeAndRuntimeBarrier) {
    auto s = spec_of(R"({"axes": {"outstanding": [0, 4], "batch": 8, "submitters": [1, 2],
                                  "kick_mode": ["under-lock", "unlocked"], "notify": "flags",
                                  "barrier": ["smp", "branch"], "runtime_barrier": ["smp", "mandatory"]}})");
    auto e = expand(s, 7);
    for (const auto& c : e.configs) {
        EXPECT_EQ(c.at("outstanding"), "0");
        EXPECT_FALSE(c.at("submitters") == "1" && c.at("kick_mode") == "unlocked");
        EXPECT_FALSE(c.at("barrier") == "smp" && c.at("runtime_barrier") == "mandatory");
    }
    // outstanding 0 x (sub1-lock, sub2-lock, sub2-unlocked) x (smp/smp, branch/smp, branch/mandatory)
    EXPECT_EQ(e.configs.size(), 9u);
}

TEST(SweepSpec, UnsafeBarriersOnlyInTheirOwnRow) {
    auto s = spec_of(R"({"axes": {"barrier": ["smp", "acqrel"], "notify": "event-idx"},
                         "rows": [{"name": "normal"}, {"name": "unsafe", "allow_unsafe": true}]})");
    auto e = expand(s, 3);
    int acqrel = 0;
    for (const auto& c : e.configs)
        if (c.at("barrier") == "acqrel") {
            ++acqrel;
            EXPECT_EQ(c.row, "unsafe");
        }
    EXPECT_EQ(acqrel, 1);
    EXPECT_EQ(e.duplicates, 1u);  // smp appears in both rows: run once
    ASSERT_EQ(e.pruned.size(), 1u);
    EXPECT_NE(e.pruned[0].reason.find("unsafe"), std::string::npos);
}

TEST(SweepSpec, ExcludeEntriesPrune) {
    auto s = spec_of(R"({"axes": {"layout": ["split", "packed"], "batch": [1, 32]},
                         "exclude": [{"layout": "packed", "batch": 1, "reason": "not interesting"}]})");
    auto e = expand(s, 3);
    EXPECT_EQ(e.configs.size(), 3u);
    ASSERT_EQ(e.pruned.size(), 1u);
    EXPECT_EQ(e.pruned[0].reason, "not interesting");
    EXPECT_THROW(spec_of(R"({"exclude": [{"layot": "packed"}]})"), SpecError);
}

TEST(SweepSpec, ShuffleIsSeededAndDeterministic) {
    auto s = spec_of(R"({"axes": {"layout": ["split", "packed", "index", "split-inorder"], "batch": [1, 2, 4, 8]}})");
    auto a = expand(s, 42), b = expand(s, 42), c = expand(s, 43);
    std::vector<std::string> na, nb, nc;
    for (const auto& x : a.configs) na.push_back(x.benchmark_name());
    for (const auto& x : b.configs) nb.push_back(x.benchmark_name());
    for (const auto& x : c.configs) nc.push_back(x.benchmark_name());
    EXPECT_EQ(na, nb);
    EXPECT_NE(na, nc);
    EXPECT_EQ(std::set(na.begin(), na.end()), std::set(nc.begin(), nc.end()));
}

TEST(SweepSpec, PlacementAllFansOutAndMissingRelationsArePruned) {
    auto s = spec_of(R"({"axes": {"placement": ["all", "cross-socket"]}})");
    PlacementChoices pc{{"smt", "same-l3"}};
    auto e = expand(s, 1, &pc);
    std::set<std::string> placements;
    for (const auto& c : e.configs) placements.insert(c.at("placement"));
    EXPECT_EQ(placements, (std::set<std::string>{"smt", "same-l3"}));
    ASSERT_EQ(e.pruned.size(), 1u);
    EXPECT_NE(e.pruned[0].reason.find("cross-socket"), std::string::npos);
}

TEST(SweepSpec, RowSettingsOverrideSpecSettings) {
    auto s = spec_of(R"({"settings": {"buffers": 1000, "repetitions": 3},
                         "rows": [{"name": "a"}, {"name": "b", "axes": {"batch": 2}, "settings": {"buffers": 10}}]})");
    ASSERT_EQ(s.rows.size(), 2u);
    EXPECT_EQ(s.rows[0].settings.buffers, 1000u);
    EXPECT_EQ(s.rows[1].settings.buffers, 10u);
    EXPECT_EQ(s.rows[1].settings.repetitions, 3);
}

TEST(SweepSpec, ToRunConfigMapsEveryAxis) {
    auto s = spec_of(R"({"axes": {"layout": "packed", "notify": "event-idx", "wait": "hybrid", "batch": 16,
                                  "ring_size": 512, "outstanding": 64, "kick_cost_ns": 2000, "submitters": 2,
                                  "kick_mode": "unlocked", "device_access": "barrier", "payload_bytes": 128,
                                  "cache_line": 128, "barrier": "ops", "runtime_barrier": "mandatory"}})");
    auto e = expand(s, 1);
    ASSERT_EQ(e.configs.size(), 1u);
    auto c = e.configs[0].to_run_config();
    EXPECT_EQ(c.layout, "packed");
    EXPECT_EQ(c.notify, ringsim::NotifyMode::event_idx);
    EXPECT_EQ(c.wait, ringlab::WaitMode::hybrid);
    EXPECT_EQ(c.batch, 16u);
    EXPECT_EQ(c.ring_size, 512u);
    EXPECT_EQ(c.outstanding, 64u);
    EXPECT_EQ(c.kick_cost_ns, 2000u);
    EXPECT_EQ(c.submitters, 2u);
    EXPECT_EQ(c.kick_mode, ringlab::KickMode::unlocked);
    EXPECT_EQ(c.device_access, ringlab::DeviceAccess::barrier);
    EXPECT_EQ(c.payload_bytes, 128u);
    EXPECT_EQ(c.cache_line, 128u);
    EXPECT_EQ(c.barrier, "ops");
    EXPECT_EQ(c.runtime_barrier, "mandatory");
}

TEST(Presets, AllParseAndExpandToSomething) {
    auto names = preset_names();
    for (const char* want : {"tiny", "ci", "quick", "seeds", "full", "unsafe"})
        EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
    for (const auto& n : names) {
        SCOPED_TRACE(n);
        SweepSpec s;
        ASSERT_NO_THROW(s = load_preset(n));
        EXPECT_FALSE(expand(s, 1).configs.empty());
    }
    EXPECT_THROW(load_preset("nope"), SpecError);
}

TEST(Presets, TinyIsTinyAndCiIsAboutTen) {
    auto tiny = expand(load_preset("tiny"), 1).configs.size();
    EXPECT_GE(tiny, 2u);
    EXPECT_LE(tiny, 4u);
    auto ci = expand(load_preset("ci"), 1).configs.size();
    EXPECT_GE(ci, 8u);
    EXPECT_LE(ci, 14u);
}

TEST(Presets, FullVariesEveryAxis) {
    auto s = load_preset("full");
    for (const auto* a : axes()) {
        std::set<std::string> values;
        for (const auto& r : s.rows)
            for (const auto& v : r.axes.at(a->name)) values.insert(v.text);
        // "all" is every relation the machine has: it varies placement by itself.
        if (a->name == "placement" && values.count(kPlacementAll)) continue;
        // The VM boundary's axes need /dev/kvm: the kvm preset varies them (below), not full.
        if (a->name == "guest" || a->name == "kick" || a->name == "call" || a->name == "doorbell") continue;
        EXPECT_GE(values.size(), 2u) << "full preset does not vary axis " << a->name;
    }
    auto kvm = load_preset("kvm");
    for (const char* axis : {"guest", "kick", "call", "vcpus", "kick_mode"}) {
        std::set<std::string> values;
        for (const auto& r : kvm.rows)
            for (const auto& v : r.axes.at(axis)) values.insert(v.text);
        EXPECT_GE(values.size(), 2u) << "kvm preset does not vary axis " << axis;
    }
}

TEST(Presets, SeedsAnswersEachSeedQuestion) {
    auto e = expand(load_preset("seeds"), 1);
    std::set<std::string> barriers, layouts, notifies, kick_modes, access;
    bool kick2000_multi = false;
    for (const auto& c : e.configs) {
        barriers.insert(c.at("barrier"));
        layouts.insert(c.at("layout"));
        notifies.insert(c.at("notify"));
        kick_modes.insert(c.at("kick_mode"));
        access.insert(c.at("device_access"));
        kick2000_multi |= c.at("kick_cost_ns") == "2000" && c.run.submitters > 1;
    }
    for (const char* b : {"smp", "mandatory", "branch", "ops", "virt"}) EXPECT_TRUE(barriers.count(b)) << b;
    EXPECT_TRUE(layouts.count("packed") && layouts.count("split"));
    EXPECT_EQ(notifies.size(), 3u);
    EXPECT_EQ(kick_modes.size(), 2u);
    EXPECT_EQ(access.size(), 2u);
    EXPECT_TRUE(kick2000_multi);
    for (const auto& c : e.configs) EXPECT_FALSE(is_unsafe_barrier(c.at("barrier"))) << c.benchmark_name();
}

// Real virtio buffers: sg, indirect and completion are axes with the CLI's spellings,
// checked when the spec is parsed, pruned where the engine would refuse them.
TEST(SweepSpec, ChainAxesParseMapAndPrune) {
    EXPECT_NE(error_of(R"({"axes": {"sg": [1, 17]}})").find("from 1 to 16"), std::string::npos);
    EXPECT_NE(error_of(R"({"axes": {"indirect": "auto=99"}})").find("auto=K"), std::string::npos);
    EXPECT_NE(error_of(R"({"axes": {"completion": "sideways"}})").find("random:SEED"), std::string::npos);
    auto s = spec_of(R"({"axes": {"layout": ["split", "split-inorder", "index", "packed-inorder"], "sg": [1, 4],
                                  "indirect": ["off", "auto=2"], "completion": ["in-order", "random:5"]}})");
    auto e = expand(s, 1);
    EXPECT_EQ(e.combinations, 32u);
    for (const auto& c : e.configs) {
        const auto r = c.to_run_config();
        EXPECT_FALSE(r.layout == "index" && ringlab::uses_chain_path(r)) << c.benchmark_name();
        EXPECT_FALSE(r.layout.ends_with("inorder") && r.completion != ringlab::Completion::in_order);
        if (c.at("completion") == "random:5") EXPECT_EQ(r.completion_seed, 5u);
        if (c.at("indirect") == "auto=2") EXPECT_EQ(r.indirect_above, 2u);
        EXPECT_EQ(std::to_string(r.sg), c.at("sg"));
    }
    bool named = false;
    for (const auto& c : e.configs)
        named |= c.benchmark_name().find("/sg:4") != std::string::npos &&
                 c.benchmark_name().find("/completion:random:5") != std::string::npos;
    EXPECT_TRUE(named) << "non-default chain axes appear in benchmark names";
    // split: 2 sg x 2 indirect x 2 completion = 8; split-inorder and packed-inorder: in-order only = 4 each;
    // index: only the fast path (sg 1, indirect off or auto=2 with sg 1, in-order) = 2.
    EXPECT_EQ(e.configs.size(), 8u + 4u + 4u + 2u);
}
