// cpu_affinity.hpp: which CPUs exist and may be used, pinning, per-thread CPU time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringlab {

std::vector<int> online_cpus();            // from /sys/devices/system/cpu/online (fallback: sysconf)
std::vector<int> allowed_cpus();           // this process's affinity mask
std::string cpu_list_string(const std::vector<int>& cpus);  // "0-3,6"
std::vector<int> parse_cpu_list(const std::string& s);      // "0-3,6" -> {0,1,2,3,6}; throws on junk

// Empty if cpu can be used; otherwise why not (offline, outside the affinity mask).
std::string cpu_usable(int cpu);

// Pins the calling thread; returns an error string (empty on success).
std::string pin_this_thread(int cpu);

// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), ns.
std::uint64_t thread_cpu_ns();

// Two distinct usable CPUs, preferring ones that are not SMT siblings.
// Returns false if fewer than two are usable.
bool default_cpu_pair(int& a, int& b);

}  // namespace ringlab
