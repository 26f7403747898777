#include "cli/summary.hpp"
#include "config/axes.hpp"

#include <string>

#include "engine/interference.hpp"
#include "results/entry.hpp"

namespace ringlab::cli {

static double per(std::uint64_t v, std::uint64_t buffers) { return buffers ? double(v) / double(buffers) : 0.0; }

// Other work on the roles' CPUs: preemptions, run-queue wait, steal.
static void print_interference(std::FILE* out, const RunResult& r) {
    auto ms = [](const std::optional<std::uint64_t>& ns) { return ns ? double(*ns) / 1e6 : -1.0; };
    auto role = [&](const char* sep, const char* name, const RoleStats& s) {
        std::string sw = s.involuntary_switches ? std::to_string(*s.involuntary_switches) : "n/a";
        char wait[32] = "n/a", steal[32] = "n/a";
        if (s.runqueue_wait_ns) std::snprintf(wait, sizeof wait, "%.2f ms", ms(s.runqueue_wait_ns));
        if (s.steal_ns) std::snprintf(steal, sizeof steal, "%.2f ms", ms(s.steal_ns));
        std::fprintf(out, "%s %s: %s preemptions, %s runnable but not running, %s steal", sep, name, sw.c_str(), wait,
                     steal);
    };
    std::fprintf(out, "  interference:");
    role("", "driver", r.driver);
    role(";", "device", r.device);
    std::fprintf(out, "\n");
    if (r.contended())
        std::fprintf(out, "  CONTENDED: the %s lost more than %.0f%% of the %.3f s window to other work (run-queue wait "
                          "and steal); these figures are not the ring's alone\n",
                     r.driver.contended && r.device.contended ? "driver and the device each" : r.driver.contended ? "driver" : "device",
                     kContendedShare * 100, r.seconds);
}

// --inject: what was dropped and what became of each drop.
static void print_injected(std::FILE* out, const RunResult& r) {
    const RunConfig& c = r.config;
    if (c.drop_kick <= 0 && c.drop_call <= 0) return;
    const auto& i = r.injected;
    std::fprintf(out,
                 "  injected: dropped %llu kicks and %llu calls (p=%g, %g; warm-up included): %llu detected as lost "
                 "by the watchdog, %llu masked by a later notification\n",
                 (unsigned long long)i.dropped_kicks, (unsigned long long)i.dropped_calls, c.drop_kick, c.drop_call,
                 (unsigned long long)i.detected(), (unsigned long long)i.masked());
}

void print_run_summary(std::FILE* out, const RunResult& r) {
    const RunConfig& c = r.config;
    std::fprintf(out, "ringlab run: layout=%s barrier=%s notify=%s wait=%s batch=%u ring=%u outstanding=%u payload=%uB\n",
                 c.layout.c_str(), c.barrier.c_str(), config::notify_name(c.notify), config::wait_name(c.wait), c.batch,
                 c.ring_size, c.outstanding, c.payload_bytes);
    if (c.submitters > 1 || c.kick_cost_ns || c.device_access == DeviceAccess::barrier)
        std::fprintf(out, "  submitters=%u kick=%s kick-cost=%llu ns device-access=%s\n", c.submitters,
                     config::kick_mode_name(c.kick_mode), (unsigned long long)c.kick_cost_ns,
                     config::device_access_name(c.device_access));
    if (uses_chain_path(c))
        std::fprintf(out, "  buffers: sg=%u indirect=%s (%s) completion=%s; indirect tables preallocated per id\n", c.sg,
                     indirect_name(c).c_str(), uses_indirect(c) ? "used" : "not used", completion_name(c).c_str());
    std::fprintf(out, "  cpus: driver %d, device %d\n", c.driver_cpu, c.device_cpu);
    std::fprintf(out, "  timer: %s at %.4f GHz (%s), reads step by %llu ticks (%.1f ns)\n", r.timer_name.c_str(),
                 r.timer_hz / 1e9, r.timer_core_cycles ? "core cycles" : "fixed-rate ticks, not core cycles",
                 (unsigned long long)r.timer_resolution_ticks, r.timer_resolution_ns());
    std::fprintf(out, "  window: %llu buffers in %.4f s (warm-up %llu)\n", (unsigned long long)r.buffers, r.seconds,
                 (unsigned long long)c.warmup_buffers);
    if (r.buffers) {
        std::fprintf(out, "  per buffer: %.2f ns, %.1f ticks; %.3f M buffers/s\n", r.ns_per_buffer(),
                     r.ticks_per_buffer(), r.seconds > 0 ? double(r.buffers) / r.seconds / 1e6 : 0.0);
        double d = per(r.driver.cpu_ns, r.buffers), v = per(r.device.cpu_ns, r.buffers);
        std::fprintf(out, "  cpu per buffer: driver %.2f ns, device %.2f ns, total %.2f ns\n", d, v, d + v);
    }
    if (c.notify != ringsim::NotifyMode::poll || c.wait != WaitMode::spin)
        std::fprintf(out,
                     "  notifications per buffer: kicks %.4f, calls %.4f, suppressed %.4f; sleeps %.4f, spurious "
                     "wake-ups %.4f\n",
                     per(r.driver.notifications, r.buffers), per(r.device.notifications, r.buffers),
                     per(r.driver.suppressed + r.device.suppressed, r.buffers),
                     per(r.driver.sleeps + r.device.sleeps, r.buffers),
                     per(r.driver.spurious_wakeups + r.device.spurious_wakeups, r.buffers));
    if (r.lock.acquisitions) {
        std::fprintf(out, "  lock: %llu acquisitions, %llu contended (%.1f%%)\n",
                     (unsigned long long)r.lock.acquisitions, (unsigned long long)r.lock.contentions,
                     100.0 * per(r.lock.contentions, r.lock.acquisitions));
        auto line = [&](const char* name, const DurationStats& d, const Histogram& h) {
            std::fprintf(out, "    %s ns: min %llu, median %llu, mean %.1f, p99 %llu, max %llu, total %llu\n", name,
                         (unsigned long long)d.min_ns, (unsigned long long)h.percentile(0.5), d.mean_ns(),
                         (unsigned long long)h.percentile(0.99), (unsigned long long)d.max_ns,
                         (unsigned long long)d.total_ns);
        };
        line("hold", r.lock.hold, r.lock.hold_hist);
        line("wait", r.lock.wait, r.lock.wait_hist);
    }
    if (r.latency && r.latency->count()) {
        const Histogram& h = *r.latency;
        char every[64] = "";
        if (r.latency_sample_every > 1)
            std::snprintf(every, sizeof every, ", sampled: 1 buffer in %u", r.latency_sample_every);
        std::fprintf(out, "  round trip ns: p50 %llu, p90 %llu, p99 %llu, p99.9 %llu, max %llu (%llu samples%s)\n",
                     (unsigned long long)h.percentile(0.5), (unsigned long long)h.percentile(0.9),
                     (unsigned long long)h.percentile(0.99), (unsigned long long)h.percentile(0.999),
                     (unsigned long long)h.max(), (unsigned long long)h.count(), every);
        // A coarse timer quantises single round trips; the mean per buffer above is not.
        if (r.timer_resolution_ns() >= 2)
            std::fprintf(out, "    (the timer moves in steps of %.1f ns: single round trips, and so these "
                              "percentiles, are multiples of it; the mean per buffer is not)\n",
                         r.timer_resolution_ns());
    }
    if (const std::optional<double> floor = r.floor_rtt_ns()) {
        auto e = r.efficiency();
        char around[96] = "";
        if (r.floor_before_ns && r.floor_after_ns)
            std::snprintf(around, sizeof around, " (%.1f before the run, %.1f after)", *r.floor_before_ns,
                          *r.floor_after_ns);
        std::fprintf(out, "  floor (cache-line round trip on these CPUs): %.1f ns%s; efficiency %s\n", *floor,
                     around, e ? std::to_string(*e).c_str() : "n/a");
        if (r.floor_moved())
            std::fprintf(out,
                         "  WARNING: the floor moved by more than %.0f%% during the run: this machine changed speed "
                         "under it, so the figures above mix two speeds; run again and compare runs whose floors "
                         "agree\n",
                         (kFloorMovedRatio - 1) * 100);
    }
    print_interference(out, r);
    print_injected(out, r);
    // The first few in full; hundreds of injected losses would bury the verdict.
    constexpr std::size_t kShown = 5;
    for (std::size_t i = 0; i < r.watchdog.size() && i < kShown; ++i) {
        const auto& w = r.watchdog[i];
        std::fprintf(out, "  WATCHDOG (%s): waited for %s\n    state: %s\n", w.role.c_str(), w.waited_for.c_str(),
                     w.state.c_str());
    }
    if (r.watchdog.size() > kShown)
        std::fprintf(out, "  ... and %zu more watchdog events (all in the --json file)\n", r.watchdog.size() - kShown);
    const VerifyErrors& e = r.errors;
    if (r.valid) {
        std::fprintf(out, "  verification: OK, every buffer completed once and intact\n");
    } else {
        std::fprintf(out,
                     "  verification: FAILED (lost %llu, duplicated %llu, out of range %llu, stale %llu, corrupt %llu, "
                     "lost notifications %llu)\n",
                     (unsigned long long)e.lost, (unsigned long long)e.duplicated, (unsigned long long)e.out_of_range,
                     (unsigned long long)e.stale, (unsigned long long)e.corrupt,
                     (unsigned long long)r.lost_notifications);
        for (const auto& p : r.problems) std::fprintf(out, "    %s\n", p.c_str());
    }
}

}  // namespace ringlab::cli
