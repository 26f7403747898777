// test_driver_core.cpp: the driver's private state, stepped in one thread against a
// ring with nothing on the device side, and the allocator that keeps a role's
// heap state off the other role's cache lines.
#include <gtest/gtest.h>

#include <cstdint>

#include "engine/driver_side.hpp"
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

}  // namespace
}  // namespace ringlab
