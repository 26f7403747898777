// engine_test_util.hpp: small helpers shared by the engine tests.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "ringsim/barrier_table.hpp"
#include "ringsim/barriers.hpp"

namespace ringlab::test {

inline const std::vector<std::string> kLayouts = {"split", "split-inorder", "packed", "index", "packed-inorder"};
// The layouts with descriptors: chains, indirect tables, out-of-order completion.
inline const std::vector<std::string> kChainLayouts = {"split", "split-inorder", "packed", "packed-inorder"};

// Policies whose sites used by a run are safe on this architecture, per the
// table that `ctest -R disasm` proves against the disassembly.
inline std::vector<std::string> safe_barriers(bool need_notify) {
    std::vector<std::string> out;
    auto arch = ringsim::current_arch();
    for (auto name : ringsim::kBarrierNames) {
        bool ok = true;
        for (auto kind : ringsim::kSiteKinds) {
            if (kind == ringsim::SiteKind::notify && !need_notify) continue;
            const auto* s = arch ? ringsim::find_site(*arch, name, kind) : nullptr;
            ok = ok && s && s->safe;
        }
        if (ok) out.emplace_back(name);
    }
    return out;
}

inline RunConfig small_config(const std::string& layout, const std::string& barrier) {
    RunConfig c;
    c.layout = layout;
    c.barrier = barrier;
    c.ring_size = 64;
    c.batch = 4;
    c.buffers = 20000;
    c.warmup_buffers = 2000;
    c.measure_floor = false;
    c.watchdog_ms = 5000;
    return c;
}

inline std::string describe(const RunResult& r) {
    std::string s = r.config.layout + "/" + r.config.barrier + ": ";
    for (const auto& p : r.problems) s += p + "; ";
    for (const auto& w : r.watchdog) s += "[watchdog " + w.role + ": " + w.waited_for + " | " + w.state + "] ";
    return s;
}

}  // namespace ringlab::test
