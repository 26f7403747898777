// dispatch_layout.hpp: shared body of the dispatch_<layout>.cpp files.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>

#include "engine/chain_device.hpp"
#include "engine/chain_driver.hpp"
#include "engine/dispatch.hpp"
#include "engine/engine_run.hpp"
#include "ringsim/barriers.hpp"

namespace ringlab::detail {

template <template <class> class Layout>
RunResult run_layout(const RunConfig& cfg, double hz) {
    RunResult out;
    bool found = ringsim::visit_barrier(cfg.barrier, [&](auto tag) {
        using B = typename decltype(tag)::type;
        // Chains, indirect tables and out-of-order completion take the chain cores; every
        // other configuration keeps the single-descriptor fast path.
        if constexpr (ringsim::ChainLayout<Layout<B>>) {
            if (uses_chain_path(cfg)) {
                EngineRun<Layout<B>, ChainDriverCore, ChainDeviceCore> run(cfg, hz);
                out = run.run();
                return;
            }
        }
        EngineRun<Layout<B>> run(cfg, hz);
        out = run.run();
    });
    if (!found) throw std::invalid_argument("unknown barrier '" + cfg.barrier + "'");
    return out;
}

}  // namespace ringlab::detail
