// platform_state.cpp: see platform_state.hpp.
#include "env/platform_state.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

namespace ringlab::env {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::optional<std::string> line_of(const fs::path& p) {
    std::ifstream f(p);
    if (!f) return std::nullopt;
    std::string s;
    std::getline(f, s);
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
}

json line_or_null(const fs::path& p) {
    auto s = line_of(p);
    return s ? json(*s) : json(nullptr);
}

json number_or_null(const fs::path& p) {
    auto s = line_of(p);
    if (!s) return nullptr;
    try {
        return std::stoll(*s);
    } catch (...) {
        return nullptr;
    }
}

// "microcode : 0x1000065" per processor in /proc/cpuinfo (x86); else the sysfs file.
json microcode(const fs::path& proc_root, const fs::path& cpu_dir, const std::vector<int>& cpus) {
    std::map<std::string, std::string> per_cpu;
    std::ifstream f(proc_root / "cpuinfo");
    std::string line, cpu;
    while (std::getline(f, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, colon), val = line.substr(colon + 1);
        key.erase(key.find_last_not_of(" \t") + 1);
        val.erase(0, val.find_first_not_of(" \t"));
        if (key == "processor") cpu = "cpu" + val;
        else if (key == "microcode" && !cpu.empty()) per_cpu[cpu] = val;
    }
    if (per_cpu.empty())
        for (int c : cpus)
            if (auto v = line_of(cpu_dir / ("cpu" + std::to_string(c)) / "microcode/version"))
                per_cpu["cpu" + std::to_string(c)] = *v;
    if (per_cpu.empty()) return nullptr;
    std::set<std::string> distinct;
    for (const auto& [c, v] : per_cpu) distinct.insert(v);
    if (distinct.size() == 1) return *distinct.begin();
    json j = json::object();  // mixed revisions are themselves a finding: keep every CPU's
    for (const auto& [c, v] : per_cpu) j[c] = v;
    return j;
}

json cpuidle(const fs::path& cpu_dir, const std::vector<int>& cpus) {
    json j = json::object();
    j["driver"] = line_or_null(cpu_dir / "cpuidle/current_driver");
    json gov = line_or_null(cpu_dir / "cpuidle/current_governor");
    if (gov.is_null()) gov = line_or_null(cpu_dir / "cpuidle/current_governor_ro");
    j["governor"] = gov;
    // States of the first measured (else first) CPU, in the kernel's order: state0 is the
    // shallowest, a higher index is deeper.
    json states = json::array();
    json deepest = nullptr;
    const int c = cpus.empty() ? 0 : cpus.front();
    const fs::path base = cpu_dir / ("cpu" + std::to_string(c)) / "cpuidle";
    for (int i = 0; i < 64; ++i) {
        const fs::path s = base / ("state" + std::to_string(i));
        if (!fs::is_directory(s)) break;
        json st = {{"name", line_or_null(s / "name")}, {"latency_us", number_or_null(s / "latency")},
                   {"residency_us", number_or_null(s / "residency")}};
        json dis = number_or_null(s / "disable");
        st["disabled"] = dis.is_null() ? json(nullptr) : json(dis.get<long long>() != 0);
        if (st["disabled"] == false) deepest = st["name"];
        states.push_back(std::move(st));
    }
    j["cpu"] = c;
    j["states"] = states;
    j["deepest_enabled"] = deepest;
    return j;
}

}  // namespace

json platform_state(const fs::path& proc_root, const fs::path& sys_root, const std::vector<int>& cpus) {
    const fs::path cpu_dir = sys_root / "devices/system/cpu";
    json j = json::object();
    const fs::path vdir = cpu_dir / "vulnerabilities";
    if (fs::is_directory(vdir)) {
        std::map<std::string, std::string> v;   // sorted: two records diff line by line
        for (const auto& ent : fs::directory_iterator(vdir))
            if (auto s = line_of(ent.path())) v[ent.path().filename().string()] = *s;
        j["vulnerabilities"] = v;
    } else {
        j["vulnerabilities"] = nullptr;
    }
    j["microcode"] = microcode(proc_root, cpu_dir, cpus);
    j["cpuidle"] = cpuidle(cpu_dir, cpus);
    j["smt_control"] = line_or_null(cpu_dir / "smt/control");
    json active = number_or_null(cpu_dir / "smt/active");
    j["smt_active"] = active.is_null() ? json(nullptr) : json(active.get<long long>() != 0);
    // What the kernel applied (the command line may be overridden or ignored).
    j["isolated_cpus"] = line_or_null(cpu_dir / "isolated");
    j["nohz_full_cpus"] = line_or_null(cpu_dir / "nohz_full");
    return j;
}

}  // namespace ringlab::env
