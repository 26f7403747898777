#include "answer/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "engine/engine.hpp"

namespace ringlab::answer {

const char* to_string(PlantSite s) { return s == PlantSite::ring ? "ring" : "serial"; }

CalibrationReport run_calibration(const AnswerOptions& o, const CalibrateOptions& c) {
    CalibrationReport rep;
    rep.site = c.site;
    // Base cost of one buffer: the fastest of a few short runs of side A in which both roles
    // stayed on their CPUs (a run another process interrupted is slower, never faster, and on a
    // loaded machine most are): up to 60 tries for 5 such runs.
    Question probe_q = calibration_question(0, 0, "calibrate/probe");
    std::vector<double> clean, any;
    for (int i = 0; i < 60 && clean.size() < 5; ++i) {
        RunConfig cfg = probe_q.a.cfg;
        cfg.driver_cpu = o.cpu_a;
        cfg.device_cpu = o.cpu_b;
        cfg.buffers = 2000;
        cfg.warmup_buffers = 1000;
        cfg.measure_floor = false;
        RunResult r = run_engine(cfg);
        if (!r.valid || r.buffers == 0) continue;
        any.push_back(r.ns_per_buffer());
        const double wall = r.seconds * 1e9;
        if (wall > 0 && double(std::min(r.driver.cpu_ns, r.device.cpu_ns)) >= 0.9 * wall) clean.push_back(r.ns_per_buffer());
    }
    if (any.empty()) throw std::runtime_error("calibration: no probe run of the base configuration completed");
    const auto& use = clean.empty() ? any : clean;
    rep.base_ns = *std::min_element(use.begin(), use.end());
    rep.base_clean = !clean.empty();

    std::vector<double> effects = {0};
    effects.insert(effects.end(), c.plant_pct.begin(), c.plant_pct.end());
    for (double e : effects) rep.groups.push_back({e});
    // Trials interleaved over the effects, in a random order per round, so that a
    // slow minute of the machine does not fall on one effect only.
    std::mt19937_64 rng(o.seed);
    std::vector<double> mdes;
    for (int t = 0; t < c.trials; ++t) {
        std::vector<std::size_t> order(effects.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t gi : order) {
            const double e = effects[gi];
            CalibrationTrial tr;
            tr.target_pct = e;
            tr.extra_ns = std::uint64_t(std::llround(rep.base_ns * e / 100));
            char id[64];
            if (e == 0) std::snprintf(id, sizeof id, "calibrate/aa/%d", t + 1);
            else std::snprintf(id, sizeof id, "calibrate/plant-%gpct/%d", e, t + 1);
            Question q = calibration_question(e, tr.extra_ns, id, c.site == PlantSite::ring);
            AnswerOptions oo = o;
            oo.seed = o.seed + std::uint64_t(t) * 7919 + gi;
            tr.out = run_question(q, oo);
            const auto& m = tr.out.metrics[0];
            // Serial: the share B's slices really spun (measured).  Ring: the planted ns over A's cost.
            if (c.site == PlantSite::serial) tr.expected_ratio = e > 0 ? tr.out.planted_ratio : 1;
            else tr.expected_ratio = tr.out.per_unit_a_ns > 0 ? 1 + tr.out.planted_ns / tr.out.per_unit_a_ns : 1;
            // Only an interval from enough pairs can cover anything; an infinite one proves nothing.
            tr.covered = m.summary.n >= o.min_pairs && m.summary.lo <= tr.expected_ratio && tr.expected_ratio <= m.summary.hi;
            auto& g = rep.groups[gi];
            ++g.trials;
            const Verdict v = m.decision.verdict;
            if (v == Verdict::faster || v == Verdict::slower) ++rep.verdicts;
            const bool wrong = e == 0 ? (v == Verdict::faster || v == Verdict::slower) : v == Verdict::faster;
            if (wrong) ++g.false_verdicts, ++rep.false_verdicts;
            if (e > 0 && v == Verdict::slower) ++g.detected;
            if (tr.covered) ++g.covered;
            if (std::isfinite(m.summary.mde_pct)) mdes.push_back(m.summary.mde_pct);
            if (o.progress)
                std::fprintf(o.progress, "  %-24s planted %5.1f%% (%llu ns, measured ratio %.4f): %s\n", id, e,
                             (unsigned long long)tr.extra_ns, tr.expected_ratio, m.words.c_str());
            rep.trials.push_back(std::move(tr));
        }
    }
    for (const auto& g : rep.groups)
        if (g.target_pct > 0 && g.detected == g.trials && g.trials > 0 &&
            (!rep.resolved_pct || g.target_pct < *rep.resolved_pct))
            rep.resolved_pct = g.target_pct;
    if (!mdes.empty()) {
        std::sort(mdes.begin(), mdes.end());
        rep.median_mde_pct = mdes[mdes.size() / 2];
    }
    return rep;
}

}  // namespace ringlab::answer
