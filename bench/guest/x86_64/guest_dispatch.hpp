// guest_dispatch.hpp: from run-time names to one GuestRun instantiation per
// layout x barrier; each layout's instantiations in their own translation unit.
#pragma once

#include <stdexcept>
#include <string>

#include "guest/guest.hpp"
#include "guest/x86_64/guest_run.hpp"
#include "ringsim/barriers.hpp"

namespace ringlab::guest::x86 {

template <template <class> class Layout>
GuestRunResult run_guest_layout(const RunConfig& cfg, double hz) {
    GuestRunResult out;
    bool found = ringsim::visit_barrier(cfg.barrier, [&](auto tag) {
        using B = typename decltype(tag)::type;
        GuestRun<Layout<B>> run(cfg, hz);
        out = run.run();
    });
    if (!found) throw std::invalid_argument("unknown barrier '" + cfg.barrier + "'");
    return out;
}

GuestRunResult run_guest_split(const RunConfig& cfg, double hz);
GuestRunResult run_guest_split_inorder(const RunConfig& cfg, double hz);
GuestRunResult run_guest_packed(const RunConfig& cfg, double hz);
GuestRunResult run_guest_index(const RunConfig& cfg, double hz);
GuestRunResult run_guest_packed_inorder(const RunConfig& cfg, double hz);

}  // namespace ringlab::guest::x86
