#include "engine/interference.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace ringlab {

ThreadSchedSample sample_this_thread() {
    ThreadSchedSample s;
    if (std::FILE* f = std::fopen("/proc/thread-self/schedstat", "r")) {
        unsigned long long run = 0, wait = 0;
        if (std::fscanf(f, "%llu %llu", &run, &wait) == 2) s.runqueue_wait_ns = wait;
        std::fclose(f);
    }
    rusage ru{};
    if (getrusage(RUSAGE_THREAD, &ru) == 0) s.involuntary_switches = std::uint64_t(ru.ru_nivcsw);
    return s;
}

std::optional<std::uint64_t> cpu_steal_ns(int cpu) {
    if (cpu < 0) return std::nullopt;
    std::ifstream f("/proc/stat");
    const std::string want = "cpu" + std::to_string(cpu);
    std::string line;
    while (std::getline(f, line)) {
        if (line.compare(0, want.size() + 1, want + " ") != 0) continue;
        std::istringstream in(line.substr(want.size()));
        unsigned long long v[8] = {};
        for (auto& x : v)
            if (!(in >> x)) return std::nullopt;
        const long hz = sysconf(_SC_CLK_TCK);
        if (hz <= 0) return std::nullopt;
        return std::uint64_t(v[7]) * (1000000000ull / std::uint64_t(hz));  // 8th field: steal
    }
    return std::nullopt;
}

}  // namespace ringlab
