// Synthetic pairs with known effects: what the statistics must and must not conclude.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "answer/stats.hpp"

using namespace ringlab::answer;

namespace {

// n pairs whose B/A is `ratio` times lognormal noise of `sd` (log scale).
std::vector<double> pairs(std::size_t n, double ratio, double sd, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0, sd);
    std::vector<double> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(std::log(ratio) + noise(rng));
    return v;
}

Verdict verdict_of(const std::vector<double>& logs, double threshold_pct = 2) {
    Summary s = summarize(logs);
    return decide(s, check_halves(logs, threshold_pct), DecideOptions{threshold_pct, 10}).verdict;
}

}  // namespace

TEST(Quantiles, MatchTables) {
    EXPECT_NEAR(normal_quantile(0.975), 1.959964, 1e-5);
    EXPECT_NEAR(normal_quantile(0.8), 0.841621, 1e-5);
    EXPECT_NEAR(t_quantile(0.975, 1), 12.7062, 1e-3);
    EXPECT_NEAR(t_quantile(0.975, 2), 4.3027, 1e-3);
    EXPECT_NEAR(t_quantile(0.975, 3), 3.1824, 0.01);
    EXPECT_NEAR(t_quantile(0.975, 10), 2.2281, 0.002);
    EXPECT_NEAR(t_quantile(0.975, 30), 2.0423, 0.001);
    EXPECT_NEAR(t_quantile(0.8, 10), 0.8791, 0.002);
}

TEST(Summary, RecoversAKnownEffect) {
    auto logs = pairs(60, 1.05, 0.01, 1);
    Summary s = summarize(logs);
    EXPECT_LT(s.lo, 1.05);
    EXPECT_GT(s.hi, 1.05);
    EXPECT_NEAR(s.ratio, 1.05, 0.01);
    EXPECT_EQ(verdict_of(logs), Verdict::slower);
    EXPECT_EQ(verdict_of(pairs(60, 1 / 1.05, 0.01, 2)), Verdict::faster);
}

TEST(Summary, TooFewPairsGiveNoVerdict) {
    auto logs = pairs(5, 1.5, 0.001, 3);
    EXPECT_EQ(verdict_of(logs), Verdict::inconclusive);
    Summary s = summarize({0.1, 0.2});
    EXPECT_TRUE(std::isinf(s.hi));
}

// A/A: identical sides.  A 95% interval excludes 1 about 5% of the time; with the
// +-2% margin a false verdict also needs an interval reaching beyond the margin.
// 400 trials of 30 noisy pairs (3% per pair): the 5% bound must hold, with room for chance.
TEST(Summary, AaFalseVerdictRateIsBounded) {
    int wrong = 0, covered = 0;
    for (int t = 0; t < 400; ++t) {
        auto logs = pairs(30, 1.0, 0.03, 100 + t);
        Summary s = summarize(logs);
        if (s.lo <= 1 && 1 <= s.hi) ++covered;
        Verdict v = verdict_of(logs);
        if (v == Verdict::slower || v == Verdict::faster) ++wrong;
    }
    EXPECT_GE(covered, 360);  // nominal 380 of 400
    EXPECT_LE(wrong, 20);
}

// Consecutive pairs that share the machine's state: A/A ratios with AR(1) noise (each pair
// 0.7 like the one before).  The per-pair error alone would cover 1 about half the time;
// the batch-means error keeps the interval honest.
TEST(Summary, CorrelatedPairsKeepTheIntervalHonest) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> noise(0, 0.01);
    int covered = 0;
    const int trials = 300;
    for (int t = 0; t < trials; ++t) {
        std::vector<double> logs;
        double e = 0;
        for (int i = 0; i < 144; ++i) {
            e = 0.7 * e + noise(rng);
            logs.push_back(e);
        }
        Summary s = summarize(logs);
        if (s.lo <= 1 && 1 <= s.hi) ++covered;
    }
    EXPECT_GE(covered, trials * 85 / 100) << covered << " of " << trials;
}

// The machine doubles its speed half-way.  Each pair's slices share one speed, so the
// ratios do not move and no verdict follows; the unpaired comparison (A's slices from
// the slow half against B's from the fast one) would call B 2x faster.
TEST(Drift, StepChangeOfSpeedHalfWayGivesNoVerdict) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0, 0.02);
    std::vector<double> logs, a_slices, b_slices;
    for (int i = 0; i < 80; ++i) {
        const double speed = i < 40 ? 1.0 : 0.5;  // ns per buffer halves
        const double a = 300 * speed * std::exp(noise(rng)), b = 300 * speed * std::exp(noise(rng));
        logs.push_back(std::log(b / a));
        a_slices.push_back(a);
        b_slices.push_back(b);
    }
    Verdict v = verdict_of(logs);
    EXPECT_NE(v, Verdict::slower);
    EXPECT_NE(v, Verdict::faster);
    // The same slices unpaired: first-half A against second-half B.
    double a_first = 0, b_second = 0;
    for (int i = 0; i < 40; ++i) a_first += a_slices[i], b_second += b_slices[40 + i];
    EXPECT_LT(b_second / a_first, 0.6);
}

// A step within the ratio itself (B's cost changes relative to A's half-way): no single
// answer holds, so the verdict is inconclusive and says why.
TEST(Drift, RatioThatChangesHalfWayIsInconclusive) {
    auto logs = pairs(40, 1.0, 0.01, 11);
    auto second = pairs(40, 1.10, 0.01, 12);
    logs.insert(logs.end(), second.begin(), second.end());
    HalvesCheck h = check_halves(logs, 2);
    EXPECT_TRUE(h.differ);
    Decision d = decide(summarize(logs), h, DecideOptions{2, 10});
    EXPECT_EQ(d.verdict, Verdict::inconclusive);
    EXPECT_NE(d.why.find("changed while it was measured"), std::string::npos);
    // Both halves at one ratio: no such complaint.
    EXPECT_FALSE(check_halves(pairs(80, 1.05, 0.01, 13), 2).differ);
}

TEST(Equivalence, NarrowIntervalInsideTheMarginIsEquivalent) {
    EXPECT_EQ(verdict_of(pairs(100, 1.003, 0.01, 21)), Verdict::equivalent);
    // The same small effect measured with much noise: neither equivalent nor a verdict.
    EXPECT_EQ(verdict_of(pairs(12, 1.003, 0.2, 22)), Verdict::inconclusive);
    // A narrower margin turns a resolved 1.5% into a verdict.
    EXPECT_EQ(verdict_of(pairs(200, 1.015, 0.005, 23), 0.5), Verdict::slower);
}

TEST(Robustness, OnePreemptedPairDoesNotMakeAVerdict) {
    auto logs = pairs(30, 1.0, 0.005, 31);
    logs[7] = std::log(5.0);  // one slice ran 5x long (another process had the CPU)
    logs[19] = std::log(3.0);
    EXPECT_EQ(verdict_of(logs), Verdict::equivalent);
}

// Sequential measurement: stop when the half-width drops below 1%, never before min_pairs.
TEST(Stopping, StopsWhenPreciseAndNotBeforeMinPairs) {
    std::mt19937_64 rng(41);
    std::normal_distribution<double> noise(0, 0.02);
    std::vector<double> logs;
    std::size_t stopped_at = 0;
    for (std::size_t i = 1; i <= 1000; ++i) {
        logs.push_back(std::log(1.04) + noise(rng));
        if (precise_enough(summarize(logs), 1.0, 10)) {
            stopped_at = i;
            break;
        }
    }
    // Half-width ~ t * 2% / sqrt(n) < 1%: n about 17-20.
    EXPECT_GE(stopped_at, 10u);
    EXPECT_LE(stopped_at, 40u);
    EXPECT_LT(summarize(logs).half_width_pct, 1.0);
    EXPECT_EQ(verdict_of(logs), Verdict::slower);
    // Exact ratios: precise at once, yet no stop before min_pairs.
    std::vector<double> exact(5, std::log(1.01));
    EXPECT_FALSE(precise_enough(summarize(exact), 1.0, 10));
    exact.resize(10, std::log(1.01));
    EXPECT_TRUE(precise_enough(summarize(exact), 1.0, 10));
}

TEST(Summary, MdeGrowsWithNoiseAndShrinksWithPairs) {
    Summary quiet = summarize(pairs(50, 1, 0.01, 51));
    Summary noisy = summarize(pairs(50, 1, 0.05, 51));
    Summary more = summarize(pairs(400, 1, 0.05, 52));
    EXPECT_LT(quiet.mde_pct, noisy.mde_pct);
    EXPECT_LT(more.mde_pct, noisy.mde_pct);
    EXPECT_GT(quiet.mde_pct, quiet.half_width_pct);  // 80% power needs more than the half-width
}

// A time read from histogram buckets that falls in the same bucket on both sides in every
// pair has no spread: no interval, so no "equivalent" either.  A count may be exactly equal.
TEST(Quantized, SameBucketInEveryPairIsNoInterval) {
    const std::vector<double> same(20, 0.0);
    Summary s = summarize(same);
    Decision d = decide(s, check_halves(same, 2), DecideOptions{2, 10});
    EXPECT_EQ(d.verdict, Verdict::inconclusive);
    EXPECT_NE(d.why.find("histogram buckets"), std::string::npos) << d.why;
    EXPECT_EQ(decide(s, check_halves(same, 2), DecideOptions{2, 10, true}).verdict, Verdict::equivalent);
}
