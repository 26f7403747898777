// calibrate.hpp: `ringlab answer --calibrate`: the statistics checked on this
// machine.  The device spends a planted, measured number of extra ns per buffer
// (a known slowdown), next to A/A pairs whose sides are identical; the report is
// how often each planted effect was found, how often a verdict was false, and the
// smallest effect resolved within the budget.
#pragma once

#include <optional>
#include <vector>

#include "answer/paired.hpp"

namespace ringlab::answer {

struct CalibrateOptions {
    std::vector<double> plant_pct = {2, 5, 10};  // planted slowdowns, percent of a buffer's cost
    int trials = 3;                              // per planted effect and for A/A
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
