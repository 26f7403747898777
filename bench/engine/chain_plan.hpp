// chain_plan.hpp: what the chain engine (ChainDriverCore, ChainDeviceCore in engine_loops.hpp) needs to know
// about a configuration's buffers, resolved once from the RunConfig.
#pragma once

#include <cstdint>

#include "engine/run_config.hpp"

namespace ringlab {

struct ChainPlan {
    std::uint32_t sg = 1;               // segments per buffer
    bool indirect = false;              // in a per-id indirect table (preallocated by the ring)
    Completion completion = Completion::in_order;
    std::uint64_t seed = 1;             // Completion::random
};

inline ChainPlan chain_plan_of(const RunConfig& c) {
    return ChainPlan{c.sg, uses_indirect(c), c.completion, c.completion_seed};
}

// Pool entries per buffer: one per segment on the chain path, one otherwise.
inline std::uint32_t segments_per_buffer(const RunConfig& c) { return uses_chain_path(c) ? c.sg : 1; }

}  // namespace ringlab
