// microarch.hpp: CPU identification tables (x86 family/model, arm64 MIDR, POWER PVR).
// Tables cover the parts the lab fleet runs and their neighbours; anything else
// is "unknown" rather than a guess.
#pragma once

#include <string>

namespace ringlab::env {

// vendor: "intel" | "amd"; returns e.g. "skylake-x", "zen4", or "unknown".
std::string x86_microarch(const std::string& vendor, int family, int model, int stepping);

struct ArmPart {
    std::string vendor;     // arm, ampere, fujitsu, hisilicon, nvidia, apple, qualcomm, cavium, ...
    std::string name;       // "neoverse-n1", ... or "unknown"
};
ArmPart arm_part(unsigned implementer, unsigned part);

// POWER: from the cpuinfo "cpu" line ("POWER9, altivec supported") or PVR version.
std::string power_microarch(const std::string& cpu_line, unsigned pvr_version);

}  // namespace ringlab::env
