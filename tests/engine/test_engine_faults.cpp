// Fault cases: injected drops are counted and accounted for (detected or masked), a
// detected loss costs milliseconds rather than the watchdog period, the ranges that
// used to hang or be misread are refused, and the interference counters are filled.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "engine/engine.hpp"
#include "engine/interference.hpp"
#include "engine_test_util.hpp"

using namespace ringlab;
using namespace ringlab::test;
using ringsim::NotifyMode;

namespace {

RunConfig sleeping(std::uint32_t outstanding, double drop_kick, double drop_call) {
    RunConfig c = small_config("split", "smp");
    c.notify = NotifyMode::flags;
    c.wait = WaitMode::sleep;
    c.batch = 1;
    c.outstanding = outstanding;
    c.buffers = 2000;
    c.warmup_buffers = 10;
    c.drop_kick = drop_kick;
    c.drop_call = drop_call;
    c.watchdog_ms = 2000;  // the default: detection must not wait for it
    return c;
}

}  // namespace

TEST(Faults, EveryDropIsEitherDetectedOrMasked) {
    RunResult r = run_engine(sleeping(0, 0.05, 0.05));
    const auto& i = r.injected;
    EXPECT_GT(i.dropped_kicks + i.dropped_calls, 0u) << "5% of thousands of notifications";
    EXPECT_EQ(i.detected() + i.masked(), i.dropped());
    EXPECT_LE(i.detected(), r.lost_notifications);
}

TEST(Faults, DetectedDropsCostMillisecondsNotTheWatchdogPeriod) {
    const auto t0 = std::chrono::steady_clock::now();
    RunResult r = run_engine(sleeping(1, 0.02, 0));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_GT(r.injected.dropped_kicks, 5u);
    // At --outstanding 1 nothing can mask a dropped kick: the watchdog must find it.
    EXPECT_GT(r.injected.detected_kicks, 0u);
    EXPECT_FALSE(r.valid);
    // With the old fixed 2 s reaction this run took dropped_kicks x 2 s (> 10 s).
    EXPECT_LT(s, 0.5 * double(r.injected.dropped_kicks) * 2.0) << r.injected.dropped_kicks << " drops took " << s << " s";
}

TEST(Faults, NoInjectionNoDrops) {
    RunResult r = run_engine(sleeping(0, 0, 0));
    EXPECT_EQ(r.injected.dropped(), 0u);
    EXPECT_EQ(r.injected.masked(), 0u);
}

TEST(Faults, RangesThatUsedToHangOrPassAreRefused) {
    auto why = [](auto change) {
        RunConfig c = small_config("split", "smp");
        change(c);
        return validate(c);
    };
    EXPECT_NE(why([](RunConfig& c) { c.duration_s = 1e-300; }).find("0.001"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.duration_s = std::nan(""); }).find("0.001"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.duration_s = std::numeric_limits<double>::infinity(); }).find("0.001"),
              std::string::npos);
    EXPECT_NE(why([](RunConfig& c) {
                  c.notify = NotifyMode::flags;
                  c.wait = WaitMode::sleep;
                  c.drop_kick = std::nan("");
              }).find("a number from 0 to 1"),
              std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.runtime_barrier = "mandatory"; }).find("branch or ops"), std::string::npos);
    EXPECT_EQ(why([](RunConfig& c) { c.runtime_barrier = "mandatory"; c.barrier = "branch"; }), "");
    EXPECT_NE(why([](RunConfig& c) { c.spin_ns = limits::kMaxSpinNs + 1; }), "");
}

TEST(Faults, InterferenceIsMeasuredPerRole) {
    RunConfig c = small_config("split", "smp");
    RunResult r = run_engine(c);
    ASSERT_TRUE(r.valid) << describe(r);
    // Linux gives both; a kernel without schedstat leaves them empty, never invented.
    if (sample_this_thread().runqueue_wait_ns) {
        EXPECT_TRUE(r.driver.runqueue_wait_ns.has_value());
        EXPECT_TRUE(r.device.runqueue_wait_ns.has_value());
        const double share = double(*r.driver.runqueue_wait_ns) / (r.seconds * 1e9);
        EXPECT_EQ(r.driver.contended, share > kContendedShare ||
                                          double(r.driver.steal_ns.value_or(0)) + double(*r.driver.runqueue_wait_ns) >
                                              kContendedShare * r.seconds * 1e9);
    }
    EXPECT_TRUE(r.driver.involuntary_switches.has_value());
    EXPECT_EQ(r.contended(), r.driver.contended || r.device.contended);
}
