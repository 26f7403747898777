// barriers.hpp: the barrier policies, one type per way of ordering a ring's
// three barrier site kinds (concepts.hpp; docs/protocol.md, "Barrier sites"):
//
//   publish_store(p, v)  site fence, then a relaxed store   (store->store)
//   consume_load(p)      relaxed load, then site fence      (load->load)
//   notify_check()       the fence between a store and a later load (store->load)
//
// | policy         | publish        | consume        | notify-check      |
// |----------------|----------------|----------------|-------------------|
// | compiler       | compiler only  | compiler only  | compiler only     |
// | smp            | smp_wmb        | smp_rmb        | smp_mb            |
// | virt           | virt_wmb       | virt_rmb       | virt_mb (= smp_*) |
// | dma            | dma_wmb        | dma_rmb        | mb                |
// | mandatory      | wmb            | rmb            | mb                |
// | acqrel         | store-release  | load-acquire   | compiler only     |
// | acqrel-seqcst  | store-release  | load-acquire   | seq_cst fence     |
// | branch         | if (smp) smp_wmb else wmb, chosen per site at run time  |
// | ops            | call through a table of three function pointers        |
//
// safe_* says whether the site really gives its order on the architecture
// being compiled for.  The unsafe ones are deliberate: they are the mistakes
// ringlab exists to show (a notify-check without a full barrier loses
// wake-ups on every architecture; compiler-only publish/consume is fine on
// x86 TSO only).  What each site compiles to on every architecture is in
// barrier_table.hpp, and tests/barriers proves it from the disassembly.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ringsim/arch.hpp"
#include "ringsim/concepts.hpp"

namespace ringsim {

// Which family `branch` and `ops` pick at run time (seed 000 in docs/questions.md: SMP barriers for
// a peer on the same coherent SMP system, mandatory ones for a remote processor).
enum class RuntimeBarrier : std::uint8_t { smp, mandatory };

// Set before the ring's threads start (thread creation publishes it to them).
void set_runtime_barrier(RuntimeBarrier which);
RuntimeBarrier runtime_barrier();

namespace detail {

// Ring fields are plain integers shared between threads.  GCC's __atomic
// builtins give single-copy-atomic accesses on them without changing their
// type (the layouts keep virtio's wire format) and without adding fences.
template <class T>
concept RingWord = std::is_integral_v<T> && (sizeof(T) <= 8);

template <RingWord T>
[[gnu::always_inline]] inline void store_relaxed(T* p, T v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
template <RingWord T>
[[gnu::always_inline]] inline T load_relaxed(const T* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
template <RingWord T>
[[gnu::always_inline]] inline void store_release(T* p, T v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
template <RingWord T>
[[gnu::always_inline]] inline T load_acquire(const T* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

// The run-time choice of `branch`: true = smp_*, false = mandatory.  Defined in
// barrier_ops.cpp so that no translation unit can fold it into a constant.
extern bool g_branch_smp;

// The run-time table of `ops`.  The functions and both tables live in
// barrier_ops.cpp, out of line on purpose: the call must stay indirect.
struct BarrierOps {
    void (*publish)();
    void (*consume)();
    void (*notify)();
};
extern const BarrierOps* g_barrier_ops;

// A policy whose three sites are plain fences around relaxed accesses.
template <void (*Publish)(), void (*Consume)(), void (*Notify)()>
struct FencePolicy {
    template <RingWord T>
    [[gnu::always_inline]] static void publish_store(T* p, T v) { Publish(); store_relaxed(p, v); }
    template <RingWord T>
    [[gnu::always_inline]] static T consume_load(const T* p) { T v = load_relaxed(p); Consume(); return v; }
    [[gnu::always_inline]] static void notify_check() { Notify(); }
};

}  // namespace detail

// Compiler barrier only.  Publish/consume are safe on TSO (x86) only; the
// notify-check is unsafe everywhere, x86 included (TSO reorders store->load).
struct CompilerBarrier : detail::FencePolicy<arch::compiler_barrier, arch::compiler_barrier, arch::compiler_barrier> {
    static constexpr std::string_view name = "compiler";
    static constexpr bool safe_publish = arch::kTso;
    static constexpr bool safe_consume = arch::kTso;
    static constexpr bool safe_notify = false;
};

// Linux's smp_wmb / smp_rmb / smp_mb: what virtio uses between CPUs.
struct SmpBarrier : detail::FencePolicy<arch::smp_wmb, arch::smp_rmb, arch::smp_mb> {
    static constexpr std::string_view name = "smp";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
};

// Linux's virt_* (seed 004): the smp_* instructions, kept even in a
// uniprocessor guest because the host runs on another CPU.  In user space
// the code is identical to `smp`; it is a row of its own so results name it.
struct VirtBarrier : detail::FencePolicy<arch::smp_wmb, arch::smp_rmb, arch::smp_mb> {
    static constexpr std::string_view name = "virt";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
};

// What the virtio driver picks for a device that is not "weak barriers":
// dma_wmb / dma_rmb at publish / consume, mb at the notify-check.
struct DmaBarrier : detail::FencePolicy<arch::dma_wmb, arch::dma_rmb, arch::mb> {
    static constexpr std::string_view name = "dma";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
};

// The mandatory barriers wmb / rmb / mb (pre-2011 virtio; seed 000's remoteproc case).
struct MandatoryBarrier : detail::FencePolicy<arch::wmb, arch::rmb, arch::mb> {
    static constexpr std::string_view name = "mandatory";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
};

// C++ acquire/release: store-release publishes, load-acquire consumes.  Nothing
// orders store->load, so the notify-check is a compiler barrier only (the
// compiler keeps program order; the hardware does not): unsafe everywhere.
struct AcqRelBarrier {
    static constexpr std::string_view name = "acqrel";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = false;
    template <detail::RingWord T>
    [[gnu::always_inline]] static void publish_store(T* p, T v) { detail::store_release(p, v); }
    template <detail::RingWord T>
    [[gnu::always_inline]] static T consume_load(const T* p) { return detail::load_acquire(p); }
    [[gnu::always_inline]] static void notify_check() { arch::compiler_barrier(); }
};

// acqrel plus std::atomic_thread_fence(seq_cst) at the notify-check: the
// portable C++ way to get store->load.
struct AcqRelSeqCstBarrier {
    static constexpr std::string_view name = "acqrel-seqcst";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
    template <detail::RingWord T>
    [[gnu::always_inline]] static void publish_store(T* p, T v) { detail::store_release(p, v); }
    template <detail::RingWord T>
    [[gnu::always_inline]] static T consume_load(const T* p) { return detail::load_acquire(p); }
    [[gnu::always_inline]] static void notify_check() { std::atomic_thread_fence(std::memory_order_seq_cst); }
};

// Seed 000's first proposal: a branch on a run-time flag at every site,
// `if (weak) smp_wmb(); else wmb();`.  The flag is re-read at every site
// (the fences' memory clobbers force it), as vq->weak_barriers is in Linux.
struct BranchBarrier {
    static constexpr std::string_view name = "branch";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
    template <detail::RingWord T>
    [[gnu::always_inline]] static void publish_store(T* p, T v) {
        if (detail::g_branch_smp) arch::smp_wmb(); else arch::wmb();
        detail::store_relaxed(p, v);
    }
    template <detail::RingWord T>
    [[gnu::always_inline]] static T consume_load(const T* p) {
        T v = detail::load_relaxed(p);
        if (detail::g_branch_smp) arch::smp_rmb(); else arch::rmb();
        return v;
    }
    [[gnu::always_inline]] static void notify_check() {
        if (detail::g_branch_smp) arch::smp_mb(); else arch::mb();
    }
};

// Seed 000's alternative: "some kind of virtio_mb_ops" -- an indirect call
// through a table chosen at run time.  Each site costs a load of the table
// pointer, a load of the function pointer and an indirect call.
struct OpsBarrier {
    static constexpr std::string_view name = "ops";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
    template <detail::RingWord T>
    [[gnu::always_inline]] static void publish_store(T* p, T v) {
        detail::g_barrier_ops->publish();
        detail::store_relaxed(p, v);
    }
    template <detail::RingWord T>
    [[gnu::always_inline]] static T consume_load(const T* p) {
        T v = detail::load_relaxed(p);
        detail::g_barrier_ops->consume();
        return v;
    }
    [[gnu::always_inline]] static void notify_check() { detail::g_barrier_ops->notify(); }
};

// Every policy, in the order `ringlab list` and the sweeps use.
using AllBarriers = std::tuple<CompilerBarrier, SmpBarrier, VirtBarrier, DmaBarrier, MandatoryBarrier,
                               AcqRelBarrier, AcqRelSeqCstBarrier, BranchBarrier, OpsBarrier>;

inline constexpr std::array<std::string_view, std::tuple_size_v<AllBarriers>> kBarrierNames = [] {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::string_view, sizeof...(I)>{std::tuple_element_t<I, AllBarriers>::name...};
    }(std::make_index_sequence<std::tuple_size_v<AllBarriers>>{});
}();

// Calls f(std::type_identity<P>{}) for the policy named `name`; false if none.
// This is how a run-time name becomes a compile-time instantiation.
template <class F>
bool visit_barrier(std::string_view name, F&& f) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        bool found = false;
        ((!found && std::tuple_element_t<I, AllBarriers>::name == name
              ? (f(std::type_identity<std::tuple_element_t<I, AllBarriers>>{}), found = true)
              : false),
         ...);
        return found;
    }(std::make_index_sequence<std::tuple_size_v<AllBarriers>>{});
}

// Calls f(std::type_identity<P>{}) for every policy, in kBarrierNames order.
template <class F>
void for_each_barrier(F&& f) {
    std::apply([&](auto... p) { (f(std::type_identity<decltype(p)>{}), ...); }, AllBarriers{});
}

static_assert(BarrierPolicy<CompilerBarrier> && BarrierPolicy<SmpBarrier> && BarrierPolicy<VirtBarrier> &&
              BarrierPolicy<DmaBarrier> && BarrierPolicy<MandatoryBarrier> && BarrierPolicy<AcqRelBarrier> &&
              BarrierPolicy<AcqRelSeqCstBarrier> && BarrierPolicy<BranchBarrier> && BarrierPolicy<OpsBarrier>);

}  // namespace ringsim
