// progress.cpp: the sweep's progress line (progress.hpp).
#include "sweep/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ringlab::sweep {

std::string hms(double s) {
    if (!std::isfinite(s) || s < 0) s = 0;
    auto t = static_cast<long>(s + 0.5);
    char buf[32];
    if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
    return buf;
}

// Progress counts repetitions against their share of the estimate and scales the rest
// by the measured pace: the ETA comes from measured time, not from the estimate alone.
void ProgressLine::advance(const std::string& name, double estimate_s, int repetitions, int runs) {
    const int reps = std::max(1, repetitions);
    runs_done_ += runs;
    done_estimate_ += estimate_s * double(runs) / double(reps);
    auto& seen = reps_seen_[name];
    seen += runs;
    if (seen >= reps && seen - runs < reps) ++done_;
    const double elapsed = elapsed_s();
    const double scale = done_estimate_ > 0 ? elapsed / done_estimate_ : 1.0;
    const double eta = std::max(0.0, total_estimate - done_estimate_) * scale;
    std::fprintf(stderr, "[sweep] %zu/%zu configurations (%zu repetitions)  elapsed %s  ETA %s  (%s)\n", done_,
                 total, runs_done_, hms(elapsed).c_str(), hms(eta).c_str(), name.c_str());
}

}  // namespace ringlab::sweep
