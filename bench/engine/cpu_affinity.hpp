// cpu_affinity.hpp: which CPUs a run may use, pinning, per-thread CPU time.
// What the machine has comes from bench/topo (sysfs + the affinity mask); this
// file only adds the engine's questions about it.
#pragma once

#include <cstdint>
#include <string>

namespace ringlab {

// Empty if cpu can be used; otherwise why not (offline, outside the affinity mask).
std::string cpu_usable(int cpu);

// Pins the calling thread; returns an error string (empty on success).
std::string pin_this_thread(int cpu);

// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), ns.
std::uint64_t thread_cpu_ns();

// Two distinct usable CPUs, preferring ones that are not SMT siblings; false if
// fewer than two are usable.  first_usable_cpu: the lowest usable CPU (-1 if none).
bool default_cpu_pair(int& a, int& b);
int first_usable_cpu();

}  // namespace ringlab
