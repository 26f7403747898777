#include "engine/cpu_affinity.hpp"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "topo/topology.hpp"

namespace ringlab {

std::string cpu_usable(int cpu) {
    const topo::Topology t = topo::read_topology();
    if (std::find(t.online.begin(), t.online.end(), cpu) == t.online.end())
        return "CPU " + std::to_string(cpu) + " is not online (online CPUs: " + topo::format_cpu_list(t.online) + ")";
    const auto usable = t.usable();
    if (std::find(usable.begin(), usable.end(), cpu) == usable.end())
        return "CPU " + std::to_string(cpu) + " is outside this process's affinity mask (allowed: " +
               topo::format_cpu_list(usable) + ")";
    return {};
}

std::string pin_this_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    if (rc != 0) return "cannot pin to CPU " + std::to_string(cpu) + ": " + std::strerror(rc);
    return {};
}

std::uint64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::uint64_t(ts.tv_sec) * 1000000000ull + std::uint64_t(ts.tv_nsec);
}

bool default_cpu_pair(int& a, int& b) {
    const topo::Topology t = topo::read_topology();
    const auto usable = t.usable();
    if (usable.size() < 2) return false;
    a = usable[0];
    // Why avoid SMT siblings by default: they share L1, so the ring would never cross a core.
    for (std::size_t i = 1; i < usable.size(); ++i)
        if (topo::classify(t, a, usable[i]) != topo::Relation::smt) {
            b = usable[i];
            return true;
        }
    b = usable[1];
    return true;
}

int first_usable_cpu() {
    const auto usable = topo::read_topology().usable();
    return usable.empty() ? -1 : usable.front();
}

}  // namespace ringlab
