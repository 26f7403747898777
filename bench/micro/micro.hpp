// micro.hpp: ringlab-micro, Google Benchmark microbenchmarks of the primitives
// a ring is built from, per architecture:
//   site/<policy>[:<runtime>]/<site kind>  one barrier site of one policy, alone
//   fullbarrier/<fence>                    store; full barrier; load
//   roundtrip/<spin|relax>                 cache-line ping-pong between two pinned CPUs
//   onethread/<layout>                     the engine's driver and device stepped in one thread
// Every benchmark also reports `ticks`: cycle-timer ticks per iteration
// (ringsim::clock; see the context's ringlab_timer / ringlab_timer_hz).
#pragma once

#include <cstdint>

#include <benchmark/benchmark.h>

#include "ringsim/clock.hpp"

namespace ringlab::micro {

void register_site_benchmarks();
void register_full_barrier_benchmarks();
void register_roundtrip_benchmarks(int cpu_a, int cpu_b);
void register_one_thread_benchmarks();

// Brackets a benchmark's loop with timer reads; outside the loop, so the loop
// itself carries no extra work.
class TickCounter {
public:
    explicit TickCounter(benchmark::State& s) : state_(s), t0_(ringsim::clock::now()) {}
    ~TickCounter() {
        const std::uint64_t t1 = ringsim::clock::now_end();
        state_.counters["ticks"] = benchmark::Counter(double(t1 - t0_), benchmark::Counter::kAvgIterations);
    }
    TickCounter(const TickCounter&) = delete;
    TickCounter& operator=(const TickCounter&) = delete;

private:
    benchmark::State& state_;
    std::uint64_t t0_;
};

}  // namespace ringlab::micro
