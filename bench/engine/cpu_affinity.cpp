#include "engine/cpu_affinity.hpp"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ringlab {

std::vector<int> parse_cpu_list(const std::string& s) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, ',')) {
        part.erase(std::remove_if(part.begin(), part.end(), ::isspace), part.end());
        if (part.empty()) continue;
        auto dash = part.find('-');
        try {
            std::size_t used = 0;
            if (dash == std::string::npos) {
                int v = std::stoi(part, &used);
                if (used != part.size() || v < 0) throw std::invalid_argument(part);
                out.push_back(v);
            } else {
                int lo = std::stoi(part.substr(0, dash));
                int hi = std::stoi(part.substr(dash + 1));
                if (lo < 0 || hi < lo) throw std::invalid_argument(part);
                for (int c = lo; c <= hi; ++c) out.push_back(c);
            }
        } catch (const std::exception&) {
            throw std::invalid_argument("bad CPU list element '" + part + "' (expected N or N-M)");
        }
    }
    return out;
}

std::string cpu_list_string(const std::vector<int>& cpus) {
    std::string out;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!out.empty()) out += ",";
        out += std::to_string(cpus[i]);
        if (j > i) out += "-" + std::to_string(cpus[j]);
        i = j + 1;
    }
    return out;
}

std::vector<int> online_cpus() {
    std::ifstream f("/sys/devices/system/cpu/online");
    std::string line;
    if (f && std::getline(f, line)) {
        try {
            return parse_cpu_list(line);
        } catch (const std::exception&) {
        }
    }
    std::vector<int> out;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (long i = 0; i < n; ++i) out.push_back(int(i));
    return out;
}

std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> out;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return online_cpus();
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) out.push_back(c);
    return out;
}

std::string cpu_usable(int cpu) {
    auto on = online_cpus();
    if (std::find(on.begin(), on.end(), cpu) == on.end())
        return "CPU " + std::to_string(cpu) + " is not online (online CPUs: " + cpu_list_string(on) + ")";
    auto al = allowed_cpus();
    if (std::find(al.begin(), al.end(), cpu) == al.end())
        return "CPU " + std::to_string(cpu) + " is outside this process's affinity mask (allowed: " +
               cpu_list_string(al) + ")";
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

static std::vector<int> smt_siblings(int cpu) {
    std::ifstream f("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/thread_siblings_list");
    std::string line;
    if (f && std::getline(f, line)) {
        try {
            return parse_cpu_list(line);
        } catch (const std::exception&) {
        }
    }
    return {cpu};
}

bool default_cpu_pair(int& a, int& b) {
    auto on = online_cpus();
    std::vector<int> usable;
    for (int c : allowed_cpus())
        if (std::find(on.begin(), on.end(), c) != on.end()) usable.push_back(c);
    if (usable.size() < 2) return false;
    a = usable[0];
    auto sib = smt_siblings(a);
    // Why avoid SMT siblings by default: they share L1, so the ring would never cross a core.
    for (std::size_t i = 1; i < usable.size(); ++i)
        if (std::find(sib.begin(), sib.end(), usable[i]) == sib.end()) {
            b = usable[i];
            return true;
        }
    b = usable[1];
    return true;
}

}  // namespace ringlab
