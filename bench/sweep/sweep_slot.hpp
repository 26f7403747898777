// sweep_slot.hpp: one registered benchmark (a configuration of the sweep) and what
// its calls measured, as the runner and the results recorder share them.
#pragma once

#include <string>
#include <vector>

#include "engine/run_result.hpp"
#include "results/pmu_section.hpp"
#include "sweep/sweep_spec.hpp"

namespace ringlab::sweep {

struct Trial {
    RunResult result;
    results::PmuReadings pmu;
    bool has_pmu = false;
    std::string relation;
};

struct Slot {
    SweepConfig config;
    std::string name;
    const Row* row = nullptr;
    int repetitions = 1;            // what GB will do (spec or --benchmark_repetitions)
    std::vector<Trial> trials;      // every call; the last `repetitions` are the reported runs
    double estimate_s = 0;
    bool started = false;           // a Ctrl-C lets a started configuration finish its repetitions
};

}  // namespace ringlab::sweep
