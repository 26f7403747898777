// interference.hpp: how much of a window other work took from the engine's threads.
//
// A ring measured on a CPU another process shares runs slower, and nothing in the
// ring's own counters says so.  Per role thread: involuntary context switches
// (getrusage RUSAGE_THREAD) and the time it was runnable but not running
// (/proc/thread-self/schedstat, second field); per CPU: steal time from /proc/stat
// (a hypervisor running someone else).  Each role samples itself at the window's
// edges (one syscall and one small read, outside the measured loop's steps); the
// watchdog thread samples steal.  Unreadable sources give nullopt, never a guess.
#pragma once

#include <cstdint>
#include <optional>

namespace ringlab {

struct ThreadSchedSample {
    std::optional<std::uint64_t> runqueue_wait_ns;  // schedstat: time spent waiting on a run queue
    std::optional<std::uint64_t> involuntary_switches;
};
ThreadSchedSample sample_this_thread();

// Steal time of one CPU so far, in ns (USER_HZ ticks converted), or nullopt.
std::optional<std::uint64_t> cpu_steal_ns(int cpu);

// A role that lost more than this share of the window to others is "contended".
inline constexpr double kContendedShare = 0.05;

}  // namespace ringlab
