// events.cpp: libpfm4 glue and the per-model default event tables.
//
// Event names were taken from libpfm4's own tables (lib/events/*.h) and each set
// is checked by tests that force the model with LIBPFM_FORCE_PMU and encode every
// event.  Sets are sized to fit the model's counters in one group where possible
// (Intel: 3 fixed + 4 general with SMT on; AMD Zen: 6; Neoverse: 6 + cycle counter;
// POWER: PMC1-4 programmable with per-PMC event constraints, PMC5/6 fixed).
#include "pmu/events.hpp"

#include <perfmon/pfmlib_perf_event.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

namespace ringlab::pmu {

namespace {

struct Row {
    std::string alias, name, note;
    int group = 0;
};

std::vector<Row> intel_set(const char* c2c, const char* c2c_note, const char* llc = "LONGEST_LAT_CACHE:MISS") {
    return {
        {"cycles", "UNHALTED_CORE_CYCLES", "core cycles while not halted (fixed counter)"},
        {"instructions", "INSTRUCTION_RETIRED", "instructions retired (fixed counter)"},
        {"branch-misses", "BR_MISP_RETIRED:ALL_BRANCHES", "mispredicted branches retired"},
        {"l1d-misses", "L1D:REPLACEMENT", "lines brought into the L1D (demand and prefetch)"},
        {"llc-misses", llc, "core requests that missed the L3 (architectural LLC misses)"},
        {"c2c", c2c, c2c_note},
    };
}

const char* const kHitmNote =
    "retired loads that hit the L3 and were served by a snoop of another core holding the line Modified (HITM); "
    "RFO transfers for stores are not included";

std::vector<Row> amd_fill_set(const char* fills, const char* all, const char* dram, const char* c2c,
                              const char* c2c_note) {
    const std::string l1d = std::string(fills) + all, llc = std::string(fills) + dram,
                      c2c_name = std::string(fills) + c2c;
    return {
        {"cycles", "CYCLES_NOT_IN_HALT", "core cycles while not halted"},
        {"instructions", "RETIRED_INSTRUCTIONS", "instructions retired"},
        {"branch-misses", "RETIRED_BRANCH_INSTRUCTIONS_MISPREDICTED", "mispredicted branches retired"},
        {"l1d-misses", l1d, "demand L1D fills from any source (an L1D demand miss each)"},
        {"llc-misses", llc, "demand L1D fills from DRAM or I/O (missed every cache), local or remote node"},
        {"c2c", c2c_name, c2c_note},
    };
}

std::vector<Row> neoverse_set() {
    return {
        {"cycles", "CPU_CYCLES", "core cycles (dedicated cycle counter)"},
        {"instructions", "INST_RETIRED", "instructions architecturally executed"},
        {"branch-misses", "BR_MIS_PRED_RETIRED", "mispredicted branches retired"},
        {"l1d-misses", "L1D_CACHE_REFILL", "L1D refills"},
        {"llc-misses", "LL_CACHE_MISS_RD", "last-level cache read misses"},
        {"c2c", "L2D_CACHE_REFILL",
         "refills of the core's private L2: from a peer core's cache, the shared L3/SLC or memory; Arm PMUv3 has no "
         "core event that isolates peer-cache sources"},
    };
}

std::vector<Row> power9_set() {
    // PMC constraints (the PMC is in the event code): RELOADED_ALL PMC1, RL2L3_MOD PMC2,
    // L3MISS PMC3, L21_MOD PMC4, BR_MPRED_CMPL PMC4 -> branch-misses in a second group.
    return {
        {"cycles", "perf::CYCLES", "generic cycles: the kernel places it on fixed PMC6"},
        {"instructions", "perf::INSTRUCTIONS", "generic instructions: the kernel places it on fixed PMC5"},
        {"l1d-misses", "PM_L1_DCACHE_RELOADED_ALL", "L1D reloads for demand misses"},
        {"llc-misses", "PM_DATA_FROM_L3MISS", "demand loads served from beyond the local L3"},
        {"c2c", "PM_DATA_FROM_L21_MOD", "demand loads served Modified from another core's L2 on the same chip"},
        {"c2c-remote", "PM_DATA_FROM_RL2L3_MOD", "demand loads served Modified from another chip's L2/L3"},
        {"branch-misses", "PM_BR_MPRED_CMPL",
         "mispredicted branches completed; needs PMC4 like c2c, so it is a second group and multiplexed", 1},
    };
}

std::vector<Row> power10_set() {
    return {
        {"cycles", "perf::CYCLES", "generic cycles: the kernel places it on fixed PMC6"},
        {"instructions", "perf::INSTRUCTIONS", "generic instructions: the kernel places it on fixed PMC5"},
        {"branch-misses", "PM_BR_MPRED_CMPL", "mispredicted branches completed (PMC4)"},
        {"l1d-misses", "PM_LD_DEMAND_MISS_L1", "L1 reloads for demand misses (PMC3)"},
        {"llc-misses", "PM_DATA_FROM_L3MISS", "demand loads served from beyond the local L3 (PMC1)"},
        {"c2c", "PM_DATA_FROM_L21_REGENT_MOD_ALT2",
         "demand loads served Modified from another core's L2 in the same regent of the chip (PMC2); the other "
         "regent is PM_DATA_FROM_L21_NON_REGENT_MOD"},
    };
}

std::vector<Row> generic_set(const char* c2c_note) {
    return {
        {"cycles", "perf::CYCLES", "kernel generic hardware event"},
        {"instructions", "perf::INSTRUCTIONS", "kernel generic hardware event"},
        {"branch-misses", "perf::BRANCH-MISSES", "kernel generic hardware event"},
        {"l1d-misses", "perf::L1-DCACHE-LOAD-MISSES", "kernel generic cache event (its mapping varies by model)"},
        {"llc-misses", "perf::LLC-LOAD-MISSES", "kernel generic cache event (its mapping varies by model)"},
        {"c2c", "", c2c_note},
    };
}

const std::map<std::string, std::vector<Row>>& tables() {
    static const std::map<std::string, std::vector<Row>> t = [] {
        std::map<std::string, std::vector<Row>> m;
        for (const char* p : {"snb", "snb_ep", "ivb", "ivb_ep"})
            m[p] = intel_set("MEM_LOAD_UOPS_LLC_HIT_RETIRED:XSNP_HITM", kHitmNote, "LLC_MISSES");
        for (const char* p : {"hsw", "hsw_ep", "bdw", "bdw_ep"})
            m[p] = intel_set("MEM_LOAD_UOPS_L3_HIT_RETIRED:XSNP_HITM", kHitmNote);
        for (const char* p : {"skl", "skx", "clx", "icl", "icx"})
            m[p] = intel_set("MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM", kHitmNote);
        m["spr"] = intel_set("MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD",
                             "retired loads that hit the L3 and were forwarded from another core's cache (the HITM "
                             "and clean-forward cases; Sapphire Rapids' successor of XSNP_HITM)");
        m["amd64_fam17h_zen2"] = amd_fill_set(
            "DATA_CACHE_REFILLS_FROM_SYSTEM",
            ":MABRESP_LCL_L2:LS_MABRESP_LCL_CACHE:LS_MABRESP_LCL_DRAM:LS_MABRESP_RMT_CACHE:LS_MABRESP_RMT_DRAM",
            ":LS_MABRESP_LCL_DRAM:LS_MABRESP_RMT_DRAM", ":LS_MABRESP_LCL_CACHE:LS_MABRESP_RMT_CACHE",
            "demand L1D fills from another cache (L3 or another core's L2, local or remote node)");
        m["amd64_fam19h_zen3"] = amd_fill_set(
            "DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM",
            ":LCL_L2:INT_CACHE:EXT_CACHE_LCL:MEM_IO_LCL:EXT_CACHE_RMT:MEM_IO_RMT", ":MEM_IO_LCL:MEM_IO_RMT",
            ":INT_CACHE:EXT_CACHE_LCL:EXT_CACHE_RMT",
            "demand L1D fills from the L3 or another core's L2 in the CCX (INT_CACHE: Zen routes peer-L2 transfers "
            "through the L3 shadow tags, so the two cannot be told apart) or from another CCX's cache");
        m["amd64_fam19h_zen4"] = amd_fill_set(
            "DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM",
            ":LCL_L2:LOCAL_CCX:NEAR_CACHE_NEAR_FAR:DRAM_IO_NEAR:FAR_CACHE_NEAR_FAR:DRAM_IO_FAR:ALT_MEM_NEAR_FAR",
            ":DRAM_IO_NEAR:DRAM_IO_FAR", ":LOCAL_CCX:NEAR_CACHE_NEAR_FAR:FAR_CACHE_NEAR_FAR",
            "demand L1D fills from the L3 or another core's L2 in the CCX (LOCAL_CCX: not separable on Zen) or from "
            "another CCX's cache, near or far");
        const std::vector<Row> zen1 = {
            {"cycles", "CYCLES_NOT_IN_HALT", "core cycles while not halted"},
            {"instructions", "RETIRED_INSTRUCTIONS", "instructions retired"},
            {"branch-misses", "RETIRED_BRANCH_INSTRUCTIONS_MISPREDICTED", "mispredicted branches retired"},
            {"l1d-misses", "perf::L1-DCACHE-LOAD-MISSES", "kernel generic cache event: libpfm4's Zen1 table has no "
                                                          "demand-fill event"},
            {"llc-misses", "", "libpfm4's Zen1 table has no core event for fills from DRAM"},
            {"c2c", "", "libpfm4's Zen1 table has no demand-fill-source event; pass one with --events"},
        };
        m["amd64_fam17h_zen1"] = zen1;
        m["amd64_fam17h"] = zen1;
        for (const char* p : {"arm_n1", "arm_n2", "arm_v1", "arm_v2"}) m[p] = neoverse_set();
        m["power9"] = power9_set();
        m["power8"] = power9_set();
        m["power10"] = power10_set();
        return m;
    }();
    return t;
}

DefaultSet make_set(std::string pmu, bool generic, std::string note, const std::vector<Row>& rows) {
    DefaultSet s{std::move(pmu), generic, std::move(note), {}};
    for (const auto& r : rows) s.events.push_back({r.alias, r.name, r.note, r.group});
    return s;
}

std::string alias_for(std::string_view name) {
    std::string a;
    for (char c : name) {
        char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        a += (l == ':' || l == '=') ? '.' : l;
    }
    return a;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

std::string init_libpfm() {
    static std::once_flag once;
    static std::string error;
    std::call_once(once, [] {
        int r = pfm_initialize();
        if (r != PFM_SUCCESS) error = std::string("pfm_initialize: ") + pfm_strerror(r);
    });
    return error;
}

std::vector<std::string> detected_core_pmus() {
    std::vector<std::string> out;
    if (!init_libpfm().empty()) return out;
    // pfm_for_all_pmus() increments an enum, which C++ rejects: loop on int.
    for (int p = PFM_PMU_NONE; p < PFM_PMU_MAX; ++p) {
        pfm_pmu_info_t info;
        std::memset(&info, 0, sizeof info);
        info.size = sizeof info;
        if (pfm_get_pmu_info(static_cast<pfm_pmu_t>(p), &info) != PFM_SUCCESS || !info.is_present) continue;
        if (info.type != PFM_PMU_TYPE_CORE) continue;
        out.emplace_back(info.name);
    }
    return out;
}

std::vector<std::string> models_with_default_sets() {
    std::vector<std::string> out;
    for (const auto& [k, v] : tables()) out.push_back(k);
    return out;
}

DefaultSet default_set_for(std::string_view pmu) {
    auto it = tables().find(std::string(pmu));
    if (it != tables().end()) return make_set(it->first, false, "default set for libpfm4 PMU " + it->first, it->second);
    return make_set("perf", true,
                    "libpfm4 PMU '" + std::string(pmu) +
                        "' has no ringlab default set: using the kernel's generic events",
                    generic_set("no generic perf event counts cache-to-cache transfers; pass a model event with "
                                "--events"));
}

DefaultSet default_set() {
    const std::string err = init_libpfm();
    const auto pmus = detected_core_pmus();
    for (const auto& p : pmus)
        if (tables().count(p)) {
            DefaultSet s = default_set_for(p);
            s.note = "libpfm4 detected PMU " + p + (std::getenv("LIBPFM_FORCE_PMU") ? " (forced by LIBPFM_FORCE_PMU)" : "");
            return s;
        }
    std::string why;
    if (!err.empty()) why = "libpfm4 failed to initialize (" + err + ")";
    else if (pmus.empty()) why = "libpfm4 " + std::to_string(PFM_MAJ_VERSION(pfm_get_version())) + "." +
                                 std::to_string(PFM_MIN_VERSION(pfm_get_version())) +
                                 " has no event table for this CPU model";
    else {
        why = "libpfm4 detected";
        for (const auto& p : pmus) why += " " + p;
        why += " but ringlab has no default set for it";
    }
    DefaultSet s = make_set("perf", true, why + ": using the kernel's generic events (LIBPFM_FORCE_PMU=<model> can "
                                                "select a compatible table)",
                            generic_set("no generic perf event counts cache-to-cache transfers; pass a model event "
                                        "with --events"));
    return s;
}

std::vector<EventSpec> parse_event_list(std::string_view list) {
    std::vector<EventSpec> out;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        std::string item = trim(list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos));
        if (item.empty()) throw std::invalid_argument("--events: empty item in '" + std::string(list) + "'");
        EventSpec s;
        // "alias=NAME" only when the part before '=' looks like an alias (libpfm4 modifiers use '=' too: ":u=1").
        auto eq = item.find('=');
        auto colon = item.find(':');
        if (eq != std::string::npos && (colon == std::string::npos || eq < colon)) {
            s.alias = trim(item.substr(0, eq));
            s.name = trim(item.substr(eq + 1));
            if (s.alias.empty() || s.name.empty())
                throw std::invalid_argument("--events: bad item '" + item + "' (want NAME or alias=NAME)");
        } else {
            s.name = item;
            s.alias = alias_for(item);
        }
        s.note = "requested with --events";
        out.push_back(std::move(s));
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return out;
}

EncodeResult encode_event(const std::string& name) {
    EncodeResult r;
    if (auto err = init_libpfm(); !err.empty()) {
        r.error = err;
        return r;
    }
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof attr);
    char* fstr = nullptr;
    pfm_perf_encode_arg_t arg;
    std::memset(&arg, 0, sizeof arg);
    arg.size = sizeof arg;
    arg.attr = &attr;
    arg.fstr = &fstr;
    int ret = pfm_get_os_event_encoding(name.c_str(), PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
    if (ret != PFM_SUCCESS) {
        r.error = pfm_strerror(ret);
        return r;
    }
    Encoding e;
    e.type = attr.type;
    e.config = attr.config;
    e.config1 = attr.config1;
    e.config2 = attr.config2;
    e.exclude_kernel = attr.exclude_kernel;
    e.exclude_hv = attr.exclude_hv;
    if (fstr) {
        e.fqname = fstr;
        std::free(fstr);
    }
    r.encoding = std::move(e);
    return r;
}

}  // namespace ringlab::pmu
