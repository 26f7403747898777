// tests/layouts/test_barriers.hpp: barrier policies used only by the layout tests, and the
// typed-test lists (every layout x every test policy).
#pragma once

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "ringsim/concepts.hpp"
#include "ringsim/layouts/all.hpp"

#if __has_include("ringsim/barriers.hpp")
#include "ringsim/barriers.hpp"
#define RINGSIM_TEST_HAVE_SMP 1
#endif

namespace ringtest {

// Every site sequentially consistent: the strongest ordering C++ has, independent of the
// per-architecture barrier code, so a layout bug cannot hide behind a barrier bug.
struct SeqCstBarrier {
    static constexpr std::string_view name = "test-seqcst";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
    template <class T>
    static void publish_store(T* p, T v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
    template <class T>
    static T consume_load(const T* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
    static void notify_check() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
};

// SeqCstBarrier that counts each site kind, to check where a layout puts its barriers.
// Single-threaded tests only (plain static counters).
struct CountingBarrier {
    static constexpr std::string_view name = "test-counting";
    static constexpr bool safe_publish = true;
    static constexpr bool safe_consume = true;
    static constexpr bool safe_notify = true;
    static inline std::uint64_t publishes = 0, consumes = 0, notifies = 0;
    static void reset() { publishes = consumes = notifies = 0; }
    template <class T>
    static void publish_store(T* p, T v) { ++publishes; SeqCstBarrier::publish_store(p, v); }
    template <class T>
    static T consume_load(const T* p) { ++consumes; return SeqCstBarrier::consume_load(p); }
    static void notify_check() { ++notifies; SeqCstBarrier::notify_check(); }
};

static_assert(ringsim::BarrierPolicy<SeqCstBarrier> && ringsim::BarrierPolicy<CountingBarrier>);
static_assert(ringsim::RingLayout<ringsim::SplitRing<SeqCstBarrier>>);
static_assert(ringsim::RingLayout<ringsim::SplitInOrderRing<SeqCstBarrier>>);
static_assert(ringsim::RingLayout<ringsim::PackedRing<SeqCstBarrier>>);
static_assert(ringsim::RingLayout<ringsim::IndexRing<SeqCstBarrier>>);
static_assert(ringsim::RingLayout<ringsim::PackedInOrderRing<SeqCstBarrier>>);

template <class L> struct IsInOrder : std::false_type {};
template <class B> struct IsInOrder<ringsim::SplitInOrderRing<B>> : std::true_type {};
template <class B> struct IsInOrder<ringsim::PackedInOrderRing<B>> : std::true_type {};
template <class L> inline constexpr bool kInOrder = IsInOrder<L>::value;

template <class B>
using LayoutsOf = ::testing::Types<ringsim::SplitRing<B>, ringsim::SplitInOrderRing<B>,
                                   ringsim::PackedRing<B>, ringsim::IndexRing<B>,
                                   ringsim::PackedInOrderRing<B>>;

#ifdef RINGSIM_TEST_HAVE_SMP
static_assert(ringsim::RingLayout<ringsim::SplitRing<ringsim::SmpBarrier>>);
static_assert(ringsim::RingLayout<ringsim::IndexRing<ringsim::SmpBarrier>>);
using AllLayouts = ::testing::Types<
    ringsim::SplitRing<SeqCstBarrier>, ringsim::SplitInOrderRing<SeqCstBarrier>,
    ringsim::PackedRing<SeqCstBarrier>, ringsim::IndexRing<SeqCstBarrier>,
    ringsim::SplitRing<ringsim::SmpBarrier>, ringsim::SplitInOrderRing<ringsim::SmpBarrier>,
    ringsim::PackedRing<ringsim::SmpBarrier>, ringsim::IndexRing<ringsim::SmpBarrier>,
    ringsim::PackedInOrderRing<SeqCstBarrier>, ringsim::PackedInOrderRing<ringsim::SmpBarrier>>;
#else
using AllLayouts = LayoutsOf<SeqCstBarrier>;
#endif

template <class L> struct BarrierOf;
template <class B> struct BarrierOf<ringsim::SplitRing<B>> { using type = B; };
template <class B> struct BarrierOf<ringsim::SplitInOrderRing<B>> { using type = B; };
template <class B> struct BarrierOf<ringsim::PackedRing<B>> { using type = B; };
template <class B> struct BarrierOf<ringsim::IndexRing<B>> { using type = B; };
template <class B> struct BarrierOf<ringsim::PackedInOrderRing<B>> { using type = B; };

// Names typed tests "split_test_seqcst" etc. (alphanumerics and '_' only: a '-' would read
// as a negative pattern in --gtest_filter, which ctest uses).
struct LayoutName {
    template <class L>
    static std::string GetName(int) {
        std::string s = std::string(L::name) + "_" + std::string(BarrierOf<L>::type::name);
        for (char& c : s) {
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        }
        return s;
    }
};

}  // namespace ringtest
