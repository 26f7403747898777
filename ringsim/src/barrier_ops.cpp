// barrier_ops.cpp: the run-time state of the `branch` and `ops` barrier
// policies.  Out of line on purpose: if the table or the flag were visible as
// constants, the compiler would devirtualize the calls / fold the branches,
// and the benchmark would no longer measure seed 000's proposals (docs/questions.md).
#include "ringsim/barriers.hpp"

// extern "C" names so that tests/barriers can find them in the disassembly.
extern "C" {
void ringsim_ops_smp_wmb() { ringsim::arch::smp_wmb(); }
void ringsim_ops_smp_rmb() { ringsim::arch::smp_rmb(); }
void ringsim_ops_smp_mb() { ringsim::arch::smp_mb(); }
void ringsim_ops_wmb() { ringsim::arch::wmb(); }
void ringsim_ops_rmb() { ringsim::arch::rmb(); }
void ringsim_ops_mb() { ringsim::arch::mb(); }
}

namespace ringsim {
namespace detail {

namespace {
constexpr BarrierOps kSmpOps{ringsim_ops_smp_wmb, ringsim_ops_smp_rmb, ringsim_ops_smp_mb};
constexpr BarrierOps kMandatoryOps{ringsim_ops_wmb, ringsim_ops_rmb, ringsim_ops_mb};
}  // namespace

constinit bool g_branch_smp = true;
constinit const BarrierOps* g_barrier_ops = &kSmpOps;

}  // namespace detail

void set_runtime_barrier(RuntimeBarrier which) {
    detail::g_branch_smp = which == RuntimeBarrier::smp;
    detail::g_barrier_ops = which == RuntimeBarrier::smp ? &detail::kSmpOps : &detail::kMandatoryOps;
}

RuntimeBarrier runtime_barrier() {
    return detail::g_branch_smp ? RuntimeBarrier::smp : RuntimeBarrier::mandatory;
}

}  // namespace ringsim
