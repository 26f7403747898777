// test_driver_core.cpp: the driver's private state, stepped in one thread against a
// ring with nothing on the device side, and the allocator that keeps a role's
// heap state off the other role's cache lines.
#include <gtest/gtest.h>

#include <cstdint>

#include "engine/engine_loops.hpp"
#include "engine/line_vector.hpp"
#include "ringsim/barriers.hpp"
#include "ringsim/layouts/all.hpp"

namespace ringlab {
namespace {

TEST(LineVector, StorageStartsOnItsOwnBlockAndFillsWholeBlocks) {
    // Two small vectors allocated back to back: plain new would place them in
    // neighbouring 16-byte chunks of one line.
    LineVector<std::uint32_t> a(3), b(3);
    const auto pa = reinterpret_cast<std::uintptr_t>(a.data());
    const auto pb = reinterpret_cast<std::uintptr_t>(b.data());
    EXPECT_EQ(pa % LineAllocator<int>::kBlock, 0u);
    EXPECT_EQ(pb % LineAllocator<int>::kBlock, 0u);
    const auto gap = pa > pb ? pa - pb : pb - pa;
    EXPECT_GE(gap, LineAllocator<int>::kBlock);
}

struct DriverFixture {
    using Ring = ringsim::PackedRing<ringsim::SmpBarrier>;
    Ring ring{ringsim::RingOptions{8, 64, ringsim::NotifyMode::poll}};
    RunControl ctl;
    DriverPlan plan;
    DriverFixture(std::uint32_t outstanding, std::uint32_t batch) {
        plan.outstanding = outstanding;
        plan.batch = batch;
        plan.warmup = 0;
        plan.window = 100;
        plan.verify_payload = false;
    }
};

TEST(DriverCore, RefusesAPoolWithoutRoomForOneMoreBatch) {
    DriverFixture f(4, 2);
    BufferPool too_small(4, 0, 64);
    EXPECT_THROW((DriverCore<DriverFixture::Ring>(f.ring, too_small, f.plan, f.ctl)), std::invalid_argument);
    BufferPool enough(driver_pool_size(4, 2), 0, 64);
    EXPECT_NO_THROW((DriverCore<DriverFixture::Ring>(f.ring, enough, f.plan, f.ctl)));
}

// The driver publishes before it settles what it reaped, so completed tokens are not
// reused in the step that frees them: with the ring full and every buffer completed at
// once, the next batch still finds free tokens, and every completion is checked.
TEST(DriverCore, SubmitsTheNextBatchBeforeSettlingCompletions) {
    DriverFixture f(4, 2);
    BufferPool pool(driver_pool_size(4, 2), 0, 64);
    DriverCore<DriverFixture::Ring> drv(f.ring, pool, f.plan, f.ctl);
    // Fill: two batches of two.
    EXPECT_TRUE(drv.step(false).published);
    EXPECT_TRUE(drv.step(false).published);
    EXPECT_EQ(drv.inflight(), 4u);
    EXPECT_FALSE(drv.step(false).did_work);  // full: nothing to reap, no room
    // Play the device: complete all four in order, echoing the descriptor.
    std::uint16_t id;
    std::uint64_t addr;
    std::uint32_t len;
    int popped = 0;
    while (f.ring.device_pop(id, addr, len)) {
        f.ring.device_push(id, len);
        ++popped;
    }
    f.ring.device_publish();
    ASSERT_EQ(popped, 4);
    StepResult r = drv.step(false);
    EXPECT_TRUE(r.published);           // a new batch went out in the same step
    EXPECT_EQ(drv.inflight(), 2u);      // 4 reaped, 2 submitted
    EXPECT_EQ(drv.errors.total(), 0u);  // all four checked: their descriptors echoed their sequence
    // The new batch used the two buffers that were never in flight: the four just reaped
    // were not yet back on the free list when it was submitted.
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(f.ring.device_pop(id, addr, len));
        EXPECT_TRUE(addr == pool.addr(4) || addr == pool.addr(5)) << "buffer at " << addr << " was reused early";
    }
}

TEST(DriverCore, ACompletionThatDoesNotMatchItsSubmissionIsCountedStale) {
    DriverFixture f(1, 1);
    BufferPool pool(driver_pool_size(1, 1), 0, 64);
    DriverCore<DriverFixture::Ring> drv(f.ring, pool, f.plan, f.ctl);
    EXPECT_TRUE(drv.step(false).published);
    std::uint16_t id;
    std::uint64_t addr;
    std::uint32_t len;
    ASSERT_TRUE(f.ring.device_pop(id, addr, len));
    f.ring.device_push(id, len + 1);  // not the length this submission carried
    f.ring.device_publish();
    drv.step(false);
    EXPECT_EQ(drv.errors.stale, 1u);
}


// The driver's looks at the completion side, counted: each is a load of the line the
// device last wrote, a line transfer when the device is running on another CPU.  A
// driver that looked on every step while it still had room for more buffers paid one
// per buffer on its own critical path; that made it the slower side, and once the device
// had caught up the two sides traded the same descriptor line on every buffer (the batch-1
// lock step, README "How close to the hardware").
template <class Base>
struct CountingRing : Base {
    using Base::Base;
    std::uint64_t reaps = 0, visits = 0;  // visits: runs of reaps between two adds
    bool reaping = false;
    void driver_add(std::uint32_t token, std::uint64_t addr, std::uint32_t len) {
        reaping = false;
        Base::driver_add(token, addr, len);
    }
    ringsim::ReapStatus driver_reap(std::uint32_t& token, std::uint32_t& len) {
        ++reaps;
        if (!reaping) ++visits;
        reaping = true;
        return Base::driver_reap(token, len);
    }
};

template <class Layout>
class DriverCompletionLooks : public ::testing::Test {};
using StreamLayouts =
    ::testing::Types<ringsim::SplitRing<ringsim::SmpBarrier>, ringsim::SplitInOrderRing<ringsim::SmpBarrier>,
                     ringsim::PackedRing<ringsim::SmpBarrier>, ringsim::IndexRing<ringsim::SmpBarrier>>;
TYPED_TEST_SUITE(DriverCompletionLooks, StreamLayouts);

// Streaming at batch 1 with the ring as deep as it goes, against a device that answers
// everything available after every driver step (the device faster than the driver, which
// is where the lock step began).  A driver that fills first visits the completion side
// once per ring's worth of buffers; one that looked every step visited once per buffer.
TYPED_TEST(DriverCompletionLooks, AStreamingDriverLooksForCompletionsOnlyWhenItsRingIsFull) {
    using Ring = CountingRing<TypeParam>;
    constexpr std::uint32_t kRing = 256, kBuffers = 100000;
    Ring ring{ringsim::RingOptions{kRing, 64, ringsim::NotifyMode::poll}};
    RunControl ctl;
    DriverPlan plan;
    plan.outstanding = kRing;
    plan.batch = 1;
    plan.warmup = kRing;  // the window opens when this many have completed
    plan.window = kBuffers;
    plan.verify_payload = false;
    BufferPool pool(driver_pool_size(plan.outstanding, plan.batch), 0, 64);
    DriverCore<Ring> drv(ring, pool, plan, ctl);
    std::uint64_t steps = 0;
    for (bool done = false; !done && steps < 100ull * kBuffers; ++steps) {
        done = drv.step(false).done;
        std::uint16_t id;
        std::uint64_t addr;
        std::uint32_t len;
        while (ring.device_pop(id, addr, len)) {
            ring.device_push(id, len);
            ring.device_publish();
        }
    }
    ASSERT_TRUE(drv.window_closed()) << "the window never closed in " << steps << " steps";
    EXPECT_EQ(drv.window_buffers, kBuffers);
    EXPECT_EQ(drv.errors.total(), 0u);
    // Filling first: one visit per refill of the ring, each taking a ring's worth of
    // completions.  Looking on every step: a visit per buffer, one buffer each.
    const double per_visit = double(kBuffers) / double(ring.visits);
    EXPECT_GT(per_visit, kRing / 4.0) << ring.visits << " visits to the completion side for " << kBuffers
                                      << " buffers";
}

// The other half of the contract: when the next batch does not fit, the driver does look,
// so a round trip at --outstanding 1 still ends as soon as the device has answered.
TYPED_TEST(DriverCompletionLooks, ADriverWithoutRoomLooksOnEveryStep) {
    using Ring = CountingRing<TypeParam>;
    Ring ring{ringsim::RingOptions{8, 64, ringsim::NotifyMode::poll}};
    RunControl ctl;
    DriverPlan plan;
    plan.outstanding = 1;
    plan.batch = 1;
    plan.warmup = 0;
    plan.window = 100;
    plan.verify_payload = false;
    BufferPool pool(driver_pool_size(1, 1), 0, 64);
    DriverCore<Ring> drv(ring, pool, plan, ctl);
    EXPECT_TRUE(drv.step(false).published);
    const std::uint64_t before = ring.reaps;
    EXPECT_FALSE(drv.step(false).did_work);  // nothing answered yet: it looked and found nothing
    EXPECT_EQ(ring.reaps, before + 1);
    EXPECT_FALSE(drv.step(false).did_work);
    EXPECT_EQ(ring.reaps, before + 2);
    std::uint16_t id;
    std::uint64_t addr;
    std::uint32_t len;
    ASSERT_TRUE(ring.device_pop(id, addr, len));
    ring.device_push(id, len);
    ring.device_publish();
    StepResult r = drv.step(false);
    EXPECT_TRUE(r.did_work);
    EXPECT_TRUE(r.published);  // reaped and the next buffer out in the same step
    EXPECT_EQ(drv.inflight(), 1u);
}

}  // namespace
}  // namespace ringlab
