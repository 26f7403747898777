// clock_test.cpp: the cycle timer.  No timing assertions beyond "plausible".
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <thread>

#include "ringsim/clock.hpp"

namespace {

using namespace ringsim;

TEST(Clock, NeverGoesBackwardsOnOneThread) {
    std::uint64_t prev = clock::now();
    for (int i = 0; i < 100000; ++i) {
        const std::uint64_t t = (i & 1) ? clock::now_end() : clock::now();
        ASSERT_GE(t, prev) << "at read " << i;
        prev = t;
    }
}

TEST(Clock, CalibrationIsPlausible) {
    const clock::ClockInfo ci = clock::calibrate(20);
    EXPECT_EQ(ci.name, std::string_view(clock::kName));
    EXPECT_FALSE(ci.core_cycles);
    // Every timer ringsim knows ticks between 1 MHz and 100 GHz.
    EXPECT_GT(ci.hz, 1e6);
    EXPECT_LT(ci.hz, 1e11);
    const bool known_arch = std::string_view(arch::kArchName) != "generic";
    EXPECT_EQ(ci.calibrated, known_arch);
}

TEST(Clock, InfoIsCachedAndNamed) {
    const clock::ClockInfo& a = clock::info();
    const clock::ClockInfo& b = clock::info();
    EXPECT_EQ(&a, &b);
    const std::string_view arch = arch::kArchName;
    if (arch == "x86_64") {
        EXPECT_EQ(a.name, "rdtsc");
    } else if (arch == "aarch64") {
        EXPECT_EQ(a.name, "cntvct_el0");
    } else if (arch == "ppc64le") {
        EXPECT_EQ(a.name, "timebase");
    }
}

TEST(Clock, TicksConvertToAtLeastTheSleptTime) {
    const std::uint64_t t0 = clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::uint64_t t1 = clock::now_end();
    const double ns = clock::to_ns(double(t1 - t0));
    // A sleep never returns early; 5% slack for calibration error.  The upper
    // bound only catches a wildly wrong hz (a loaded machine can oversleep).
    EXPECT_GT(ns, 19e6);
    EXPECT_LT(ns, 20e9);
}

}  // namespace

namespace {

// The step calibrate() reports is one the counter really takes: a positive number of
// ticks, far below a millisecond, and every difference between two reads is at least it
// (back-to-back reads cannot be closer than the smallest step ever seen between them).
TEST(Clock, ResolutionIsAStepTheCounterTakes) {
    const clock::ClockInfo& ci = clock::info();
    ASSERT_GT(ci.resolution_ticks, 0u);
    EXPECT_LT(double(ci.resolution_ticks) / ci.hz, 1e-3);
    std::uint64_t prev = clock::now(), smallest = ~0ull;
    for (int i = 0; i < 1000; ++i) {
        const std::uint64_t t = clock::now();
        if (t > prev) smallest = std::min(smallest, t - prev);
        prev = t;
    }
    ASSERT_NE(smallest, ~0ull) << "the counter did not move in 1000 reads";
    // Resolution was the minimum over 4000 reads; 1000 more cannot find a smaller step
    // unless the counter's behaviour changed (allow a factor for a migrating VM).
    EXPECT_GE(smallest * 4, ci.resolution_ticks);
}

}  // namespace
