// clock_test.cpp: the cycle timer.  No timing assertions beyond "plausible".
#include <gtest/gtest.h>

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
