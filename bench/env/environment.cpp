// environment.cpp: builds context.ringlab.environment from /proc and /sys.
#include "env/environment.hpp"
#include "ringsim/arch.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "env/microarch.hpp"
#include "env/platform_state.hpp"
#include "topo/topology.hpp"

#ifndef RINGLAB_VERSION
#define RINGLAB_VERSION "unknown"
#endif
#ifndef RINGLAB_GIT_REV
#define RINGLAB_GIT_REV "unknown"
#endif
#ifndef RINGLAB_COMPILER
#define RINGLAB_COMPILER "unknown"
#endif
#ifndef RINGLAB_CXX_FLAGS
#define RINGLAB_CXX_FLAGS ""
#endif
#ifndef RINGLAB_BUILD_TYPE
#define RINGLAB_BUILD_TYPE "unknown"
#endif

namespace ringlab::env {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using topo::read_file;
using topo::read_line;

std::string trim(std::string s) {
    auto sp = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && sp(s.back())) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && sp(s[i])) ++i;
    return s.substr(i);
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

long parse_long(const std::string& s, int base = 10) {
    try {
        return std::stol(s, nullptr, base);
    } catch (...) {
        return -1;
    }
}

// First "key : value" of cpuinfo (the first processor block describes the rest).
std::map<std::string, std::string> first_fields(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string k = trim(line.substr(0, colon)), v = trim(line.substr(colon + 1));
        out.try_emplace(k, v);
    }
    return out;
}

std::string slug(const std::string& s) {
    std::string out;
    for (char c : lower(s)) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') out += c;
        else if (!out.empty() && out.back() != '-') out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? "unknown" : out;
}

struct Virt {
    bool virtualized = false;
    std::string hypervisor;  // kvm, hyperv, vmware, xen, ... or "unknown"
    std::string evidence;
};

std::string cpuid_hypervisor() {
    const auto raw = ringsim::arch::hypervisor_signature();  // the arch layer asks the CPU
    const std::string s(raw.data());
    if (s.empty()) return ringsim::arch::hypervisor_bit() == true ? "unknown" : "";
    if (s.rfind("KVMKVMKVM", 0) == 0) return "kvm";
    if (s == "Microsoft Hv") return "hyperv";
    if (s == "VMwareVMware") return "vmware";
    if (s == "XenVMMXenVMM") return "xen";
    if (s == "TCGTCGTCGTCG") return "qemu-tcg";
    if (s == "ACRNACRNACRN") return "acrn";
    if (s == "bhyve bhyve ") return "bhyve";
    return "unknown (" + s + ")";
}

std::string dmi_hypervisor(const std::string& vendor, const std::string& product) {
    const std::string v = lower(vendor), p = lower(product);
    if (v.find("qemu") != std::string::npos || p.find("kvm") != std::string::npos) return "kvm";
    if (v.find("microsoft") != std::string::npos && p.find("virtual") != std::string::npos) return "hyperv";
    if (v.find("vmware") != std::string::npos) return "vmware";
    if (v.find("xen") != std::string::npos) return "xen";
    if (v.find("innotek") != std::string::npos) return "virtualbox";
    if (v.find("amazon ec2") != std::string::npos && p.find("metal") == std::string::npos) return "kvm (nitro)";
    if (v == "google" && p.find("compute engine") != std::string::npos) return "kvm (gce)";
    return "";
}

Virt detect_virt(const Options& opt, bool use_cpuid, const CpuIdentity& id,
                 const std::map<std::string, std::string>& fields) {
    Virt v;
    auto set = [&](const std::string& hv, const std::string& why) {
        v.virtualized = true;
        if (v.hypervisor.empty() || v.hypervisor == "unknown") v.hypervisor = hv;
        v.evidence += (v.evidence.empty() ? "" : "; ") + why;
    };
    if (use_cpuid) {
        std::string hv = cpuid_hypervisor();
        if (!hv.empty()) set(hv, "CPUID hypervisor leaf");
    }
    const std::string vendor = read_line(opt.sys_root / "class/dmi/id/sys_vendor").value_or("");
    const std::string product = read_line(opt.sys_root / "class/dmi/id/product_name").value_or("");
    if (std::string hv = dmi_hypervisor(vendor, product); !hv.empty()) set(hv, "DMI " + vendor + " / " + product);
    if (auto t = read_line(opt.sys_root / "hypervisor/type"); t && !t->empty()) set(*t, "/sys/hypervisor/type");
    if (auto dt = read_line(opt.proc_root / "device-tree/hypervisor/compatible"); dt && !dt->empty()) {
        std::string c = lower(*dt);
        set(c.find("kvm") != std::string::npos ? "kvm" : c.find("xen") != std::string::npos ? "xen" : c,
            "device tree hypervisor node");
    }
    if (id.hypervisor_flag) set("unknown", "cpuinfo hypervisor flag");
    if (auto it = fields.find("platform"); it != fields.end() && it->second == "pSeries")
        set("powervm-or-kvm", "cpuinfo platform pSeries (an LPAR)");
    return v;
}

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string cpus_phrase(const std::vector<int>& cpus) {
    return (cpus.size() == 1 ? "cpu" : "cpus ") + topo::format_cpu_list(cpus);
}

}  // namespace

std::string compiled_arch() { return ringsim::arch::kMachineName; }  // the arch layer says (ringsim/arch/)

CpuIdentity parse_cpuinfo(const std::string& text) {
    CpuIdentity id;
    const auto f = first_fields(text);
    auto get = [&](const char* k) {
        auto it = f.find(k);
        return it == f.end() ? std::string() : it->second;
    };
    if (f.count("vendor_id")) {
        id.arch = "x86_64";
        const std::string v = get("vendor_id");
        id.vendor = v == "GenuineIntel" ? "intel" : v == "AuthenticAMD" ? "amd" : v == "HygonGenuine" ? "hygon" : lower(v);
        id.model = get("model name");
        const int fam = static_cast<int>(parse_long(get("cpu family"))), mod = static_cast<int>(parse_long(get("model")));
        const int step = static_cast<int>(parse_long(get("stepping")));
        id.microarch = x86_microarch(id.vendor, fam, mod, step);
        char buf[96];
        std::snprintf(buf, sizeof buf, "family 0x%x model 0x%x stepping %d", fam, mod, step);
        id.detail = buf;
        const std::string flags = " " + get("flags") + " ";
        id.hypervisor_flag = flags.find(" hypervisor ") != std::string::npos;
    } else if (f.count("CPU implementer")) {
        id.arch = "aarch64";
        const unsigned impl = static_cast<unsigned>(parse_long(get("CPU implementer"), 16));
        const unsigned part = static_cast<unsigned>(parse_long(get("CPU part"), 16));
        ArmPart p = arm_part(impl, part);
        id.vendor = p.vendor;
        id.microarch = p.name;
        id.model = p.name;
        char buf[96];
        std::snprintf(buf, sizeof buf, "MIDR implementer 0x%02x part 0x%03x variant %s revision %s", impl, part,
                      get("CPU variant").c_str(), get("CPU revision").c_str());
        id.detail = buf;
    } else if (f.count("cpu") && lower(get("cpu")).find("power") != std::string::npos) {
        id.arch = "ppc64le";
        id.vendor = "ibm";
        const std::string cpu = get("cpu");
        id.model = cpu.substr(0, cpu.find(','));
        const std::string rev = get("revision");  // "2.2 (pvr 004e 1202)"
        unsigned pvr_ver = 0;
        if (auto p = rev.find("pvr "); p != std::string::npos)
            pvr_ver = static_cast<unsigned>(parse_long(rev.substr(p + 4, 4), 16));
        id.microarch = power_microarch(cpu, pvr_ver);
        id.detail = rev.empty() ? cpu : "revision " + rev;
    } else {
        id.arch = "unknown";
        id.vendor = "unknown";
        id.model = "unknown";
        id.microarch = "unknown";
    }
    if (id.model.empty()) id.model = "unknown";
    return id;
}

std::optional<std::string> cmdline_value(const std::string& cmdline, const std::string& key) {
    std::istringstream in(cmdline);
    std::string tok;
    std::optional<std::string> out;
    while (in >> tok) {
        if (tok == "--") break;  // the rest belongs to init
        if (tok.rfind(key + "=", 0) == 0) out = tok.substr(key.size() + 1);  // last one wins, as in the kernel
    }
    return out;
}

std::string isolcpus_cpus(const std::string& value) {
    // isolcpus=[flag,...,]cpu-list: flags are words, the list starts at the first digit.
    std::size_t i = 0;
    while (i < value.size()) {
        std::size_t comma = value.find(',', i);
        std::string item = value.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
        if (!item.empty() && std::isdigit(static_cast<unsigned char>(item[0]))) return value.substr(i);
        if (comma == std::string::npos) break;
        i = comma + 1;
    }
    return "";
}

std::string machine_id(const std::string& arch, const std::string& vendor, const std::string& model, int cores,
                       const std::vector<std::uint64_t>& cache_sizes) {
    std::string key = arch + "|" + vendor + "|" + model + "|" + std::to_string(cores);
    for (auto s : cache_sizes) {
        key += '|';  // appended in two steps: GCC 12 warns falsely (-Wrestrict) on "|" + string
        key += std::to_string(s);
    }
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(fnv1a(key) & 0xffffffffu));
    return slug(arch == "unknown" ? "unknown" : arch) + "-" + slug(vendor) + "-" + hex;
}

Record collect(const Options& opt) {
    Record rec;
    json e;
    e["ringlab_version"] = RINGLAB_VERSION;
    e["git_revision"] = RINGLAB_GIT_REV;
    e["compiler"] = RINGLAB_COMPILER;
    e["compiler_flags"] = trim(RINGLAB_CXX_FLAGS);
    e["build_type"] = RINGLAB_BUILD_TYPE;

    const bool real = fs::weakly_canonical(opt.proc_root) == fs::path("/proc");
    const std::string cpuinfo = read_file(opt.proc_root / "cpuinfo").value_or("");
    const CpuIdentity id = parse_cpuinfo(cpuinfo);
    const std::string built_for = opt.compiled_arch.value_or(compiled_arch());
    // arch is what ringlab runs as (what the results are about); under qemu-user that
    // differs from the CPU /proc/cpuinfo describes, which host_cpu_arch keeps.
    e["arch"] = built_for;
    e["compiled_arch"] = built_for;
    e["host_cpu_arch"] = id.arch;
    e["cpu_vendor"] = id.vendor;
    e["cpu_model"] = id.model;
    e["microarch"] = id.microarch;
    e["cpu_id"] = id.detail;

    // Topology: the sysfs root is the parent of the "sys" directory.
    std::optional<topo::Topology> t;
    try {
        topo::Options to;
        to.root = opt.sys_root.filename() == "sys" ? opt.sys_root.parent_path() : opt.sys_root / "..";
        if (!real) to.affinity = std::vector<int>{};
        t = topo::read_topology(to);
    } catch (const std::exception& ex) {
        e["topology_error"] = ex.what();
    }
    int cores = 0;
    std::vector<std::uint64_t> cache_sizes;
    if (t) {
        std::set<std::pair<int, int>> core_set;
        std::size_t max_threads = 1;
        for (int c : t->online) {
            core_set.emplace(t->cpus[c].package, t->cpus[c].core);
            max_threads = std::max(max_threads, t->cpus[c].thread_siblings.size());
        }
        cores = static_cast<int>(core_set.size());
        e["online_cpus"] = t->online.size();
        e["cores"] = cores;
        e["smt"] = max_threads > 1;
        e["threads_per_core"] = max_threads;
        json caches = json::array();
        if (!t->online.empty())
            for (const auto& k : t->cpus[t->online.front()].caches) {
                caches.push_back({{"level", k.level}, {"type", k.type}, {"size_bytes", k.size_bytes},
                                  {"shared_cpu_list", topo::format_cpu_list(k.shared_cpus)}});
                cache_sizes.push_back(k.size_bytes);
            }
        e["caches"] = caches;
    } else {
        e["online_cpus"] = nullptr;
        e["cores"] = nullptr;
        e["smt"] = nullptr;
        e["caches"] = json::array();
    }

    // Kernel.
    std::optional<std::string> release = read_line(opt.proc_root / "sys/kernel/osrelease");
    if (!release && real) {
        utsname u{};
        if (uname(&u) == 0) release = u.release;
    }
    e["kernel"] = release ? json(*release) : json(nullptr);
    const std::string cmdline = trim(read_file(opt.proc_root / "cmdline").value_or(""));
    e["kernel_cmdline"] = cmdline;
    auto iso = cmdline_value(cmdline, "isolcpus");
    e["isolcpus"] = iso ? json(isolcpus_cpus(*iso)) : json(nullptr);
    auto nohz = cmdline_value(cmdline, "nohz_full");
    e["nohz_full"] = nohz ? json(*nohz) : json(nullptr);

    // Frequency policy.
    std::map<std::string, std::vector<int>> by_governor;
    json gov = json::object();
    if (t)
        for (int c : t->online)
            if (auto g = read_line(opt.sys_root / ("devices/system/cpu/cpu" + std::to_string(c)) /
                                   "cpufreq/scaling_governor")) {
                gov["cpu" + std::to_string(c)] = *g;
                by_governor[*g].push_back(c);
            }
    e["governor"] = gov.empty() ? json(nullptr) : gov;
    std::optional<bool> boost;
    std::string boost_source;
    if (auto nt = read_line(opt.sys_root / "devices/system/cpu/intel_pstate/no_turbo")) {
        boost = *nt == "0";
        boost_source = "intel_pstate/no_turbo=" + *nt;
    } else if (auto b = read_line(opt.sys_root / "devices/system/cpu/cpufreq/boost")) {
        boost = *b == "1";
        boost_source = "cpufreq/boost=" + *b;
    }
    e["boost"] = boost ? json(*boost) : json(nullptr);
    e["boost_source"] = boost_source.empty() ? json(nullptr) : json(boost_source);
    if (auto thp = read_line(opt.sys_root / "kernel/mm/transparent_hugepage/enabled")) {
        auto l = thp->find('['), r = thp->find(']');
        e["thp"] = (l != std::string::npos && r > l) ? thp->substr(l + 1, r - l - 1) : *thp;
    } else {
        e["thp"] = nullptr;
    }
    std::optional<long> paranoid;
    if (auto p = read_line(opt.proc_root / "sys/kernel/perf_event_paranoid")) paranoid = parse_long(*p);
    e["perf_event_paranoid"] = paranoid ? json(*paranoid) : json(nullptr);

    // Virtualization and emulation.
    const Virt v = detect_virt(opt, opt.use_cpuid.value_or(real), id, first_fields(cpuinfo));
    e["virtualized"] = v.virtualized;
    e["hypervisor"] = v.virtualized ? json(v.hypervisor) : json(nullptr);
    e["virtualization_evidence"] = v.evidence;
    std::string emulator = opt.emulator.value_or([] {
        const char* s = std::getenv("RINGLAB_EMULATOR");
        return std::string(s ? s : "");
    }());
    std::string emulation_reason;
    if (!emulator.empty()) emulation_reason = "RINGLAB_EMULATOR=" + emulator;
    else if (id.arch != "unknown" && id.arch != built_for) {
        emulation_reason = "compiled for " + built_for + " but /proc/cpuinfo describes " + id.arch;
        emulator = "qemu-user (inferred)";
    }
    rec.emulated = !emulation_reason.empty();
    e["emulated"] = rec.emulated;
    e["emulator"] = rec.emulated ? json(emulator) : json(nullptr);
    e["emulation_reason"] = rec.emulated ? json(emulation_reason) : json(nullptr);

    if (opt.timer)
        e["timer"] = {{"name", opt.timer->name}, {"freq_hz", opt.timer->freq_hz},
                      {"core_cycles", opt.timer->core_cycles}, {"calibrated", opt.timer->calibrated},
                      {"resolution_ticks", opt.timer->resolution_ticks}};
    else
        e["timer"] = nullptr;

    // Mitigations, microcode, cpuidle, SMT control, isolated CPUs (platform_state.hpp).
    {
        std::vector<int> cpus = opt.measured_cpus;
        if (cpus.empty() && t) cpus = t->online;
        const json ps = platform_state(opt.proc_root, opt.sys_root, cpus);  // named: items() does not own it
        for (const auto& [k, v] : ps.items()) e[k] = v;
    }

    rec.machine_id = machine_id(e["arch"].get<std::string>(), id.vendor, id.model, cores, cache_sizes);
    e["machine_id"] = rec.machine_id;

    // Warnings: conditions that spoil measurements.
    std::vector<int> watched = opt.measured_cpus;
    if (watched.empty() && t) watched = t->online;
    for (const auto& [g, cpus] : by_governor) {
        if (g == "performance") continue;
        std::vector<int> hit;
        for (int c : cpus)
            if (std::find(watched.begin(), watched.end(), c) != watched.end()) hit.push_back(c);
        if (!hit.empty()) rec.warnings.push_back("governor is " + g + " on " + cpus_phrase(hit));
    }
    if (boost && *boost)
        rec.warnings.push_back("turbo/boost is enabled (" + boost_source + "): the clock follows load and temperature");
    if (t)
        for (int c : opt.measured_cpus) {
            const topo::Cpu* cpu = t->cpu(c);
            if (!cpu) continue;
            for (int s : cpu->thread_siblings) {
                if (s == c || std::find(opt.measured_cpus.begin(), opt.measured_cpus.end(), s) != opt.measured_cpus.end())
                    continue;
                const topo::Cpu* sib = t->cpu(s);
                if (sib && sib->online)
                    rec.warnings.push_back("SMT sibling cpu" + std::to_string(s) + " of measured cpu" + std::to_string(c) +
                                           " is online: anything scheduled there shares the core");
            }
        }
    if (v.virtualized)
        rec.warnings.push_back("running in a virtual machine (" + v.hypervisor + ", " + v.evidence +
                               "): vCPUs may be descheduled or migrated by the host");
    if (rec.emulated)
        rec.warnings.push_back("running under emulation (" + emulation_reason + "): timings are meaningless");
    const bool privileged = opt.privileged.value_or(real && geteuid() == 0);
    if (paranoid && *paranoid > 2 && !privileged)
        rec.warnings.push_back("perf_event_paranoid is " + std::to_string(*paranoid) +
                               ": hardware counters are unavailable to unprivileged users (need <= 2, or CAP_PERFMON)");
    rec.environment = std::move(e);
    return rec;
}

}  // namespace ringlab::env
