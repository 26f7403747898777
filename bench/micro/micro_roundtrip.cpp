// micro_roundtrip.cpp: the cross-core cache-line round trip, the physical
// floor of a batch-1 ring (docs/protocol.md, "The physical floor").  The benchmark thread and a
// peer thread, each pinned, bounce one cache line: one iteration = one round
// trip = two line transfers.
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <string>
#include <thread>

#include "micro.hpp"
#include "ringsim/barriers.hpp"

namespace ringlab::micro {
namespace {

using ringsim::detail::load_relaxed;
using ringsim::detail::store_relaxed;

constexpr std::uint64_t kStop = ~0ull;

bool pin(pthread_t t, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(t, sizeof set, &set) == 0;
}

// Relax = cpu_relax() in the wait loops (what a polite ring does); without it
// the loops spin flat out, which gives the hardware floor.
template <bool Relax>
void roundtrip(benchmark::State& state, int cpu_a, int cpu_b) {
    struct alignas(128) Shared { std::uint64_t v = 0; };
    static Shared line;  // one line, alone on its 128-byte block
    store_relaxed(&line.v, std::uint64_t{0});

    cpu_set_t saved;
    pthread_getaffinity_np(pthread_self(), sizeof saved, &saved);
    if (!pin(pthread_self(), cpu_a)) {
        state.SkipWithError(("cannot pin to CPU " + std::to_string(cpu_a)).c_str());
        return;
    }
    std::atomic<int> peer_ok{0};  // 0 starting, 1 pinned, -1 failed
    std::thread peer([&] {
        if (!pin(pthread_self(), cpu_b)) { peer_ok.store(-1); return; }
        peer_ok.store(1);
        // Answer each odd value v with v + 1 until told to stop.
        for (std::uint64_t expect = 1;;) {
            const std::uint64_t v = load_relaxed(&line.v);
            if (v == expect) {
                store_relaxed(&line.v, v + 1);
                expect += 2;
            } else if (v == kStop) {
                return;
            } else if constexpr (Relax) {
                ringsim::arch::cpu_relax();
            }
        }
    });
    while (peer_ok.load() == 0) std::this_thread::yield();
    if (peer_ok.load() < 0) {
        peer.join();
        pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
        state.SkipWithError(("cannot pin to CPU " + std::to_string(cpu_b)).c_str());
        return;
    }

    std::uint64_t v = 0;
    {
        TickCounter ticks(state);
        for (auto _ : state) {
            store_relaxed(&line.v, ++v);
            ++v;
            while (load_relaxed(&line.v) != v)
                if constexpr (Relax) ringsim::arch::cpu_relax();
        }
    }
    store_relaxed(&line.v, kStop);
    peer.join();
    pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    state.SetLabel("cpus " + std::to_string(cpu_a) + "," + std::to_string(cpu_b));
}

}  // namespace

void register_roundtrip_benchmarks(int cpu_a, int cpu_b) {
    benchmark::RegisterBenchmark("roundtrip/spin", [=](benchmark::State& s) { roundtrip<false>(s, cpu_a, cpu_b); })
        ->UseRealTime();
    benchmark::RegisterBenchmark("roundtrip/relax", [=](benchmark::State& s) { roundtrip<true>(s, cpu_a, cpu_b); })
        ->UseRealTime();
}

}  // namespace ringlab::micro
