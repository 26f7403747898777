// micro_sites.cpp: each barrier site of each policy alone in a loop, and a
// store followed by a load around each full barrier the architecture has.
#include <atomic>
#include <string>
#include <utility>

#include "micro.hpp"
#include "ringsim/barriers.hpp"

namespace ringlab::micro {
namespace {

using ringsim::detail::load_relaxed;
using ringsim::detail::store_relaxed;

// The words live on their own cache lines so no site pays for false sharing.
struct alignas(128) Line { std::uint16_t w = 0; };
Line g_a, g_b;

// publish: the site's fence and the index store.
template <class P>
void publish(benchmark::State& state) {
    std::uint16_t v = 0;
    TickCounter ticks(state);
    for (auto _ : state) P::publish_store(&g_a.w, ++v);
}

// consume: the index load and the site's fence.
template <class P>
void consume(benchmark::State& state) {
    TickCounter ticks(state);
    for (auto _ : state) benchmark::DoNotOptimize(P::consume_load(&g_a.w));
}

// notify-check in its setting: a store, the fence, a load of another line.
// (A full barrier with an empty store buffer would cost less than in a ring.)
template <class P>
void notify(benchmark::State& state) {
    std::uint16_t v = 0;
    TickCounter ticks(state);
    for (auto _ : state) {
        store_relaxed(&g_a.w, ++v);
        P::notify_check();
        benchmark::DoNotOptimize(load_relaxed(&g_b.w));
    }
}

// The same three loops with no fence at all: the floor to subtract.
struct NoBarrier {
    static constexpr std::string_view name = "none";
    template <class T> static void publish_store(T* p, T v) { store_relaxed(p, v); }
    template <class T> static T consume_load(const T* p) { return load_relaxed(p); }
    static void notify_check() { ringsim::arch::compiler_barrier(); }
};

template <class P>
void register_policy(const std::string& label, ringsim::RuntimeBarrier rt, bool set_rt) {
    // branch and ops read their run-time choice at every site; set it per run.
    auto wrap = [rt, set_rt](void (*fn)(benchmark::State&)) {
        return [fn, rt, set_rt](benchmark::State& s) {
            if (set_rt) ringsim::set_runtime_barrier(rt);
            fn(s);
            if (set_rt) ringsim::set_runtime_barrier(ringsim::RuntimeBarrier::smp);
        };
    };
    benchmark::RegisterBenchmark(("site/" + label + "/publish").c_str(), wrap(publish<P>));
    benchmark::RegisterBenchmark(("site/" + label + "/consume").c_str(), wrap(consume<P>));
    benchmark::RegisterBenchmark(("site/" + label + "/notify-check").c_str(), wrap(notify<P>));
}

// store; F; load -- the store->load pattern each full barrier exists for.
template <void (*F)()>
void store_fence_load(benchmark::State& state) {
    std::uint16_t v = 0;
    TickCounter ticks(state);
    for (auto _ : state) {
        store_relaxed(&g_a.w, ++v);
        F();
        benchmark::DoNotOptimize(load_relaxed(&g_b.w));
    }
}

[[gnu::always_inline]] inline void seq_cst_fence() { std::atomic_thread_fence(std::memory_order_seq_cst); }

}  // namespace

void register_site_benchmarks() {
    register_policy<NoBarrier>("none", ringsim::RuntimeBarrier::smp, false);
    ringsim::for_each_barrier([](auto t) {
        using P = typename decltype(t)::type;
        const std::string n(P::name);
        if constexpr (std::is_same_v<P, ringsim::BranchBarrier> || std::is_same_v<P, ringsim::OpsBarrier>) {
            register_policy<P>(n + ":smp", ringsim::RuntimeBarrier::smp, true);
            register_policy<P>(n + ":mandatory", ringsim::RuntimeBarrier::mandatory, true);
        } else {
            register_policy<P>(n, ringsim::RuntimeBarrier::smp, false);
        }
    });
}

void register_full_barrier_benchmarks() {
    using namespace ringsim::arch;
    benchmark::RegisterBenchmark("fullbarrier/none", store_fence_load<compiler_barrier>);
    // The architecture's full barriers, named by what they emit (ringsim/arch/<arch>.hpp).
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (benchmark::RegisterBenchmark((std::string("fullbarrier/") + kFullFences[I].name).c_str(),
                                      store_fence_load<kFullFences[I].fence>),
         ...);
    }(std::make_index_sequence<kFullFences.size()>{});
    benchmark::RegisterBenchmark("fullbarrier/seq_cst-fence", store_fence_load<seq_cst_fence>);
}

}  // namespace ringlab::micro
