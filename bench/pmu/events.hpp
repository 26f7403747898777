// events.hpp: PMU event names, libpfm4 encoding and the default event sets.
//
// Events are named with libpfm4 strings ("MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM",
// "perf::CYCLES") and carry a short alias ("c2c") that results use.  libpfm4
// turns a name into a perf_event_attr once, at start-up, and the encoding is
// recorded so a reader can see exactly what was counted.
//
// Default sets are chosen per PMU model libpfm4 detects (LIBPFM_FORCE_PMU
// overrides detection, as libpfm4 documents).  Every set has the same aliases:
// cycles, instructions, branch-misses, l1d-misses, llc-misses, c2c (data that
// came from another core's cache); a model without a fitting event keeps the
// alias with an empty name and a note saying why, so nothing vanishes silently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringlab::pmu {

struct EventSpec {
    std::string alias;   // short, stable name used in results: "cycles", "c2c", ...
    std::string name;    // libpfm4 event string; empty = no event for this alias here
    std::string note;    // what the event counts, caveats, or why name is empty
    int group = 0;       // events with the same group are read atomically together
};

struct Encoding {
    std::uint32_t type = 0;
    std::uint64_t config = 0, config1 = 0, config2 = 0;
    std::string fqname;               // libpfm4's fully qualified name (pmu::event:umask:mods)
    bool exclude_kernel = true, exclude_hv = true;
};

struct DefaultSet {
    std::string pmu;       // libpfm4 PMU name the set was chosen for, or "perf" (generic)
    bool generic = false;  // true when falling back to the kernel's generic events
    std::string note;      // why this set (and what detection found)
    std::vector<EventSpec> events;
};

// Initializes libpfm4 once per process.  Returns "" on success, otherwise libpfm4's error.
// LIBPFM_FORCE_PMU must be set before the first call to take effect.
std::string init_libpfm();

// Core PMUs libpfm4 reports present (detected or forced), most specific first.
std::vector<std::string> detected_core_pmus();

// Default set for a libpfm4 PMU name ("skx", "amd64_fam19h_zen4", "arm_n1", "power9");
// an unknown name gives the generic set with a note.
DefaultSet default_set_for(std::string_view pmu);
// Default set for this machine (first detected core PMU with a table; else generic).
DefaultSet default_set();
// PMU names that have a model-specific default set (for tests and `ringlab list`).
std::vector<std::string> models_with_default_sets();

// `--events` list: comma-separated libpfm4 names, each optionally "alias=NAME".
// Without an alias the alias is the name, lower-cased, with ':' and '=' as '.'.
// Throws std::invalid_argument on an empty item.
std::vector<EventSpec> parse_event_list(std::string_view list);

struct EncodeResult {
    std::optional<Encoding> encoding;
    std::string error;     // libpfm4's error string when encoding is empty
};
// User-level counting only (PFM_PLM3): it is what perf_event_paranoid=2 allows an
// unprivileged user, and the ring's hot loops run in user space.
EncodeResult encode_event(const std::string& name);

}  // namespace ringlab::pmu
