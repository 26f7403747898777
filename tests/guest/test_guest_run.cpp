// The ring through the guest: every layout verified with the driver in the KVM
// guest (poll, and sleeping on irqfd calls), the kick paths, an injected lost kick
// caught by the watchdog, exitcost, and bad combinations refused.
#include <gtest/gtest.h>

#include <string>

#include "guest/guest.hpp"
#include "guest_test_util.hpp"

using namespace ringlab;
using namespace ringlab::guest;

namespace {

RunConfig small(const std::string& layout, ringsim::NotifyMode notify = ringsim::NotifyMode::poll) {
    RunConfig c;
    c.layout = layout;
    c.notify = notify;
    c.buffers = 4000;
    c.warmup_buffers = 400;
    c.ring_size = 64;
    c.batch = 4;
    c.driver_cpu = 0;
    c.device_cpu = 1;
    c.measure_floor = false;
    c.watchdog_ms = 3000;
    return c;
}

// A guest configuration without the same-run exitcost (the tests time nothing).
RunConfig quick(RunConfig c, CallPath call = CallPath::poll, KickPath kick = KickPath::ioeventfd, Doorbell d = Doorbell::pio) {
    c.host = HostKind::kvm;
    c.call_path = call;
    c.kick_path = kick;
    c.doorbell = d;
    c.exitcost_iterations = 0;
    return c;
}

void expect_clean(const GuestRunResult& r) {
    EXPECT_TRUE(r.run.valid);
    for (const auto& p : r.run.problems) ADD_FAILURE() << p;
    EXPECT_EQ(r.run.buffers, r.run.config.buffers);
    EXPECT_EQ(r.run.errors.total(), 0u);
}

}  // namespace

class GuestLayouts : public ::testing::TestWithParam<std::string> {};

TEST_P(GuestLayouts, PollVerifiedThroughTheGuest) {
    RINGLAB_NEED_KVM();
    const int fds = open_fd_count();
    for (const char* barrier : {"smp", "virt", "mandatory"}) {
        RunConfig c = small(GetParam());
        c.barrier = barrier;
        GuestRunResult r = run_guest(quick(c));
        expect_clean(r);
        EXPECT_EQ(r.guest.doorbells, 0u) << "poll never kicks";
        EXPECT_EQ(r.guest.exits_io, 1u) << "the only exit to user space is the guest's return";
    }
    EXPECT_EQ(open_fd_count(), fds);  // VM, vCPU, eventfds: all closed
}

TEST_P(GuestLayouts, SleepingGuestWokenByIrqfdCalls) {
    RINGLAB_NEED_KVM();
    RunConfig c = small(GetParam(), ringsim::NotifyMode::flags);
    c.wait = WaitMode::sleep;
    c.outstanding = c.batch = 1;  // every buffer a round trip: both sides sleep, every wake-up a notification
    c.buffers = 500;  // a wake-up by irqfd costs ~0.1-1 ms under nested PVM: keep the test short
    c.warmup_buffers = 50;
    GuestRunResult r = run_guest(quick(c, CallPath::irqfd));
    expect_clean(r);
    EXPECT_EQ(r.run.lost_notifications, 0u);
    EXPECT_GT(r.guest.doorbells, 0u);
    EXPECT_EQ(r.guest.exits_io, 1u) << "ioeventfd kicks never reach user space";
    // Every call the device sent that the guest slept for arrived as an interrupt.
    EXPECT_GT(r.guest.irqs, 0u);
    EXPECT_LE(r.guest.halts, r.guest.irqs + 1);
}

INSTANTIATE_TEST_SUITE_P(All, GuestLayouts, ::testing::Values("split", "split-inorder", "packed", "index", "packed-inorder"));

TEST(GuestRun, EventIdxWithExitKicksOverMmio) {
    RINGLAB_NEED_KVM();
    RunConfig c = small("split", ringsim::NotifyMode::event_idx);
    c.wait = WaitMode::sleep;
    GuestRunResult r = run_guest(quick(c, CallPath::poll, KickPath::exit, Doorbell::mmio));
    expect_clean(r);
    EXPECT_GT(r.guest.doorbells, 0u);
    EXPECT_EQ(r.guest.exits_mmio, r.guest.doorbells) << "every doorbell is one MMIO exit to user space";
}

TEST(GuestRun, InjectedLostKickIsCaughtByTheWatchdog) {
    RINGLAB_NEED_KVM();
    RunConfig c = small("split", ringsim::NotifyMode::flags);
    c.wait = WaitMode::sleep;
    c.outstanding = c.batch = 1;
    c.drop_kick = 0.05;
    c.watchdog_ms = 300;  // not 100: on a loaded machine a 100 ms stall abort counted the buffers in flight as lost
    c.buffers = 200;
    c.warmup_buffers = 50;
    GuestRunResult r = run_guest(quick(c));
    EXPECT_FALSE(r.run.valid);
    EXPECT_GT(r.guest.kicks_dropped, 0u);
    EXPECT_GT(r.run.lost_notifications, 0u);
    bool saw = false;
    for (const auto& w : r.run.watchdog) saw = saw || (w.role == "device" && w.lost_notification);
    EXPECT_TRUE(saw) << "the watchdog names the device's lost kick";
    EXPECT_EQ(r.run.errors.total(), 0u) << "a lost kick delays buffers, it loses none";
}

TEST(GuestRun, BadCombinationsAreRefused) {
    RunConfig c = small("split");
    EXPECT_NE(validate(quick(c, CallPath::irqfd), config::Spelling::flag).find("--call irqfd needs notifications"), std::string::npos);
    c.submitters = 2;
    EXPECT_NE(validate(quick(c), config::Spelling::flag).find("one submitter"), std::string::npos);
    c.submitters = 1;
    c.kick_cost_ns = 100;
    EXPECT_NE(validate(quick(c), config::Spelling::flag), "");
    EXPECT_THROW(run_guest(quick(c)), std::invalid_argument);
}

// The one call site the sweep uses: host thread runs the engine, host kvm the guest.
TEST(GuestRun, RunConfigurationRunsWhereTheConfigSays) {
    RunConfig c = small("packed", ringsim::NotifyMode::flags);
    c.wait = WaitMode::sleep;
    guest::GuestFacts facts;
    RunResult t = run_configuration(c, &facts);
    EXPECT_TRUE(t.valid);
    EXPECT_EQ(t.config.host, HostKind::thread);
    EXPECT_TRUE(facts.boundary.empty()) << "a thread run has no guest facts";
    c.kick_path = KickPath::exit;
    EXPECT_THROW(run_configuration(c), std::invalid_argument) << "a guest field on a thread run is refused";
    RINGLAB_NEED_KVM();
    RunConfig g = quick(c, CallPath::poll, KickPath::exit);
    RunResult r = run_configuration(g, &facts);
    EXPECT_TRUE(r.valid);
    EXPECT_EQ(r.config.host, HostKind::kvm);
    EXPECT_FALSE(facts.boundary.empty());
    EXPECT_GT(facts.doorbells, 0u);
    EXPECT_EQ(facts.exits_io, facts.doorbells + 1) << "kick exit: every doorbell an I/O exit, plus the guest's return";
}

// Seed 004's UP guest: smp_mb is a compiler barrier on the guest's side only.  virt keeps
// its fence, so a sleeping run with it must stay clean; smp with polling has no
// notify-check to lose, so it must be clean too (and runs the UP instantiation).
TEST(GuestRun, UpGuestBarriers) {
    RINGLAB_NEED_KVM();
    RunConfig v = quick(small("split", ringsim::NotifyMode::event_idx));
    v.wait = WaitMode::sleep;
    v.barrier = "virt";
    v.guest_barriers = GuestBarriers::up;
    expect_clean(run_guest(v));
    RunConfig p = quick(small("packed"));
    p.guest_barriers = GuestBarriers::up;
    GuestRunResult r = run_guest(p);
    expect_clean(r);
    EXPECT_EQ(r.run.config.guest_barriers, GuestBarriers::up);
    p.barrier = "branch";
    EXPECT_NE(validate(p, config::Spelling::flag).find("branch and ops are not modelled"), std::string::npos);
}

TEST(ExitCost, EveryKindMeasured) {
    RINGLAB_NEED_KVM();
    ExitCostOptions o;
    o.vcpu_cpu = 0;
    o.device_cpu = 1;
    o.iterations = 20;
    o.rounds = 2;
    ExitCostResult r = measure_exitcost(o);
    ASSERT_EQ(r.kinds.size(), exit_kinds().size());
    for (const auto& k : r.kinds) {
        EXPECT_EQ(k.samples, 20u) << k.kind;
        EXPECT_GT(k.min_ns, 0) << k.kind;
        EXPECT_LE(k.p50_ns, k.p99_ns) << k.kind;
    }
    EXPECT_EQ(r.irqs, 20u) << "one call interrupt per irqfd sample";
    EXPECT_EQ(r.halts + r.halts_skipped, 20u);
    EXPECT_GE(r.user_exits_io, 20u);
    EXPECT_GE(r.user_exits_mmio, 20u);
    EXPECT_FALSE(r.tsc.sentence.empty());
    EXPECT_GT(r.tsc.uncertainty_ns, 0);
}
