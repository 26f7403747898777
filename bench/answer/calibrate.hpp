// calibrate.hpp: `ringlab answer --calibrate`: the statistics checked on this
// machine.  Side B spends a planted, measured number of extra ns per buffer (a known
// slowdown), next to A/A pairs whose sides are identical; the report is how often
// each planted effect was found, how often a verdict was false, and the smallest
// effect resolved within the budget.
//
// Where the plant goes (--plant):
//   serial (default): the device CPU spins the planted share of B's own timed window
//       right after it, and that measured spin is added to B's time (A spins the same
//       share after its own window, not counted, so both leave the machine alike).  The ring itself runs
//       exactly as A's, so the effect on the ratio is known, and the trial tests the
//       statistics against this machine's real noise.  A share rather than fixed ns: a
//       fixed 12 ns on a 125 ns round trip measured +7.6% to +14.7% as the machine's speed
//       moved, and half of such trials were (rightly) called state-dependent.
//   ring: the device spins extra_ns per buffer inside its loop, before publishing.
//       That measures how the ring responds to device work, not the statistics: at
//       --outstanding 1 a small device delay is not additive (it changes when each side
//       polls the other's line), and on the development VM a planted +5% came out
//       faster in 7 of 20 trials and slower in 3.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "answer/paired.hpp"

namespace ringlab::answer {

enum class PlantSite : std::uint8_t { serial, ring };
const char* to_string(PlantSite s);

struct CalibrateOptions {
    std::vector<double> plant_pct = {2, 5, 10};  // planted slowdowns, percent of a buffer's cost
    int trials = 3;                              // per planted effect and for A/A
    PlantSite site = PlantSite::serial;
};

struct CalibrationTrial {
    double target_pct = 0;      // 0 = A/A
    std::uint64_t extra_ns = 0; // what the device was told to spend per buffer
    double expected_ratio = 1;  // 1 + measured extra / A's ns per buffer
    bool covered = false;       // the interval contains expected_ratio
    QuestionOutcome out;
};

struct CalibrationGroup {
    double target_pct = 0;
    int trials = 0, detected = 0, false_verdicts = 0, covered = 0;
};

struct CalibrationReport {
    PlantSite site = PlantSite::serial;
    double base_ns = 0;         // A's ns per buffer when sizing the plants
    bool base_clean = true;     // false: every probe run was interrupted (plants sized from a slow run)
    std::vector<CalibrationTrial> trials;
    std::vector<CalibrationGroup> groups;  // A/A first
    int false_verdicts = 0, verdicts = 0;
    std::optional<double> resolved_pct;    // smallest planted effect found in every trial
    double median_mde_pct = 0;             // the trials' own mde
};

CalibrationReport run_calibration(const AnswerOptions& o, const CalibrateOptions& c);

}  // namespace ringlab::answer
