// paired.hpp: the measurement of one question.  A and B run alternately in short
// slices on one CPU pair inside this process, each pair in a random order; each
// pair gives one ratio B/A per metric.  Pairs that mixed two machine states are set
// aside with the reason (the floor moved within the pair, a spinning side was off
// its CPU, a slice failed); measuring stops when the first metric's 95% interval is
// narrower than the target or the budget is spent.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "answer/question.hpp"
#include "answer/stats.hpp"

namespace ringlab::answer {

struct AnswerOptions {
    double budget_s = 30;        // per question
    double target_pct = 1;       // stop when the 95% half-width is below this
    double threshold_pct = 2;    // equivalence margin
    double slice_ms = 2;         // timed window of one slice: shorter than a scheduler time slice on a loaded machine
    int floor_rounds = 2000;     // pingpong rounds of each floor measurement between slices
    std::size_t min_pairs = 10;
    int cpu_a = -1, cpu_b = -1;  // driver, device (site loops run on cpu_a)
    std::uint64_t seed = 0;      // order of each pair
    std::FILE* progress = nullptr;  // one line per question when done (and every few seconds)
};

struct PairRecord {
    bool b_first = false;
    Slice a, b;
    std::string excluded;  // why this pair is not used; empty = used
};

struct MetricOutcome {
    std::string id, name;
    bool count = false;
    Summary summary;
    HalvesCheck halves;
    Decision decision;
    double a_median = 0, b_median = 0;
    std::size_t undefined = 0;   // used pairs where the metric was zero or missing on a side
    std::string words;           // "B is 3.1% slower [1.2, 5.0]" ...
    std::vector<std::string> flags;  // plausibility: contradicts the instructions, ...
};

struct QuestionOutcome {
    std::string id, question, seed, a_label, b_label;
    std::vector<PairRecord> pairs;
    std::vector<MetricOutcome> metrics;
    std::size_t used = 0, floor_moved = 0, off_cpu = 0, failed = 0;
    double seconds = 0;
    std::string stop;            // "target reached" | "budget spent"
    double floor_median_ns = 0, floor_min_ns = 0, floor_max_ns = 0;
    double per_unit_a_ns = 0;    // A's cost per buffer/site (for sizing and for the calibration)
    std::uint64_t slice_units = 0;
    double planted_ns = 0;       // calibration: median measured extra ns per buffer of B
    double planted_ratio = 1;    // calibration, serial plant: median planted ratio of B's slices
    std::vector<std::string> notes;
};

// Throws std::invalid_argument for a configuration the engine refuses.
QuestionOutcome run_question(const Question& q, const AnswerOptions& o);

// Summary, halves, decision and words for every metric from the used pairs (also after each pair).
void evaluate(const Question& q, const AnswerOptions& o, QuestionOutcome& out);

// "B is 3.1% slower [1.2%, 5.0%]" / "no difference beyond +-2%" / "inconclusive: why".
std::string verdict_words(const MetricOutcome& m, double threshold_pct);

}  // namespace ringlab::answer
