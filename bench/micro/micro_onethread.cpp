// micro_onethread.cpp: the engine's own work per buffer, without the ring's line transfers.
//
//   onethread/<layout>  DriverCore and DeviceCore stepped alternately in one thread:
//                       batch 1, ring 256, --verify ring, the ring kept full as in a
//                       streaming run.  Each iteration is one window of kBuffers buffers.
//
// Two threads cannot move a buffer faster than the slower role's own work per buffer, so
// this is the engine's share of a batch-1 streaming figure.  Its instruction count is
// deterministic where the 2-thread time is not: `valgrind --tool=callgrind ringlab-micro
// --benchmark_filter=onethread/packed` counts it (README, "How close to the hardware").
#include <cstdint>
#include <string>

#include "engine/engine_loops.hpp"
#include "micro.hpp"
#include "ringsim/barriers.hpp"
#include "ringsim/layouts/all.hpp"

namespace ringlab::micro {
namespace {

constexpr std::uint32_t kRing = 256;
constexpr std::uint64_t kBuffers = 100000;
// Fixed, so that an instruction count divided by kIterations * kBuffers is per buffer (each
// window also runs a ring of warm-up and drains the ring after it: 0.5% more buffers).
constexpr benchmark::IterationCount kIterations = 20;

template <class Ring>
void one_thread(benchmark::State& state) {
    std::uint64_t ticks = 0;  // the windows alone, by the cycle timer
    for (auto _ : state) {
        state.PauseTiming();  // a fresh ring and pool per window: set-up is not measured
        Ring ring{ringsim::RingOptions{kRing, 64, ringsim::NotifyMode::poll}};
        RunControl ctl;
        DriverPlan plan;
        plan.outstanding = kRing;
        plan.batch = 1;
        plan.warmup = kRing;
        plan.window = kBuffers;
        plan.verify_payload = false;
        plan.refill = true;  // as a run with one submitter
        BufferPool pool(driver_pool_size(plan.outstanding, plan.batch), 64, 64);
        DriverCore<Ring> drv(ring, pool, plan, ctl);
        DeviceCore<Ring> dev(ring, pool, plan.batch, false, false, false);
        state.ResumeTiming();
        const std::uint64_t t0 = ringsim::clock::now();
        // Bounded: a core that stopped making progress fails the benchmark, never hangs it.
        bool done = false;
        for (std::uint64_t steps = 0; !done && steps < 100 * (kBuffers + plan.warmup); ++steps) {
            done = drv.step(false).done;
            dev.step();
        }
        ticks += ringsim::clock::now_end() - t0;
        state.PauseTiming();
        if (!done || drv.window_buffers != kBuffers || drv.errors.total() || dev.errors.total()) {
            state.SkipWithError(!done ? "the window did not close within its step bound"
                                : drv.window_buffers != kBuffers ? "the window closed on the wrong buffer count"
                                                                 : "a buffer failed verification");
            break;
        }
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(kBuffers));
    if (state.iterations())
        state.counters["ns_per_buffer"] =
            double(ticks) * 1e9 / ringsim::clock::info().hz / double(state.iterations() * kBuffers);
}

template <class Ring>
void add(const char* layout) {
    benchmark::RegisterBenchmark((std::string("onethread/") + layout).c_str(), one_thread<Ring>)
        ->Iterations(kIterations)
        ->Unit(benchmark::kMillisecond);
}

}  // namespace

void register_one_thread_benchmarks() {
    using B = ringsim::SmpBarrier;
    add<ringsim::SplitRing<B>>("split");
    add<ringsim::SplitInOrderRing<B>>("split-inorder");
    add<ringsim::PackedRing<B>>("packed");
    add<ringsim::IndexRing<B>>("index");
}

}  // namespace ringlab::micro
