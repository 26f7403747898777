// test_engine_chains.cpp: the chain engine (--sg, --indirect, --completion) end to end on
// two threads, its refusals, and its verification: one-thread runs of the chain cores
// against a device that gets something wrong on purpose.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "engine/engine_loops.hpp"
#include "engine_test_util.hpp"
#include "ringsim/barriers.hpp"
#include "ringsim/layouts/all.hpp"

namespace ringlab {
namespace {

using test::describe;
using test::kChainLayouts;
using test::small_config;

bool in_order_layout(const std::string& l) { return l == "split-inorder" || l == "packed-inorder"; }

struct Shape {
    std::uint32_t sg;
    IndirectMode indirect;
    std::uint32_t above;
    Completion completion;
    std::uint64_t seed;
};

// Every chain layout, chains of 1..16, direct and indirect, every completion order the
// layout allows: the run completes, and every segment of every buffer checked out.
TEST(EngineChains, EveryShapeRunsCleanOnEveryChainLayout) {
    const Shape shapes[] = {
        {1, IndirectMode::on, 1, Completion::in_order, 1},
        {2, IndirectMode::off, 1, Completion::reverse, 1},
        {3, IndirectMode::off, 1, Completion::random, 7},
        {4, IndirectMode::automatic, 2, Completion::random, 99},
        {16, IndirectMode::on, 1, Completion::in_order, 1},
        {1, IndirectMode::off, 1, Completion::random, 3},
        {5, IndirectMode::automatic, 8, Completion::in_order, 1},  // auto=8: 5 segments stay direct
    };
    for (const auto& l : kChainLayouts) {
        for (const Shape& s : shapes) {
            RunConfig c = small_config(l, "smp");
            c.sg = s.sg;
            c.indirect = s.indirect;
            c.indirect_above = s.above;
            c.completion = in_order_layout(l) ? Completion::in_order : s.completion;
            c.completion_seed = s.seed;
            c.batch = 8;
            c.buffers = 5000;
            c.warmup_buffers = 500;
            if (!uses_chain_path(c)) {
                if (in_order_layout(l)) continue;      // would be the fast path: nothing new here
                c.completion = Completion::reverse;   // keep it on the chain path
            }
            const std::string what = l + " sg " + std::to_string(s.sg) + " indirect " + indirect_name(c) +
                                     " completion " + completion_name(c);
            ASSERT_EQ(validate(c), "") << what;
            RunResult r = run_engine(c);
            EXPECT_TRUE(r.valid) << what << ": " << describe(r);
            EXPECT_EQ(r.errors.total(), 0u) << what;
            EXPECT_EQ(r.buffers, 5000u) << what;
        }
    }
}

// The sleeping protocol still holds when chains move the positions by more than one.
TEST(EngineChains, EventIdxSleepersWithChains) {
    for (const auto& l : kChainLayouts) {
        RunConfig c = small_config(l, "smp");
        c.sg = 3;
        c.notify = ringsim::NotifyMode::event_idx;
        c.wait = WaitMode::hybrid;
        c.spin_ns = 2000;
        c.buffers = 4000;
        c.warmup_buffers = 400;
        RunResult r = run_engine(c);
        EXPECT_TRUE(r.valid) << l << ": " << describe(r);
        EXPECT_EQ(r.errors.total(), 0u) << l;
    }
}

TEST(EngineChains, RefusesWhatTheLayoutsCannotDo) {
    auto why = [](auto edit) {
        RunConfig c = small_config("split", "smp");
        edit(c);
        return validate(c);
    };
    EXPECT_NE(why([](RunConfig& c) { c.sg = 17; }).find("1 to 16"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.sg = 0; }).find("1 to 16"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) {
                  c.layout = "split-inorder";
                  c.completion = Completion::random;
              }).find("completion must be in-order"),
              std::string::npos);
    EXPECT_NE(why([](RunConfig& c) {
                  c.layout = "packed-inorder";
                  c.completion = Completion::reverse;
              }).find("completion must be in-order"),
              std::string::npos);
    EXPECT_NE(why([](RunConfig& c) {
                  c.layout = "index";
                  c.sg = 2;
              }).find("index layout has no descriptors"),
              std::string::npos);
    EXPECT_NE(why([](RunConfig& c) {
                  c.ring_size = 8;
                  c.batch = 1;
                  c.sg = 16;
              }).find("does not fit a ring of 8"),
              std::string::npos);
    EXPECT_EQ(why([](RunConfig& c) {
                  c.ring_size = 8;
                  c.batch = 1;
                  c.sg = 16;
                  c.indirect = IndirectMode::on;
              }),
              "");
    EXPECT_NE(why([](RunConfig& c) {
                  c.sg = 2;
                  c.verify = VerifyMode::ring;
              }).find("verify full"),
              std::string::npos);
    EXPECT_EQ(why([](RunConfig& c) { c.layout = "packed-inorder"; }), "");
}

// A device that walks the right chains but answers wrongly, or a ring that hands back the
// wrong buffer: the driver's check of the device-writable segment catches both.
using Ring = ringsim::SplitRing<ringsim::SmpBarrier>;

struct Fixture {
    static constexpr std::uint32_t kSg = 3;
    Ring ring{ringsim::RingOptions{16, 64, ringsim::NotifyMode::poll, kSg, true, true}};
    RunControl ctl;
    DriverPlan plan;
    BufferPool pool{driver_pool_size(4, 4) * kSg, 64, 64};
    Fixture() {
        plan.outstanding = 4;
        plan.batch = 4;
        plan.warmup = 0;
        plan.window = 1000;
    }
    ChainPlan chain(bool indirect) const { return ChainPlan{kSg, indirect, Completion::in_order, 1}; }
};

TEST(ChainCores, CleanRoundTripsCheckOut) {
    Fixture f;
    ChainDriverCore<Ring> drv(f.ring, f.pool, f.plan, f.ctl);
    ChainDeviceCore<Ring> dev(f.ring, f.pool, 4, false, false, true);
    drv.set_chain(f.chain(true));
    ChainPlan dc = f.chain(true);
    dc.completion = Completion::random;
    dev.set_chain(dc);
    for (int i = 0; i < 200; ++i) {
        drv.step(true);
        dev.step();
    }
    drv.step(true);
    EXPECT_EQ(drv.errors.total(), 0u);
    EXPECT_EQ(dev.errors.total(), 0u);
}

TEST(ChainCores, TheDeviceNoticesAChainOfTheWrongShape) {
    Fixture f;
    ChainDriverCore<Ring> drv(f.ring, f.pool, f.plan, f.ctl);
    ChainDeviceCore<Ring> dev(f.ring, f.pool, 4, false, false, true);
    drv.set_chain(f.chain(false));
    ChainPlan expect = f.chain(true);  // the device was told: indirect
    dev.set_chain(expect);
    drv.step(true);
    EXPECT_EQ(dev.step().processed, 4u);
    EXPECT_EQ(dev.errors.corrupt, 4u) << "every chain is direct where indirect was configured";
}

TEST(ChainCores, TheDriverNoticesAnAnswerInTheWrongBuffer) {
    Fixture f;
    ChainDriverCore<Ring> drv(f.ring, f.pool, f.plan, f.ctl);
    drv.set_chain(f.chain(false));
    drv.step(true);
    // Play the device by hand: take the four chains, then answer each one's sequence in the
    // NEXT chain's writable segment, as a device that mixed up its ids would.
    ringsim::PoppedChain c[4];
    for (auto& x : c) ASSERT_TRUE(f.ring.device_pop_chain(x));
    for (int i = 0; i < 4; ++i) {
        std::uint64_t seg_seq = 0;
        ASSERT_TRUE(segment_intact(c[i].seg[0].addr, c[i].seg[0].len, seg_seq));
        write_answer(c[(i + 1) % 4].seg[2].addr, seg_seq / ringsim::kMaxChain, 3);
    }
    for (auto& x : c) f.ring.device_push_chain(x.id, x.ring_descs, ringsim::chain_used_len(x.seg, x.count));
    f.ring.device_publish();
    drv.step(true);
    EXPECT_EQ(drv.errors.stale + drv.errors.corrupt, 4u);
}

TEST(ChainCores, TheDeviceNoticesATamperedSegment) {
    Fixture f;
    ChainDriverCore<Ring> drv(f.ring, f.pool, f.plan, f.ctl);
    ChainDeviceCore<Ring> dev(f.ring, f.pool, 4, false, false, true);
    drv.set_chain(f.chain(true));
    dev.set_chain(f.chain(true));
    drv.step(true);
    // Flip one payload word in the second device-readable segment of the first buffer
    // (token 0's entries are pool entries 0..2 once the free list hands out token 0 first).
    bool flipped = false;
    for (std::uint32_t e = 0; e < f.pool.count() && !flipped; ++e) {
        auto* h = BufferPool::header(f.pool.addr(e));
        if (load_relaxed(&h->seq) == segment_seq(0, 1)) {
            BufferPool::words(h)[0] ^= 1;
            flipped = true;
        }
    }
    ASSERT_TRUE(flipped);
    dev.step();
    EXPECT_EQ(dev.errors.corrupt, 1u);
}

}  // namespace
}  // namespace ringlab
