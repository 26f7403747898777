// barriers_test.cpp: the barrier policies and their table.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "ringsim/barrier_table.hpp"
#include "ringsim/barriers.hpp"

extern "C" void ringsim_ops_smp_wmb();
extern "C" void ringsim_ops_wmb();
extern "C" void ringsim_ops_mb();

namespace {

using namespace ringsim;

// Restores the run-time choice so tests do not leak into each other.
struct RuntimeGuard {
    RuntimeBarrier saved = runtime_barrier();
    ~RuntimeGuard() { set_runtime_barrier(saved); }
};

TEST(Barriers, NamesAreInTheDocumentedOrder) {
    const std::array<std::string_view, 9> want{"compiler", "smp", "virt", "dma", "mandatory",
                                               "acqrel", "acqrel-seqcst", "branch", "ops"};
    EXPECT_EQ(kBarrierNames, want);
    std::size_t n = 0;
    for_each_barrier([&](auto t) {
        using P = typename decltype(t)::type;
        static_assert(BarrierPolicy<P>);
        EXPECT_EQ(P::name, kBarrierNames[n]);
        ++n;
    });
    EXPECT_EQ(n, kBarrierNames.size());
}

TEST(Barriers, VisitFindsEveryNameAndOnlyThose) {
    for (auto name : kBarrierNames) {
        std::string_view got;
        EXPECT_TRUE(visit_barrier(name, [&](auto t) { got = decltype(t)::type::name; }));
        EXPECT_EQ(got, name);
    }
    bool called = false;
    EXPECT_FALSE(visit_barrier("smp_mb", [&](auto) { called = true; }));
    EXPECT_FALSE(visit_barrier("", [&](auto) { called = true; }));
    EXPECT_FALSE(called);
}

TEST(Barriers, PublishAndConsumeMoveValues) {
    for (auto mode : {RuntimeBarrier::smp, RuntimeBarrier::mandatory}) {
        RuntimeGuard guard;
        set_runtime_barrier(mode);
        for_each_barrier([](auto t) {
            using P = typename decltype(t)::type;
            std::uint16_t w16 = 0;
            P::publish_store(&w16, std::uint16_t{0xbeef});
            EXPECT_EQ(P::consume_load(&w16), 0xbeef) << P::name;
            std::uint32_t w32 = 1;
            P::publish_store(&w32, std::uint32_t{0x12345678});
            P::notify_check();
            EXPECT_EQ(P::consume_load(&w32), 0x12345678u) << P::name;
        });
    }
}

TEST(Barriers, SafetyFlagsFollowTheMemoryModel) {
    // A notify-check needs store->load order; only a full barrier gives it.
    EXPECT_FALSE(CompilerBarrier::safe_notify);
    EXPECT_FALSE(AcqRelBarrier::safe_notify);
    EXPECT_TRUE(AcqRelSeqCstBarrier::safe_notify);
    EXPECT_TRUE(SmpBarrier::safe_notify && DmaBarrier::safe_notify && MandatoryBarrier::safe_notify);
    // Compiler-only publish/consume hold on TSO and nowhere else.
    EXPECT_EQ(CompilerBarrier::safe_publish, arch::kTso);
    EXPECT_EQ(CompilerBarrier::safe_consume, arch::kTso);
    EXPECT_EQ(std::string_view(arch::kArchName) == "x86_64", arch::kTso);
}

TEST(Barriers, PolicyFlagsAgreeWithTheTable) {
    const auto a = current_arch();
    if (!a) GTEST_SKIP() << "generic architecture: not in the table";
    for_each_barrier([&](auto t) {
        using P = typename decltype(t)::type;
        const BarrierSite* pub = find_site(*a, P::name, SiteKind::publish);
        const BarrierSite* con = find_site(*a, P::name, SiteKind::consume);
        const BarrierSite* nc = find_site(*a, P::name, SiteKind::notify);
        ASSERT_TRUE(pub && con && nc) << P::name;
        EXPECT_EQ(pub->safe, P::safe_publish) << P::name;
        EXPECT_EQ(con->safe, P::safe_consume) << P::name;
        EXPECT_EQ(nc->safe, P::safe_notify) << P::name;
    });
}

TEST(BarrierTable, CoversEveryArchPolicyAndSite) {
    EXPECT_EQ(kBarrierTable.size(), kArchs.size() * kBarrierNames.size() * kSiteKinds.size());
    for (Arch a : kArchs)
        for (auto p : kBarrierNames)
            for (SiteKind s : kSiteKinds) EXPECT_NE(find_site(a, p, s), nullptr) << p;
    EXPECT_EQ(find_site(Arch::x86_64, "nonsense", SiteKind::publish), nullptr);
}

TEST(BarrierTable, RecordsTheKnownInstructions) {
    EXPECT_EQ(join_insns(find_site(Arch::x86_64, "smp", SiteKind::notify)->insns), "lock addl");
    EXPECT_EQ(join_insns(find_site(Arch::x86_64, "smp", SiteKind::publish)->insns), "(none)");
    EXPECT_EQ(join_insns(find_site(Arch::aarch64, "smp", SiteKind::publish)->insns), "dmb ishst");
    EXPECT_EQ(join_insns(find_site(Arch::ppc64le, "smp", SiteKind::publish)->insns), "lwsync");
    EXPECT_EQ(join_insns(find_site(Arch::aarch64, "branch", SiteKind::notify)->insns), "dmb ish | dsb sy");
    // Unsafe exactly where the memory model says so.
    for (const auto& r : kBarrierTable) {
        const bool weak_compiler = r.policy == "compiler" && r.arch != Arch::x86_64;
        const bool no_full_fence = r.site == SiteKind::notify && (r.policy == "compiler" || r.policy == "acqrel");
        EXPECT_EQ(r.safe, !(weak_compiler || no_full_fence)) << r.policy << " " << to_string(r.arch);
    }
}

TEST(BarrierTable, FormatsForRinglabList) {
    const std::string all = format_barrier_table();
    for (auto p : kBarrierNames) EXPECT_NE(all.find(std::string(p) + " "), std::string::npos) << p;
    EXPECT_NE(all.find("UNSAFE"), std::string::npos);
    const std::string arm = format_barrier_table(Arch::aarch64);
    EXPECT_NE(arm.find("dmb ishst"), std::string::npos);
    EXPECT_EQ(arm.find("lwsync"), std::string::npos);
}

TEST(RuntimeBarrier, BranchAndOpsSwitchAtRunTime) {
    RuntimeGuard guard;
    set_runtime_barrier(RuntimeBarrier::mandatory);
    EXPECT_EQ(runtime_barrier(), RuntimeBarrier::mandatory);
    EXPECT_FALSE(detail::g_branch_smp);
    EXPECT_EQ(detail::g_barrier_ops->publish, &ringsim_ops_wmb);
    EXPECT_EQ(detail::g_barrier_ops->notify, &ringsim_ops_mb);
    set_runtime_barrier(RuntimeBarrier::smp);
    EXPECT_EQ(runtime_barrier(), RuntimeBarrier::smp);
    EXPECT_TRUE(detail::g_branch_smp);
    EXPECT_EQ(detail::g_barrier_ops->publish, &ringsim_ops_smp_wmb);
}

// Message passing between two threads through publish/consume: the consumer
// must never see the index before the data it guards.  On real weak hardware
// this is a (probabilistic) check of the safe policies; under qemu-user or on
// x86 it proves the plumbing.
template <class P>
void message_passing(std::uint32_t rounds) {
    alignas(128) std::uint32_t data[4] = {};
    alignas(128) std::uint32_t flag = 0;
    alignas(128) std::uint32_t ack = 0;
    std::atomic<std::uint32_t> bad{0};
    std::thread consumer([&] {
        for (std::uint32_t i = 1; i <= rounds; ++i) {
            while (P::consume_load(&flag) != i) arch::cpu_relax();
            for (auto& d : data)
                if (detail::load_relaxed(&d) != i) bad.fetch_add(1, std::memory_order_relaxed);
            P::publish_store(&ack, i);
        }
    });
    for (std::uint32_t i = 1; i <= rounds; ++i) {
        for (auto& d : data) detail::store_relaxed(&d, i);
        P::publish_store(&flag, i);
        while (P::consume_load(&ack) != i) arch::cpu_relax();
    }
    consumer.join();
    EXPECT_EQ(bad.load(), 0u) << P::name;
}

TEST(Barriers, MessagePassingWithEverySafePolicy) {
    for_each_barrier([](auto t) {
        using P = typename decltype(t)::type;
        if constexpr (P::safe_publish && P::safe_consume) message_passing<P>(5000);
    });
}

}  // namespace
