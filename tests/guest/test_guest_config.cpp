// The guest's configuration in RunConfig: which combinations are refused (one place,
// guest_config_problem), the sweep axes guest/kick/call/doorbell, their pruning, the
// kvm preset, and the results' config section.  No KVM needed.
#include <gtest/gtest.h>

#include <string>

#include "guest/guest_config.hpp"
#include "config/axes.hpp"
#include "sweep/sweep_spec.hpp"

using namespace ringlab;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

RunConfig kvm(ringsim::NotifyMode n = ringsim::NotifyMode::flags) {
    RunConfig c;
    c.host = HostKind::kvm;
    c.notify = n;
    return c;
}

sweep::Expansion expand_text(const std::string& spec) { return sweep::expand(sweep::parse_spec_text(spec, "test"), 1); }
}  // namespace

TEST(GuestConfig, ThreadHostRefusesEveryGuestField) {
    EXPECT_EQ(guest::guest_config_problem(RunConfig{}), "");
    RunConfig c;
    c.kick_path = KickPath::exit;
    EXPECT_EQ(guest::guest_config_problem(c), "--kick applies to --guest kvm only");
    c = RunConfig{};
    c.call_path = CallPath::irqfd;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "--call applies"));
    c = RunConfig{};
    c.doorbell = Doorbell::mmio;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "--doorbell applies"));
    c = RunConfig{};
    c.guest_barriers = GuestBarriers::up;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "--guest-barriers applies"));
    c = RunConfig{};
    c.vcpus = 2;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "--vcpus applies"));
}

TEST(GuestConfig, KvmRefusesWhatTheGuestCannotRun) {
    EXPECT_EQ(guest::guest_config_problem(kvm()), "");
    RunConfig c = kvm(ringsim::NotifyMode::poll);
    c.call_path = CallPath::irqfd;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "--call irqfd needs notifications"));
    c = kvm();
    c.kick_cost_ns = 2000;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "leave it at 0"));
    c = kvm();
    c.sg = 2;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "one direct descriptor"));
    c = kvm();
    c.completion = Completion::reverse;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "--completion in-order"));
    c = kvm();
    c.drop_call = 0.1;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "drop-call needs --call irqfd"));
}

TEST(GuestSweepAxes, MapOntoRunConfigAndNames) {
    auto e = expand_text(R"({"axes": {"guest": "kvm", "kick": "exit", "call": "irqfd", "doorbell": "mmio",
                                        "notify": "flags", "wait": "sleep"}})");
    ASSERT_EQ(e.configs.size(), 1u);
    const auto& sc = e.configs[0];
    const RunConfig c = sc.to_run_config();
    EXPECT_EQ(c.host, HostKind::kvm);
    EXPECT_EQ(c.kick_path, KickPath::exit);
    EXPECT_EQ(c.call_path, CallPath::irqfd);
    EXPECT_EQ(c.doorbell, Doorbell::mmio);
    EXPECT_TRUE(has(sc.benchmark_name(), "/guest:kvm/kick:exit/call:irqfd/doorbell:mmio")) << sc.benchmark_name();
    // Defaults stay out of the name: a thread configuration's name is what it was before the axes existed.
    auto t = expand_text(R"({"axes": {"notify": "flags"}})");
    ASSERT_EQ(t.configs.size(), 1u);
    EXPECT_FALSE(has(t.configs[0].benchmark_name(), "guest")) << t.configs[0].benchmark_name();
    EXPECT_EQ(t.configs[0].to_run_config().host, HostKind::thread);
}

TEST(GuestSweepAxes, BadValuesAndMeaninglessCombinations) {
    EXPECT_THROW(expand_text(R"({"axes": {"guest": "xen"}})"), sweep::SpecError);
    EXPECT_THROW(expand_text(R"({"axes": {"kick": "hypercall"}})"), sweep::SpecError);
    auto e = expand_text(R"({"axes": {"guest": ["thread", "kvm"], "kick": ["ioeventfd", "exit"],
                                        "call": ["poll", "irqfd"], "notify": ["poll", "flags"]}})");
    // thread: kick/call must keep their defaults; poll: no kick path, no irqfd.
    // Left: thread x {poll, flags}; kvm x poll x ioeventfd x poll; kvm x flags x 2 kicks x 2 calls.
    EXPECT_EQ(e.configs.size(), 2u + 1u + 4u);
    bool thread_kick = false, poll_irqfd = false, poll_exit = false;
    for (const auto& p : e.pruned) {
        thread_kick = thread_kick || (p.config.at("guest") == "thread" && has(p.reason, "applies to --guest kvm only"));
        poll_irqfd = poll_irqfd || (p.config.at("guest") == "kvm" && p.config.at("call") == "irqfd" &&
                                    p.config.at("notify") == "poll" && has(p.reason, "irqfd needs notifications"));
        poll_exit = poll_exit || (p.config.at("call") == "poll" && p.config.at("kick") == "exit" &&
                                  p.config.at("notify") == "poll" && has(p.reason, "poll mode never kicks"));
    }
    EXPECT_TRUE(thread_kick);
    EXPECT_TRUE(poll_irqfd);
    EXPECT_TRUE(poll_exit);
}

TEST(GuestSweepAxes, UpGuestSmpWithASleeperOnlyInAnUnsafeRow) {
    auto e = expand_text(R"({"axes": {"guest": "kvm", "guest_barriers": "up", "barrier": ["smp", "virt"],
                                        "notify": "event-idx", "wait": ["spin", "sleep"]}})");
    ASSERT_EQ(e.configs.size(), 3u);  // smp+spin, virt+spin, virt+sleep
    for (const auto& c : e.configs) EXPECT_FALSE(c.at("barrier") == "smp" && c.at("wait") == "sleep");
    auto u = expand_text(R"({"rows": [{"name": "u", "allow_unsafe": true, "axes": {"guest": "kvm",
                             "guest_barriers": "up", "notify": "event-idx", "wait": "sleep"}}]})");
    EXPECT_EQ(u.configs.size(), 1u);
}

TEST(GuestSweepAxes, KvmPresetIsLayoutsByNotifyByKickByCallAgainstThreads) {
    auto spec = sweep::load_preset("kvm");
    auto e = sweep::expand(spec, 1);
    EXPECT_TRUE(e.pruned.empty());
    std::size_t guest = 0, thread = 0;
    double seconds = 0;
    for (const auto& c : e.configs) {
        (c.at("guest") == "kvm" ? guest : thread)++;
        seconds += sweep::estimate_seconds(c, spec.row_of(c).settings);
    }
    EXPECT_EQ(guest, 2u * 2 * 2 * 2 + 2 * 2);  // layouts x notify x kick x call; UP guest: layouts x {smp, virt}
    EXPECT_EQ(thread, 2u * 2);         // the same layouts x notify on host threads
    EXPECT_LT(seconds, 300) << "the kvm preset is meant to run in a few minutes";
}

TEST(GuestResults, ConfigSectionSaysWhereTheDriverRan) {
    auto j = config::to_json(RunConfig{}, "auto");
    EXPECT_EQ(j.at("guest"), "thread");
    EXPECT_FALSE(j.contains("kick")) << "a thread entry carries no guest fields";
    RunConfig c = kvm();
    c.kick_path = KickPath::exit;
    c.doorbell = Doorbell::mmio;
    j = config::to_json(c, "auto");
    EXPECT_EQ(j.at("guest"), "kvm");
    EXPECT_EQ(j.at("kick"), "exit");
    EXPECT_EQ(j.at("call"), "poll");
    EXPECT_EQ(j.at("doorbell"), "mmio");
    EXPECT_EQ(j.at("guest_barriers"), "smp");
    EXPECT_EQ(j.at("vcpus"), 1);
}
