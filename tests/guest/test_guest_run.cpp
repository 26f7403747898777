// The ring through the guest: every layout verified with the driver in the KVM
// guest (poll, and sleeping on irqfd calls), the kick paths, an injected lost kick
// caught by the watchdog, exitcost, and bad combinations refused.
#include <gtest/gtest.h>

#include <string>

#include "config/axes.hpp"
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
    EXPECT_NE(validate(quick(c), config::Spelling::flag).find("one submitter per vCPU: --submitters must equal --vcpus"),
              std::string::npos);
    try {
        run_guest(quick(c));
        ADD_FAILURE() << "submitters 2 with vcpus 1 ran";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("submitters must equal vcpus"), std::string::npos) << e.what();
    }
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
    EXPECT_NE(validate(p).find("branch and ops are not modelled"), std::string::npos);
    p.barrier = "smp";
    p.vcpus = p.submitters = 2;
    EXPECT_NE(validate(p).find("uniprocessor guest"), std::string::npos);
}

// Seed 002 inside the guest: two vCPUs, each a submitter, share the ring under the submit
// lock in guest memory; the kick inside the lock or after it is released.  Every buffer
// verified (--verify full), the lock's figures recorded, each vCPU ran to its end.
class GuestTwoVcpus : public ::testing::TestWithParam<std::string> {};

RunConfig two_vcpus(const std::string& layout, KickMode mode, KickPath kick = KickPath::ioeventfd,
                    CallPath call = CallPath::poll) {
    RunConfig c = quick(small(layout, ringsim::NotifyMode::flags), call, kick);
    c.vcpus = c.submitters = 2;
    c.kick_mode = mode;
    c.verify = VerifyMode::full;
    c.wait = WaitMode::sleep;  // a sleeping device: kicks happen
    c.outstanding = c.batch;   // each batch completes before the next: the device goes idle, sleeps, is kicked
    return c;
}

void expect_two_vcpus(const GuestRunResult& r) {
    expect_clean(r);
    EXPECT_EQ(r.run.lost_notifications, 0u);
    ASSERT_EQ(r.guest.vcpus.size(), 2u);
    std::uint64_t acquisitions = 0;
    for (int i = 0; i < 2; ++i) {
        const VcpuFacts& v = r.guest.vcpus[i];
        EXPECT_EQ(v.index, i);
        EXPECT_EQ(v.apic_id, i);
        EXPECT_EQ(v.cpu, r.run.config.driver_cpu) << "both vCPUs on the driver CPU";
        EXPECT_GE(v.exits_io, 1u) << "vCPU " << i << " returned (its done exit)";
        acquisitions += v.lock_acquisitions;
    }
    EXPECT_GT(r.run.lock.acquisitions, 0u);
    EXPECT_EQ(acquisitions, r.run.lock.acquisitions) << "the run's lock figures are the vCPUs' together";
    EXPECT_GT(r.run.lock.hold.count, 0u);
    EXPECT_GT(r.run.lock.hold.total_ns, 0u) << "a submitting acquisition holds the lock for some time";
    EXPECT_GE(r.run.lock.hold.max_ns, r.run.lock.hold.min_ns);
    EXPECT_EQ(r.run.lock.hold_hist.count(), r.run.lock.hold.count);
    // One submitting acquisition per published batch; the phase word is read after the
    // step, so the batches at the window's two edges may fall on either side.
    EXPECT_NEAR(double(r.run.lock.acquisitions), double(r.run.submissions), 2.0);
}

TEST_P(GuestTwoVcpus, KickUnderTheLockAndReleasedBothVerified) {
    RINGLAB_NEED_KVM();
    const int fds = open_fd_count();
    for (KickMode mode : {KickMode::under_lock, KickMode::unlocked}) {
        GuestRunResult r = run_guest(two_vcpus(GetParam(), mode));
        SCOPED_TRACE(mode == KickMode::unlocked ? "unlocked" : "under-lock");
        expect_two_vcpus(r);
        EXPECT_EQ(r.run.config.kick_mode, mode);
        EXPECT_GT(r.guest.doorbells, 0u);
    }
    EXPECT_EQ(open_fd_count(), fds);  // VM, both vCPUs, eventfds: all closed
}

INSTANTIATE_TEST_SUITE_P(SplitPacked, GuestTwoVcpus, ::testing::Values("split", "packed"));

// --kick exit with the lock held: each doorbell an I/O exit to user space, so the kick's
// exit lies inside the lock's hold time (what seed 002 says the guest should not do).
TEST(GuestRun, TwoVcpusExitKicksInsideTheLock) {
    RINGLAB_NEED_KVM();
    GuestRunResult r = run_guest(two_vcpus("split", KickMode::under_lock, KickPath::exit));
    expect_two_vcpus(r);
    std::uint64_t yields = 0;
    for (const auto& v : r.guest.vcpus) yields += v.yields;
    EXPECT_GT(r.guest.doorbells, 0u);
    EXPECT_EQ(r.guest.exits_io, r.guest.doorbells + yields + 2) << "doorbells, lock yields and the two returns";
}

// --call irqfd: the interrupt goes to APIC 0, so vCPU 0 halts and vCPU 1 polls.
TEST(GuestRun, TwoVcpusCallsGoToVcpuZero) {
    RINGLAB_NEED_KVM();
    RunConfig c = two_vcpus("packed", KickMode::unlocked, KickPath::ioeventfd, CallPath::irqfd);
    c.buffers = 1000;
    c.warmup_buffers = 100;
    GuestRunResult r = run_guest(c);
    expect_two_vcpus(r);
    EXPECT_TRUE(r.guest.vcpus[0].takes_calls);
    EXPECT_FALSE(r.guest.vcpus[1].takes_calls);
    EXPECT_LE(r.guest.halts, r.guest.irqs + 1) << "every halt of vCPU 0 ended by a call interrupt";
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
