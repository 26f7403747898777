#include "answer/paired.hpp"
#include "guest/guest.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>

#include "answer/plausibility.hpp"
#include "engine/cpu_affinity.hpp"
#include "engine/engine.hpp"
#include "engine/planted_delay.hpp"
#include "ringsim/clock.hpp"

namespace ringlab::answer {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// A spinning role shorter on its CPU than this fraction of the window was preempted
// (another process ran there): its slice timed the scheduler, not the ring.
constexpr double kMinOnCpu = 0.9;

// Calibration's serial plant: the device CPU spins for pct% of window_ns, once the ring has
// stopped, by the timer; returns the spin's measured ns.  Timed, not a count of iterations:
// iterations calibrated once take another time when the VM's speed changes, and the planted
// share then followed the machine's state (a planted 10% measured 5.3% in one run, from 5.3%
// to 10.4% across its trials, and the halves of a trial disagreed).  A share of B's own
// window, so the planted ratio is 1 + pct/100 whatever the speed, as a real "10% slower" is.
double spin_serial_plant(double pct, double window_ns, int cpu) {
    const double target_ns = pct / 100 * window_ns;
    double ns = 0;
    std::thread t([&] {
        if (cpu >= 0) (void)pin_this_thread(cpu);  // unpinned is still a real spin, only elsewhere
        const std::uint64_t t0 = ringsim::clock::now();
        std::uint64_t t1 = t0;
        do {
            planted_chain(16);  // a few ns of work between reads of the timer
            t1 = ringsim::clock::now_end();
        } while (ringsim::clock::to_ns(double(t1 - t0)) < target_ns);
        ns = ringsim::clock::to_ns(double(t1 - t0));
    });
    t.join();
    return ns;
}

Slice run_slice(const Side& side, const Question& q, std::uint64_t units, const AnswerOptions& o) {
    const auto t0 = Clock::now();
    Slice s;
    if (side.micro) {
        Slice m = side.micro(units, o.cpu_a);
        m.wall_s = since(t0);
        return m;
    }
    RunConfig cfg = side.cfg;
    cfg.driver_cpu = o.cpu_a;
    cfg.device_cpu = o.cpu_b;
    cfg.buffers = units;
    cfg.duration_s = 0;
    // The pair runner measures the floor itself, between the slices and with fewer rounds
    // than run_engine's: on a loaded machine each round can wait for a time slice.
    cfg.measure_floor = false;
    cfg.counters = nullptr;
    // Warm-up per slice, the same for both sides: every descriptor line touched twice at least,
    // half a slice when that is more, at most the engine's default.
    cfg.warmup_buffers = std::clamp<std::uint64_t>(units / 2, 2ull * cfg.ring_size, 20000);
    RunResult r = guest::run_configuration(cfg);  // host threads, or the KVM guest for host kvm
    s.valid = r.valid;
    for (const auto& p : r.problems) s.problem += (s.problem.empty() ? "" : "; ") + p;
    // Only a configuration whose every role spins on its own CPU must stay on it: sleeping
    // sides and submitters sharing a CPU leave it by design.  Judged on the ring's window,
    // before a serial plant lengthens it.  (Not a guest side: its vCPU's CPU time is sampled
    // every 2 ms, too coarse for a slice.)
    s.spins = cfg.wait == WaitMode::spin && cfg.submitters == 1 && cfg.host == HostKind::thread;
    if (s.spins && r.seconds > 0) {
        const double wall = r.seconds * 1e9;
        s.on_cpu = std::min(1.0, double(std::min(r.driver.cpu_ns, r.device.cpu_ns)) / wall);
    }
    s.planted_ns = r.planted_delay_ns;
    if (side.serial_plant_pct > 0 && r.valid && r.buffers && r.seconds > 0) {
        const double window_ns = r.seconds * 1e9;
        const double spun = spin_serial_plant(side.serial_plant_pct, window_ns, o.cpu_b);
        if (side.serial_plant_counts) {
            r.seconds += spun / 1e9;
            s.planted_ns = spun / double(r.buffers);
            s.planted_ratio = 1 + spun / window_ns;
        }
    }
    for (const auto& m : q.metrics) s.values.push_back(m.of ? m.of(r) : std::numeric_limits<double>::quiet_NaN());
    s.per_unit_ns = r.ns_per_buffer();
    s.lock_hold_max_us = double(r.lock.hold.max_ns) / 1000;
    s.lock_hold_mean_us = r.lock.hold.mean_ns() / 1000;
    s.lock_wait_mean_us = r.lock.wait.mean_ns() / 1000;
    s.lock_wait_max_us = double(r.lock.wait.max_ns) / 1000;
    s.wall_s = since(t0);
    return s;
}

double floor_ns(const AnswerOptions& o) { return measure_pingpong(o.cpu_a, o.cpu_b, o.floor_rounds).median_ns; }

std::string exclusion(const PairRecord& p) {
    if (!p.a.valid || !p.b.valid)
        return "a slice failed: " + (p.a.valid ? p.b.problem : p.a.problem);
    std::vector<double> f;
    for (const Slice* s : {&p.a, &p.b})
        for (const auto& x : {s->floor_before_ns, s->floor_after_ns})
            if (x && *x > 0) f.push_back(*x);
    if (f.size() >= 2) {
        auto [lo, hi] = std::minmax_element(f.begin(), f.end());
        if (*hi / *lo > kFloorMovedRatio) return "floor moved within the pair";
    }
    for (const Slice* s : {&p.a, &p.b})
        if (s->spins && s->on_cpu < kMinOnCpu) return "a spinning side was off its CPU";
    return {};
}

}  // namespace

std::string verdict_words(const MetricOutcome& m, double threshold_pct) {
    const auto& s = m.summary;
    char buf[400];
    switch (m.decision.verdict) {
        case Verdict::slower:
            std::snprintf(buf, sizeof buf, "B is %.1f%% %s [%.1f%%, %.1f%%]", (s.ratio - 1) * 100,
                          m.count ? "more" : "slower", (s.lo - 1) * 100, (s.hi - 1) * 100);
            break;
        case Verdict::faster:
            std::snprintf(buf, sizeof buf, "B is %.1f%% %s [%.1f%%, %.1f%%]", (1 - s.ratio) * 100,
                          m.count ? "fewer" : "faster", (1 - s.hi) * 100, (1 - s.lo) * 100);
            break;
        case Verdict::equivalent:
            std::snprintf(buf, sizeof buf, "no difference beyond +-%.3g%% (B/A %.4f [%.4f, %.4f])", threshold_pct,
                          s.ratio, s.lo, s.hi);
            break;
        case Verdict::inconclusive:
            std::snprintf(buf, sizeof buf, "inconclusive: %s", m.decision.why.c_str());
            break;
    }
    return buf;
}

void evaluate(const Question& q, const AnswerOptions& o, QuestionOutcome& out) {
    out.metrics.clear();
    out.used = out.floor_moved = out.off_cpu = out.failed = 0;
    for (const auto& p : out.pairs) {
        if (p.excluded.empty()) ++out.used;
        else if (p.excluded.rfind("floor", 0) == 0) ++out.floor_moved;
        else if (p.excluded.rfind("a spinning", 0) == 0) ++out.off_cpu;
        else ++out.failed;
    }
    for (std::size_t k = 0; k < q.metrics.size(); ++k) {
        MetricOutcome m;
        m.id = q.metrics[k].id;
        m.name = q.metrics[k].name;
        m.count = q.metrics[k].count;
        std::vector<double> logs, av, bv;
        for (const auto& p : out.pairs) {
            if (!p.excluded.empty()) continue;
            const double a = k < p.a.values.size() ? p.a.values[k] : NAN;
            const double b = k < p.b.values.size() ? p.b.values[k] : NAN;
            av.push_back(a);
            bv.push_back(b);
            if (std::isfinite(a) && std::isfinite(b) && a > 0 && b > 0) logs.push_back(std::log(b / a));
            else ++m.undefined;
        }
        m.a_median = median(av);
        m.b_median = median(bv);
        m.summary = summarize(logs);
        m.halves = check_halves(logs, o.threshold_pct);
        m.decision = decide(m.summary, m.halves, DecideOptions{o.threshold_pct, o.min_pairs, q.metrics[k].count});
        if (m.decision.verdict == Verdict::inconclusive && logs.size() < o.min_pairs) {
            if (m.undefined)
                m.decision.why += "; " + std::to_string(m.undefined) + " pairs had no value on a side (zero or not measured)";
            const std::size_t aside = out.pairs.size() - out.used;
            if (aside)
                m.decision.why += "; " + std::to_string(aside) + " of " + std::to_string(out.pairs.size()) +
                                  " pairs set aside (" + std::to_string(out.off_cpu) + " a spinning side off its CPU, " +
                                  std::to_string(out.floor_moved) + " floor moved, " + std::to_string(out.failed) +
                                  " failed)";
        }
        // When most pairs were set aside, the pairs left are the ones the machine happened to
        // leave undisturbed: not a fair sample of either side (a side whose slices run longer or
        // wake more is set aside more often), so no verdict is drawn from them.  Seen: a planted
        // 10% slowdown measured "4.6% faster" from 23 of 79 pairs under load.
        const std::size_t aside = out.pairs.size() - out.used;
        if (m.decision.verdict != Verdict::inconclusive && aside > out.used) {
            m.decision.verdict = Verdict::inconclusive;
            m.decision.why = "most pairs were set aside (" + std::to_string(aside) + " of " +
                             std::to_string(out.pairs.size()) + ": " + std::to_string(out.off_cpu) +
                             " a spinning side off its CPU, " + std::to_string(out.floor_moved) + " floor moved, " +
                             std::to_string(out.failed) + " failed), so the pairs left are not a fair sample";
        }
        m.words = verdict_words(m, o.threshold_pct);
        out.metrics.push_back(std::move(m));
    }
    check_plausibility(q, out);
}

QuestionOutcome run_question(const Question& q, const AnswerOptions& o) {
    QuestionOutcome out;
    out.id = q.id;
    out.question = q.text;
    out.seed = q.seed;
    out.a_label = q.a.label;
    out.b_label = q.b.label;
    const auto t0 = Clock::now();

    // Size the slices from one probe of each side, so that the costlier side's window is
    // about slice_ms long: a short slice is less often preempted on a shared machine.
    const bool micro = bool(q.a.micro);
    const std::uint64_t probe_units = micro ? 200000 : 2000;
    Slice probe = run_slice(q.a, q, probe_units, o);
    if (!probe.valid) throw std::runtime_error("question " + q.id + ": the probe run failed: " + probe.problem);
    Slice probe_b = run_slice(q.b, q, probe_units, o);
    if (!probe_b.valid) throw std::runtime_error("question " + q.id + ": the probe run failed: " + probe_b.problem);
    const double per_unit = std::max({probe.per_unit_ns, probe_b.per_unit_ns, 0.05});
    const double lo = micro ? 1e4 : 2e3, hi = micro ? 1e9 : 5e7;
    // Site loops: at most 1 ms, millions of sites already, and rarely cut by a time slice.
    const double slice_ms = micro ? std::min(o.slice_ms, 1.0) : o.slice_ms;
    out.slice_units = std::uint64_t(std::clamp(slice_ms * 1e6 / per_unit, lo, hi));

    std::mt19937_64 rng(o.seed ^ std::hash<std::string>{}(q.id));
    std::bernoulli_distribution coin(0.5);
    // Until a pair has been timed: two slice windows (the budget may run over by one pair).
    double last_pair_s = 2 * slice_ms / 1000;
    double next_progress = 10;
    for (;;) {
        const double el = since(t0);
        if (el + last_pair_s > o.budget_s) {
            out.stop = "budget spent";
            break;
        }
        const auto p0 = Clock::now();
        PairRecord p;
        // Orders in balanced twos: a random order, then its opposite.  Each slice's place in its
        // pair (after a floor and a slice, or after a floor only) has an effect of its own on a
        // VM; with an independent coin per pair, a few more "B first" than "A first" leave some
        // of it in the ratio (seen: A/A verdicts of 1.5-1.7% from 85-116 pairs taken in 1-2 s).
        p.b_first = out.pairs.size() % 2 ? !out.pairs.back().b_first : coin(rng);
        // floor, first slice, floor, second slice, floor.
        const Side& first = p.b_first ? q.b : q.a;
        const Side& second = p.b_first ? q.a : q.b;
        Slice& s1 = p.b_first ? p.b : p.a;
        Slice& s2 = p.b_first ? p.a : p.b;
        const double f0 = floor_ns(o);
        s1 = run_slice(first, q, out.slice_units, o);
        const double f1 = floor_ns(o);
        s2 = run_slice(second, q, out.slice_units, o);
        const double f2 = floor_ns(o);
        s1.floor_before_ns = f0;
        s1.floor_after_ns = s2.floor_before_ns = f1;
        s2.floor_after_ns = f2;
        p.excluded = exclusion(p);
        out.pairs.push_back(std::move(p));
        last_pair_s = since(p0);
        // The stopping rule reads the precision of the first metric only.
        evaluate(q, o, out);
        if (precise_enough(out.metrics[0].summary, o.target_pct, o.min_pairs)) {
            out.stop = "target reached";
            break;
        }
        if (o.progress && since(t0) > next_progress) {
            std::fprintf(o.progress, "  %-24s %4zu pairs, B/A %.4f +-%.2f%% so far, %.0f s\n", q.id.c_str(),
                         out.pairs.size(), out.metrics[0].summary.ratio, out.metrics[0].summary.half_width_pct,
                         since(t0));
            std::fflush(o.progress);
            next_progress += 10;
        }
    }
    out.seconds = since(t0);
    evaluate(q, o, out);

    std::vector<double> floors, per_a, planted, planted_ratio;
    for (const auto& p : out.pairs) {
        for (const Slice* s : {&p.a, &p.b})
            for (const auto& x : {s->floor_before_ns, s->floor_after_ns})
                if (x) floors.push_back(*x);
        if (p.excluded.empty()) {
            per_a.push_back(p.a.per_unit_ns);
            planted.push_back(p.b.planted_ns);
            planted_ratio.push_back(p.b.planted_ratio);
        }
    }
    if (!floors.empty()) {
        out.floor_median_ns = median(floors);
        auto [mn, mx] = std::minmax_element(floors.begin(), floors.end());
        out.floor_min_ns = *mn;
        out.floor_max_ns = *mx;
    }
    out.per_unit_a_ns = per_a.empty() ? probe.per_unit_ns : median(per_a);
    out.planted_ns = planted.empty() ? 0 : median(planted);
    out.planted_ratio = planted_ratio.empty() ? 1 : median(planted_ratio);
    char buf[300];
    std::snprintf(buf, sizeof buf, "%zu pairs taken, %zu used (%zu floor moved, %zu side off CPU, %zu failed); %s after %.1f s",
                  out.pairs.size(), out.used, out.floor_moved, out.off_cpu, out.failed, out.stop.c_str(), out.seconds);
    out.notes.push_back(buf);
    if (!floors.empty()) {
        std::snprintf(buf, sizeof buf, "floor (cache-line round trip) median %.1f ns, range %.1f-%.1f ns",
                      out.floor_median_ns, out.floor_min_ns, out.floor_max_ns);
        out.notes.push_back(buf);
    }
    if (out.failed) {
        std::string first;
        for (const auto& p : out.pairs)
            if (p.excluded.rfind("a slice failed", 0) == 0) {
                first = p.excluded;
                break;
            }
        out.notes.push_back(std::to_string(out.failed) + " pairs had a slice that failed (verification, a lost notification, or "
                            "a stall the watchdog reported); the first: " + first);
    }
    if (q.a.cfg.submitters > 1 && !micro) {
        std::vector<double> ha, hb, wa, wb, ma, mb, na, nb;
        for (const auto& p : out.pairs) {
            if (!p.excluded.empty()) continue;
            ha.push_back(p.a.lock_hold_max_us);
            hb.push_back(p.b.lock_hold_max_us);
            wa.push_back(p.a.lock_wait_max_us);
            wb.push_back(p.b.lock_wait_max_us);
            ma.push_back(p.a.lock_hold_mean_us);
            mb.push_back(p.b.lock_hold_mean_us);
            na.push_back(p.a.lock_wait_mean_us);
            nb.push_back(p.b.lock_wait_mean_us);
        }
        std::snprintf(buf, sizeof buf,
                      "lock max per slice (median over slices): hold A %.1f us, B %.1f us; wait A %.1f us, B %.1f us",
                      median(ha), median(hb), median(wa), median(wb));
        out.notes.push_back(buf);
        std::snprintf(buf, sizeof buf,
                      "lock mean per slice (median over slices): hold A %.2f us, B %.2f us; wait A %.2f us, B %.2f us",
                      median(ma), median(mb), median(na), median(nb));
        out.notes.push_back(buf);
    }
    return out;
}

}  // namespace ringlab::answer
