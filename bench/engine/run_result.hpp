// run_result.hpp: what one engine run measured.  Plain data; bench/results turns it into JSON.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/histogram.hpp"
#include "engine/role_counters.hpp"
#include "engine/run_config.hpp"
#include "ringsim/concepts.hpp"

namespace ringlab {

struct RoleStats {
    std::uint64_t cpu_ns = 0;            // thread CPU clock over the timed window
    std::uint64_t notifications = 0;     // driver: kicks sent; device: calls sent
    std::uint64_t suppressed = 0;        // notification decisions that said "no"
    std::uint64_t sleeps = 0;            // times the role blocked on its eventfd
    std::uint64_t spurious_wakeups = 0;  // woke up and found nothing to do
    // Interference over the timed window (nullopt where the kernel does not say):
    std::optional<std::uint64_t> involuntary_switches;  // preempted by other work
    std::optional<std::uint64_t> runqueue_wait_ns;      // runnable but not running
    std::optional<std::uint64_t> steal_ns;              // its CPU's steal time (hypervisor)
    bool contended = false;  // lost more than kContendedShare of the window to others
    std::unique_ptr<RoleCounters> counters;  // PMU group opened in this role's thread, if any
};

struct VerifyErrors {
    std::uint64_t lost = 0;          // submitted, never completed
    std::uint64_t duplicated = 0;    // completed twice / id not outstanding
    std::uint64_t out_of_range = 0;  // id outside 0..N-1
    std::uint64_t stale = 0;         // sequence number older than expected
    std::uint64_t corrupt = 0;       // checksum or response mismatch
    std::uint64_t total() const { return lost + duplicated + out_of_range + stale + corrupt; }
};

struct DurationStats {  // lockstat style
    std::uint64_t count = 0, min_ns = 0, max_ns = 0, total_ns = 0;
    double mean_ns() const { return count ? double(total_ns) / double(count) : 0.0; }
    void add(std::uint64_t ns) {
        if (count == 0 || ns < min_ns) min_ns = ns;
        if (ns > max_ns) max_ns = ns;
        total_ns += ns;
        ++count;
    }
    void merge(const DurationStats& o) {
        if (o.count == 0) return;
        if (count == 0 || o.min_ns < min_ns) min_ns = o.min_ns;
        if (o.max_ns > max_ns) max_ns = o.max_ns;
        total_ns += o.total_ns;
        count += o.count;
    }
};

struct LockStats {
    std::uint64_t acquisitions = 0, contentions = 0;
    DurationStats hold, wait;
    // Distributions too: one preempted holder on a shared CPU moves a mean by
    // milliseconds, so comparisons of lock behaviour use the median.
    Histogram hold_hist, wait_hist;

    // Another submitter's (thread or vCPU) figures into these: the run's lock is all of theirs.
    void merge(const LockStats& o) {
        acquisitions += o.acquisitions;
        contentions += o.contentions;
        hold.merge(o.hold);
        wait.merge(o.wait);
        hold_hist.merge(o.hold_hist);
        wait_hist.merge(o.wait_hist);
    }
};

struct WatchdogEvent {
    std::string role;        // who was stuck
    std::string waited_for;  // what it waited for, in words
    std::string state;       // both sides' indices, flags and event words
    bool lost_notification;  // a sleeper with work pending (vs. a stalled peer)
};

// Before and after a run, floors further apart than this ratio mean the machine changed
// speed during the run.  Back-to-back pingpong medians on a quiet pair agree within a few
// percent; the VMs this was written on jump by 5-8x when the host moves a vCPU.
inline constexpr double kFloorMovedRatio = 1.25;

struct RunResult {
    RunConfig config;                   // resolved: CPUs chosen, outstanding and warm-up filled in
    bool valid = true;
    std::vector<std::string> problems;  // why not valid, in words
    std::uint64_t buffers = 0;          // completed in the timed window
    std::uint64_t ticks = 0;            // timer ticks of the timed window
    double seconds = 0;
    std::string timer_name;             // rdtsc | cntvct_el0 | timebase | steady_clock
    double timer_hz = 0;
    bool timer_core_cycles = false;
    std::uint64_t timer_resolution_ticks = 0;  // smallest step of the timer as read (ClockInfo)
    double timer_resolution_ns() const { return timer_hz > 0 ? double(timer_resolution_ticks) * 1e9 / timer_hz : 0; }
    // The cache-line round trip on the same CPU pair (pingpong), measured right before and
    // right after the run; floor_rtt_ns is their mean (or the one measurement there is).
    // On a machine that changes speed under a run (a VM whose vCPUs the host moves) the
    // two disagree, and floor_moved() says the run mixed two speeds.
    std::optional<double> floor_before_ns, floor_after_ns;
    std::optional<double> floor_rtt_ns() const;
    bool floor_moved() const;
    RoleStats driver, device;
    VerifyErrors errors;
    std::uint64_t lost_notifications = 0;
    // --inject: notifications dropped on purpose (whole run, warm-up included), and how
    // many of those the watchdog found as a sleeper with work pending (detected); the
    // rest were covered by a later notification (masked).
    struct Injected {
        std::uint64_t dropped_kicks = 0, dropped_calls = 0;
        std::uint64_t detected_kicks = 0, detected_calls = 0;
        std::uint64_t dropped() const { return dropped_kicks + dropped_calls; }
        std::uint64_t detected() const {
            return std::min(detected_kicks, dropped_kicks) + std::min(detected_calls, dropped_calls);
        }
        std::uint64_t masked() const { return dropped() - detected(); }
    } injected;
    bool contended() const { return driver.contended || device.contended; }
    std::vector<WatchdogEvent> watchdog;
    std::optional<Histogram> latency;   // round-trip per buffer, ns
    std::uint32_t latency_sample_every = 1;  // latency records 1 buffer in this many (1: all)
    LockStats lock;                     // submitters' lock: submitting acquisitions in the window
    std::uint64_t submissions = 0;      // batches the driver published in the window
    std::uint64_t submitted_buffers = 0;  // buffers in those batches
    double planted_delay_ns = 0;        // --calibrate: extra ns per buffer the device spent (iterations x measured rate)
    // The ring's memory areas as the run laid them out (`ringlab run --verbose` prints them).
    // The addresses are the run's: the memory is gone when the result is returned.
    std::vector<ringsim::Area> areas;

    double ns_per_buffer() const { return buffers ? seconds * 1e9 / double(buffers) : 0.0; }
    double ticks_per_buffer() const { return buffers ? double(ticks) / double(buffers) : 0.0; }
    // efficiency = floor / measured round trip, only meaningful with a latency measurement
    std::optional<double> efficiency() const;
};

}  // namespace ringlab
