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

// The sentences carry {field} marks: as the command line spells them, and as specs,
// results and the engine do.
std::string flags(const std::string& m) { return config::render(m, config::Spelling::flag); }
std::string fields(const std::string& m) { return config::render(m, config::Spelling::field); }

TEST(GuestConfig, ThreadHostRefusesEveryGuestField) {
    EXPECT_EQ(guest::guest_config_problem(RunConfig{}), "");
    RunConfig c;
    c.kick_path = KickPath::exit;
    EXPECT_EQ(guest::guest_config_problem(c), "{kick} applies to {guest} kvm only");
    EXPECT_EQ(flags(guest::guest_config_problem(c)), "--kick applies to --guest kvm only");
    EXPECT_EQ(fields(guest::guest_config_problem(c)), "kick applies to guest kvm only");
    c = RunConfig{};
    c.call_path = CallPath::irqfd;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--call applies"));
    c = RunConfig{};
    c.doorbell = Doorbell::mmio;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--doorbell applies"));
    c = RunConfig{};
    c.guest_barriers = GuestBarriers::up;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--guest-barriers applies"));
    EXPECT_TRUE(has(fields(guest::guest_config_problem(c)), "guest_barriers applies to guest kvm only"));
    c = RunConfig{};
    c.vcpus = 2;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--vcpus applies"));
}

TEST(GuestConfig, KvmRefusesWhatTheGuestCannotRun) {
    EXPECT_EQ(guest::guest_config_problem(kvm()), "");
    RunConfig c = kvm(ringsim::NotifyMode::poll);
    c.call_path = CallPath::irqfd;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--call irqfd needs notifications (--notify flags"));
    EXPECT_TRUE(has(fields(guest::guest_config_problem(c)), "call irqfd needs notifications (notify flags"));
    c = kvm();
    c.kick_cost_ns = 2000;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--kick-cost-ns models an exit"));
    EXPECT_TRUE(has(guest::guest_config_problem(c), "leave it at 0"));
    c = kvm();
    c.sg = 2;
    EXPECT_TRUE(has(guest::guest_config_problem(c), "one direct descriptor"));
    c = kvm();
    c.completion = Completion::reverse;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--completion in-order"));
    c = kvm();
    c.drop_call = 0.1;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--inject drop-call needs --call irqfd"));
}

// Seed 002 inside the guest: each vCPU is one submitter.
TEST(GuestConfig, VcpusAndSubmittersGoTogether) {
    RunConfig c = kvm();
    c.vcpus = c.submitters = 2;
    EXPECT_EQ(guest::guest_config_problem(c), "");
    c.kick_mode = KickMode::unlocked;
    EXPECT_EQ(guest::guest_config_problem(c), "");
    c.call_path = CallPath::irqfd;  // vCPU 0 takes the interrupt, vCPU 1 polls
    EXPECT_EQ(guest::guest_config_problem(c), "");
    c = kvm();
    c.vcpus = 2;  // submitters 1
    EXPECT_EQ(flags(guest::guest_config_problem(c)),
              "--guest kvm runs one submitter per vCPU: --submitters must equal --vcpus, both 1 or both 2 (now "
              "--submitters 1, --vcpus 2)");
    c = kvm();
    c.submitters = 2;  // vcpus 1
    EXPECT_TRUE(has(fields(guest::guest_config_problem(c)), "submitters must equal vcpus"));
    c.vcpus = 2;
    c.guest_barriers = GuestBarriers::up;
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "--guest-barriers up is a uniprocessor guest"));
    EXPECT_TRUE(has(flags(guest::guest_config_problem(c)), "it needs --vcpus 1"));
    // The field's own range, through the table.
    RunConfig t;
    EXPECT_FALSE(config::parse_field(*config::find_field("vcpus"), t, "3").empty());
    EXPECT_TRUE(config::find_field("vcpus")->is_axis());
    EXPECT_EQ(config::find_field("vcpus")->flag, "vcpus");
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
        thread_kick = thread_kick || (p.config.at("guest") == "thread" && has(p.reason, "applies to guest kvm only"));
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
    // layouts x notify x kick x call; UP guest: layouts x {smp, virt}; 2 vCPUs: layouts x notify x kick x kick_mode
    EXPECT_EQ(guest, 2u * 2 * 2 * 2 + 2 * 2 + 2 * 2 * 2 * 2);
    std::size_t two_vcpus = 0, unlocked = 0;
    for (const auto& c : e.configs) {
        if (c.at("guest") != "kvm" || c.at("vcpus") != "2") continue;
        ++two_vcpus;
        EXPECT_EQ(c.at("submitters"), "2");
        unlocked += c.at("kick_mode") == "unlocked";
    }
    EXPECT_EQ(two_vcpus, 16u);
    EXPECT_EQ(unlocked, 8u);
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
