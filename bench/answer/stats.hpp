// stats.hpp: the statistics of a paired comparison.  Each pair of slices (A then B,
// or B then A) gives one ratio B/A; everything here works on the logs of those
// ratios, so that "10% slower" and "10% faster" are symmetric and a machine that
// changes speed between pairs (not within one) cancels out of every ratio.
//
// The location is a 10% trimmed mean of the log ratios with Yuen's winsorised
// standard error: a t-interval that one preempted slice or one floor jump cannot
// drag, unlike the plain mean, yet as efficient as the mean on clean data.
// No I/O, no clocks: tests feed it synthetic pairs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ringlab::answer {

// Quantiles: standard normal, and Student's t with df degrees of freedom (df >= 1).
double normal_quantile(double p);
double t_quantile(double p, double df);

struct Summary {
    std::size_t n = 0;          // pairs used
    double mean_log = 0;        // trimmed mean of log(B/A)
    double se_log = 0;          // its standard error (Yuen)
    double df = 0;              // degrees of freedom of the t-interval
    double sd_log = 0;          // winsorised spread of one pair's log ratio (the noise per pair)
    double ratio = 1, lo = 0, hi = 0;  // exp(mean), and the 95% interval on the ratio
    double half_width_pct = 0;  // (exp(t * se) - 1) * 100: the interval's half-width in percent
    double mde_pct = 0;         // smallest effect found with 80% power at this noise and n (percent)
};

// 95% (or `confidence`) interval from log ratios.  n < 3 gives an infinite interval.
Summary summarize(const std::vector<double>& log_ratios, double confidence = 0.95);

enum class Verdict { faster, slower, equivalent, inconclusive };
const char* to_string(Verdict v);

struct DecideOptions {
    double threshold_pct = 2;   // equivalence margin: "no difference beyond +-T%"
    std::size_t min_pairs = 10; // fewer pairs: never a verdict
    // The metric is a count (kicks per buffer): equal values in every pair are an exact answer.
    // A time that comes out the same in every pair was read from a histogram's buckets, so
    // there a zero-width interval is no interval (inconclusive).
    bool count = false;
};

// The ratio of the first and the second half of the pairs, and whether they
// disagree: the comparison itself changed while it was measured (not the
// machine's speed, which the pairing cancels), so no single verdict holds.
struct HalvesCheck {
    bool differ = false;
    double first_ratio = 1, second_ratio = 1;
};
HalvesCheck check_halves(const std::vector<double>& log_ratios, double threshold_pct);

struct Decision {
    Verdict verdict = Verdict::inconclusive;
    std::string why;  // for inconclusive: what was missing; otherwise empty
};

// faster / slower: the interval excludes 1 and is not wholly inside +-T;
// equivalent: the whole interval inside [1 - T%, 1 + T%];
// inconclusive: too few pairs, the halves disagree, or the interval crosses 1 and reaches beyond +-T.
Decision decide(const Summary& s, const HalvesCheck& h, const DecideOptions& o);

// The stopping rule: enough pairs and the interval's half-width below target_pct.
// It looks at the precision only, never at the estimate, so stopping early does not
// bias the verdict toward a difference.
bool precise_enough(const Summary& s, double target_pct, std::size_t min_pairs);

}  // namespace ringlab::answer
