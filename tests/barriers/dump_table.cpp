// dump_table.cpp: prints barrier_table.hpp's data as JSON, so that the
// disassembly checker reads the table itself rather than a copy of it.
#include <iostream>

#include <nlohmann/json.hpp>

#include "ringsim/barrier_table.hpp"
#include "ringsim/barriers.hpp"

namespace {
nlohmann::json insns(const ringsim::InsnList& l) {
    nlohmann::json a = nlohmann::json::array();
    for (auto s : l)
        if (!s.empty()) a.push_back(std::string(s));
    return a;
}
}  // namespace

int main() {
    nlohmann::json out;
    out["policies"] = nlohmann::json::array();
    for (auto n : ringsim::kBarrierNames) out["policies"].push_back(std::string(n));
    out["sites"] = nlohmann::json::array();
    for (const auto& r : ringsim::kBarrierTable)
        out["sites"].push_back({{"arch", ringsim::to_string(r.arch)},
                                {"policy", r.policy},
                                {"site", ringsim::to_string(r.site)},
                                {"insns", insns(r.insns)},
                                {"safe", r.safe},
                                {"note", r.note}});
    out["primitives"] = nlohmann::json::array();
    for (const auto& p : ringsim::kPrimitiveTable)
        out["primitives"].push_back(
            {{"arch", ringsim::to_string(p.arch)}, {"name", p.name}, {"insns", insns(p.insns)}});
    std::cout << out.dump(1) << '\n';
}
