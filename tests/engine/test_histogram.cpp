#include <gtest/gtest.h>

#include <random>

#include "engine/histogram.hpp"

using ringlab::Histogram;

TEST(Histogram, BucketBoundsContainTheirValues) {
    std::mt19937_64 rng(1);
    for (int i = 0; i < 100000; ++i) {
        std::uint64_t v = rng() >> (rng() % 64);
        unsigned b = Histogram::index_of(v);
        ASSERT_LT(b, Histogram::kBuckets);
        ASSERT_LE(Histogram::lower_of(b), v);
        ASSERT_GE(Histogram::upper_of(b), v);
    }
}

TEST(Histogram, PercentilesWithinRelativeError) {
    Histogram h;
    for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v);
    EXPECT_EQ(h.count(), 100000u);
    EXPECT_EQ(h.max(), 100000u);
    EXPECT_EQ(h.min(), 1u);
    for (double p : {0.5, 0.9, 0.99, 0.999}) {
        double want = p * 100000, got = double(h.percentile(p));
        EXPECT_NEAR(got, want, want / 64.0) << "p=" << p;
    }
}

TEST(Histogram, ScaledAndMerged) {
    Histogram a, b;
    for (int i = 0; i < 1000; ++i) a.record(1000);
    for (int i = 0; i < 1000; ++i) b.record(3000);
    a.merge(b);
    EXPECT_EQ(a.count(), 2000u);
    EXPECT_EQ(a.max(), 3000u);
    auto s = a.scaled(0.5);
    EXPECT_EQ(s.count(), 2000u);
    EXPECT_NEAR(double(s.percentile(0.25)), 500.0, 8.0);
    EXPECT_NEAR(double(s.percentile(0.75)), 1500.0, 16.0);
}
