// platform_state.hpp: the state of the CPU platform a hypervisor engineer checks first when two
// machines disagree: vulnerability mitigations, microcode, cpuidle (driver, governor, the
// deepest enabled C-state), SMT control, and the isolated / nohz_full CPUs the kernel reports.
//
// Read from injectable /proc and /sys roots (tests feed scratch trees); a file that is absent
// gives null, never a guess.  Added to context.ringlab.environment by env::collect.
#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

namespace ringlab::env {

// {"vulnerabilities": {name: text} | null, "microcode": "0x..." | {cpuN: ...} | null,
//  "cpuidle": {"driver", "governor", "states": [{"name","latency_us","residency_us","disabled"}],
//              "deepest_enabled"} , "smt_control": "on"|"off"|"forceoff"|"notsupported"|... | null,
//  "smt_active": bool | null, "isolated_cpus": "2-3" | null, "nohz_full_cpus": ... | null}
nlohmann::json platform_state(const std::filesystem::path& proc_root, const std::filesystem::path& sys_root,
                              const std::vector<int>& cpus);

}  // namespace ringlab::env
