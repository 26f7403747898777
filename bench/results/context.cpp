// context.cpp: the context of a results file, without Google Benchmark.
#include "results/context.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "config/axes.hpp"
#include "env/environment.hpp"
#include "topo/topology.hpp"

namespace ringlab::results {

namespace {

std::string read_first_line(const std::string& path) {
    std::ifstream f(path);
    std::string s;
    std::getline(f, s);
    return s;
}

const topo::Topology* machine_topology() {
    static std::once_flag once;
    static std::optional<topo::Topology> t;
    std::call_once(once, [] {
        try {
            t = topo::read_topology();
        } catch (const std::exception&) {
        }
    });
    return t ? &*t : nullptr;
}

// GB's mhz_per_cpu: the nominal frequency; cpuinfo's "cpu MHz" where the kernel gives one.
long mhz_per_cpu() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("cpu MHz", 0) == 0)
            if (auto c = line.find(':'); c != std::string::npos) return std::atol(line.c_str() + c + 1);
    auto khz = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    return khz.empty() ? 0 : std::atol(khz.c_str()) / 1000;
}

}  // namespace

std::string utc_now(const char* fmt) {
    char buf[64];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, fmt, &tm);
    return buf;
}

std::string local_date() {  // Google Benchmark's format: 2024-01-31T12:00:00+01:00
    char buf[64];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
    std::string s = buf;
    // +0100 -> +01:00 (RFC 3339, as GB writes it)
    return s.size() > 2 ? s.substr(0, s.size() - 2) + ":" + s.substr(s.size() - 2) : s;
}

std::string new_run_id() {
    std::random_device rd;
    char hex[8];
    std::snprintf(hex, sizeof hex, "%06x", static_cast<unsigned>(rd() & 0xffffff));
    return utc_now("%Y%m%dT%H%M%SZ") + "-" + hex;
}

std::string relation_of(int a, int b) {
    const auto* t = machine_topology();
    if (!t || a < 0 || b < 0 || !t->cpu(a) || !t->cpu(b)) return "";
    return topo::relation_name(topo::classify(*t, a, b));
}

nlohmann::json make_context(const std::vector<int>& measured_cpus, nlohmann::json pmu_probe,
                            const std::vector<std::string>& extra_warnings, const RunResult* timer_from) {
    nlohmann::json c;
    c["date"] = local_date();
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    c["host_name"] = host;
    char exe[4096];
    auto len = readlink("/proc/self/exe", exe, sizeof exe);
    c["executable"] = len > 0 ? std::string(exe, std::size_t(len)) : std::string("ringlab");
    c["num_cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
    c["mhz_per_cpu"] = mhz_per_cpu();
    auto gov = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
    c["cpu_scaling_enabled"] = !gov.empty() && gov != "performance";
    c["caches"] = nlohmann::json::array();
    if (const auto* t = machine_topology(); t && !t->online.empty())
        if (const auto* cpu = t->cpu(t->online.front()))
            for (const auto& k : cpu->caches)
                c["caches"].push_back({{"type", k.type},
                                       {"level", k.level},
                                       {"size", k.size_bytes},
                                       {"num_sharing", k.shared_cpus.size()}});
    double load[3] = {0, 0, 0};
    int n = getloadavg(load, 3);
    c["load_avg"] = nlohmann::json::array();
    for (int i = 0; i < n; ++i) c["load_avg"].push_back(load[i]);
#ifdef NDEBUG
    c["library_build_type"] = "release";
#else
    c["library_build_type"] = "debug";
#endif
    c["json_schema_version"] = kGbJsonSchemaVersion;

    auto& rl = c["ringlab"];
    rl["schema_version"] = kSchemaVersion;
    rl["run_id"] = new_run_id();
    rl["started_at"] = utc_now("%Y-%m-%dT%H:%M:%SZ");
    set_environment(rl, measured_cpus, extra_warnings, timer_from);
    rl["pmu"] = std::move(pmu_probe);
    // The configuration space these results speak (fields, values, defaults, rules), so
    // that a reader needs no list of its own (analysis/ringlab_analysis/load.py).
    rl["vocabulary"] = config::vocabulary_json();
    if (const auto* t = machine_topology()) rl["topology"] = topo::to_json(*t);
    return c;
}

void set_environment(nlohmann::json& ringlab, const std::vector<int>& measured_cpus,
                     const std::vector<std::string>& extra_warnings, const RunResult* timer_from) {
    env::Options o;
    o.measured_cpus = measured_cpus;
    if (timer_from && timer_from->timer_hz > 0)
        o.timer = env::TimerFacts{timer_from->timer_name, timer_from->timer_hz, timer_from->timer_core_cycles, true,
                                  timer_from->timer_resolution_ticks};
    auto rec = env::collect(o);
    ringlab["machine_id"] = rec.machine_id;
    ringlab["emulated"] = rec.emulated;
    ringlab["environment"] = rec.environment;
    nlohmann::json w = nlohmann::json::array();
    for (const auto& s : rec.warnings) w.push_back(s);
    for (const auto& s : extra_warnings) w.push_back(s);
    ringlab["warnings"] = std::move(w);
}

}  // namespace ringlab::results
