// question.hpp: what `ringlab answer` asks.  A question is two sides (A, the
// reference, and B, the alternative), measured alternately in short slices on one
// CPU pair, and the metrics read from every slice.  Every metric is a cost
// (lower is better), so B/A > 1 means B costs more.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/run_config.hpp"
#include "engine/run_result.hpp"

namespace ringlab::answer {

// What one slice (one side, one short run) measured.
struct Slice {
    std::vector<double> values;                    // one per metric of the question; NaN = not measured
    std::optional<double> floor_before_ns, floor_after_ns;  // cache-line round trip around the slice
    double on_cpu = 1;          // spinning roles: the lowest fraction of the window a role was on its CPU
    bool spins = false;         // on_cpu applies: every role should spin through the window
    bool valid = true;          // verification passed, nothing stuck
    std::string problem;
    double planted_ns = 0;      // calibration: measured extra ns per buffer in this slice
    double planted_ratio = 1;   // calibration, serial plant: (window + measured spin) / window
    double wall_s = 0;          // the slice's wall time, floors and start-up included
    double per_unit_ns = 0;     // ns per unit (buffer or site operation) in the timed window
    double lock_hold_max_us = 0, lock_wait_max_us = 0, lock_hold_mean_us = 0, lock_wait_mean_us = 0;  // for the notes of the lock question
};

struct Metric {
    std::string id;     // ns_per_buffer, latency_p99_ns, ...
    std::string name;   // in words, with the unit
    bool count = false; // a count (kicks): "more/fewer" instead of "slower/faster"
    std::function<double(const RunResult&)> of;  // engine sides; site sides fill values[] themselves
};

struct Side {
    std::string label;     // as the report names it: "barrier=mandatory"
    RunConfig cfg;         // engine sides
    // Calibration's serial plant: the device CPU spins this percent of the slice's own timed
    // window right after it, and the spin's measured time is added to the slice's
    // (calibrate.hpp).  A share, not a fixed ns: the planted ratio then stays the same when
    // the machine changes speed, as a real "5% slower" would.
    double serial_plant_pct = 0;
    // False on A, the side without the plant: it spins the same share after its window but
    // that time is not added.  Both sides then leave the machine in the same state for
    // whatever runs next (a spinning CPU, not an idle one), and a slice that follows a spin
    // is as often A as B.  Without it a planted ratio measured 0.5-1% above its own value.
    bool serial_plant_counts = true;
    // Site sides (per-site primitive cost): run `units` operations pinned to `cpu`; values[0] = ns/op.
    std::function<Slice(std::uint64_t units, int cpu)> micro;
};

// What the instructions say the answer must be, for the plausibility check.
enum class Expect : std::uint8_t {
    none,
    b_not_faster,       // B emits A's instructions plus more work (branch, ops vs smp)
    same_if_same_insns, // equivalent wherever ringlab list gives both the same instructions
};

struct Question {
    std::string id;        // short, for --question
    std::string seed;      // the thread it comes from
    std::string text;      // the question, in words
    Side a, b;
    std::vector<Metric> metrics;  // the first drives the stopping rule
    Expect expect = Expect::none;
    std::string a_barrier, b_barrier;  // for same_if_same_insns: the policies to look up
    // B adds work in a role (a stronger barrier, a barrier per device access): B faster is
    // possible in a ring, not an error, and is flagged with why (check_plausibility).
    bool b_adds_work = false;
};

// Every question, in the order `answer --list` prints them.
const std::vector<Question>& all_questions();
const Question* find_question(const std::string& id);

// The calibration question: A/A (extra_ns 0) or a planted delay of extra_ns per buffer,
// after B's window (serial) or in the device's loop (ring_site).
Question calibration_question(double pct, std::uint64_t extra_ns, const std::string& id, bool ring_site = false);

}  // namespace ringlab::answer
