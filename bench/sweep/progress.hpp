// progress.hpp: the sweep's progress line on stderr ("[sweep] 3/32 configurations ...
// elapsed 0:12  ETA 1:05"), from the configurations' estimates scaled by the pace
// measured so far.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace ringlab::sweep {

// 75 -> "1:15", 3725 -> "1:02:05".
std::string hms(double seconds);

class ProgressLine {
public:
    std::size_t total = 0;         // configurations to run
    double total_estimate = 0;     // their estimated seconds

    // runs: repetitions of configuration `name` just reported, whose estimate covers all
    // its `repetitions`.  With random interleaving GB reports one repetition at a time,
    // so a configuration counts as done once all its repetitions are in.  Prints the line.
    void advance(const std::string& name, double estimate_s, int repetitions, int runs);

    std::size_t done() const { return done_; }
    double elapsed_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }

private:
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
    std::size_t done_ = 0, runs_done_ = 0;
    double done_estimate_ = 0;
    std::map<std::string, int> reps_seen_;  // repetitions reported per configuration
};

}  // namespace ringlab::sweep
