// microarch.cpp: the identification tables.  Sources: Intel SDM model lists,
// AMD family/model ranges, Arm's MIDR part numbers, IBM PVR versions.
#include "env/microarch.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace ringlab::env {

std::string x86_microarch(const std::string& vendor, int family, int model, int stepping) {
    if (vendor == "intel" && family == 6) {
        if (model == 0x55) return stepping >= 10 ? "cooperlake" : stepping >= 5 ? "cascadelake-x" : "skylake-x";
        static const std::map<int, const char*> intel = {
            {0x1a, "nehalem"},       {0x1e, "nehalem"},       {0x2e, "nehalem-ex"},     {0x25, "westmere"},
            {0x2c, "westmere-ep"},   {0x2a, "sandybridge"},   {0x2d, "sandybridge-ep"}, {0x3a, "ivybridge"},
            {0x3e, "ivybridge-ep"},  {0x3c, "haswell"},       {0x45, "haswell"},        {0x46, "haswell"},
            {0x3f, "haswell-x"},     {0x3d, "broadwell"},     {0x47, "broadwell"},      {0x4f, "broadwell-x"},
            {0x56, "broadwell-de"},  {0x4e, "skylake"},       {0x5e, "skylake"},        {0x8e, "kabylake"},
            {0x9e, "coffeelake"},    {0xa5, "cometlake"},     {0x7d, "icelake"},        {0x7e, "icelake"},
            {0x6a, "icelake-x"},     {0x6c, "icelake-d"},     {0x8c, "tigerlake"},      {0x97, "alderlake"},
            {0x9a, "alderlake"},     {0xb7, "raptorlake"},    {0xba, "raptorlake"},     {0xbf, "raptorlake"},
            {0x8f, "sapphirerapids"}, {0xcf, "emeraldrapids"}, {0xad, "graniterapids"}, {0xae, "graniterapids-d"},
            {0xaf, "sierraforest"},  {0xaa, "meteorlake"},    {0xc6, "arrowlake"},      {0xbd, "lunarlake"},
            {0x57, "knightslanding"}, {0x85, "knightsmill"},  {0x5c, "goldmont"},       {0x7a, "goldmont-plus"},
            {0x86, "tremont"},
        };
        auto it = intel.find(model);
        return it == intel.end() ? "unknown" : it->second;
    }
    if (vendor == "amd") {
        if (family == 0x17) {
            if (model <= 0x0f) return "zen1";
            if (model <= 0x2f) return "zen+";
            return "zen2";  // 0x30 Rome, 0x60 Renoir, 0x71 Matisse, 0x90 Van Gogh, 0xa0 Mendocino
        }
        if (family == 0x19) {
            if (model <= 0x0f || (model >= 0x20 && model <= 0x5f)) return "zen3";
            return "zen4";  // 0x10-0x1f Genoa, 0x60-0x7f Raphael/Phoenix, 0xa0-0xaf Bergamo
        }
        if (family == 0x1a) return "zen5";
        if (family == 0x15) return "bulldozer-family";
        if (family == 0x10) return "k10";
    }
    return "unknown";
}

ArmPart arm_part(unsigned implementer, unsigned part) {
    static const std::map<unsigned, const char*> vendors = {
        {0x41, "arm"},      {0x42, "broadcom"}, {0x43, "cavium"}, {0x46, "fujitsu"},  {0x48, "hisilicon"},
        {0x4e, "nvidia"},   {0x50, "apm"},      {0x51, "qualcomm"}, {0x61, "apple"}, {0xc0, "ampere"},
    };
    static const std::map<std::pair<unsigned, unsigned>, const char*> parts = {
        {{0x41, 0xd03}, "cortex-a53"},  {{0x41, 0xd07}, "cortex-a57"},  {{0x41, 0xd08}, "cortex-a72"},
        {{0x41, 0xd0b}, "cortex-a76"},  {{0x41, 0xd0c}, "neoverse-n1"}, {{0x41, 0xd0d}, "cortex-a77"},
        {{0x41, 0xd40}, "neoverse-v1"}, {{0x41, 0xd41}, "cortex-a78"},  {{0x41, 0xd44}, "cortex-x1"},
        {{0x41, 0xd49}, "neoverse-n2"}, {{0x41, 0xd4f}, "neoverse-v2"}, {{0x41, 0xd8e}, "neoverse-n3"},
        {{0x41, 0xd84}, "neoverse-v3"}, {{0x43, 0x0af}, "thunderx2"},   {{0x46, 0x001}, "a64fx"},
        {{0x48, 0xd01}, "tsv110"},      {{0xc0, 0xac3}, "ampereone"},   {{0xc0, 0xac4}, "ampereone"},
        {{0x50, 0x000}, "x-gene"},      {{0x51, 0xc00}, "falkor"},      {{0x4e, 0x004}, "carmel"},
    };
    ArmPart out;
    auto v = vendors.find(implementer);
    out.vendor = v == vendors.end() ? "unknown" : v->second;
    auto p = parts.find({implementer, part});
    out.name = p == parts.end() ? "unknown" : p->second;
    return out;
}

std::string power_microarch(const std::string& cpu_line, unsigned pvr_version) {
    std::string lower;
    for (char c : cpu_line) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* n : {"power10", "power11", "power9", "power8", "power7"})
        if (lower.find(n) != std::string::npos) return n;
    switch (pvr_version) {
        case 0x004b: case 0x004c: case 0x004d: return "power8";
        case 0x004e: return "power9";
        case 0x0080: return "power10";
        case 0x0082: return "power11";
        default: return "unknown";
    }
}

}  // namespace ringlab::env
