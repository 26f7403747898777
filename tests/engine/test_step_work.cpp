// The work the engine's steps do per buffer, counted in one thread.
//
// At batch 1 a step per buffer on each side spent more instructions on the step (the look
// at the completion side, settling, the thread loop's bookkeeping) than on the ring, and
// that, not the ring, set the batch-1 streaming figures (README, "How close to the
// hardware").  A driver step now publishes batch after batch while they fit, and a device
// step takes whole batches up to a line's worth of work; the ring's traffic must stay what
// the batch size says: one publish per batch, one kick decision per publish.
#include <gtest/gtest.h>

#include <cstdint>

#include "engine/engine_loops.hpp"
#include "ringsim/barriers.hpp"
#include "ringsim/layouts/all.hpp"

namespace ringlab {
namespace {

template <class Base>
struct PublishCountingRing : Base {
    using Base::Base;
    std::uint64_t adds = 0, driver_publishes = 0, pushes = 0, device_publishes = 0, kick_checks = 0;
    void driver_add(std::uint32_t token, std::uint64_t addr, std::uint32_t len) {
        ++adds;
        Base::driver_add(token, addr, len);
    }
    void driver_publish() {
        ++driver_publishes;
        Base::driver_publish();
    }
    bool driver_kick_needed() {
        ++kick_checks;
        return Base::driver_kick_needed();
    }
    void device_push(std::uint16_t id, std::uint32_t len) {
        ++pushes;
        Base::device_push(id, len);
    }
    void device_publish() {
        ++device_publishes;
        Base::device_publish();
    }
};

template <class Layout>
class StepWork : public ::testing::Test {};
using StreamLayouts =
    ::testing::Types<ringsim::SplitRing<ringsim::SmpBarrier>, ringsim::SplitInOrderRing<ringsim::SmpBarrier>,
                     ringsim::PackedRing<ringsim::SmpBarrier>, ringsim::IndexRing<ringsim::SmpBarrier>>;
TYPED_TEST_SUITE(StepWork, StreamLayouts);

struct Counts {
    std::uint64_t driver_steps = 0, device_steps = 0, completed = 0;
};

// A streaming plan: the ring as deep as it goes, a ring's worth of warm-up, --verify ring.
DriverPlan streaming_plan(std::uint32_t ring_size, std::uint32_t batch, bool refill, std::uint64_t buffers) {
    DriverPlan plan;
    plan.outstanding = ring_size;
    plan.batch = batch;
    plan.warmup = ring_size;
    plan.window = buffers;
    plan.verify_payload = false;
    plan.refill = refill;
    return plan;
}

// Streams kBuffers at `batch` with the ring kept full, stepping driver and device in turn.
template <class Ring>
Counts stream(Ring& ring, std::uint32_t batch, bool refill, std::uint64_t buffers) {
    RunControl ctl;
    const DriverPlan plan = streaming_plan(ring.size(), batch, refill, buffers);
    BufferPool pool(driver_pool_size(plan.outstanding, plan.batch), 0, 64);
    DriverCore<Ring> drv(ring, pool, plan, ctl);
    DeviceCore<Ring> dev(ring, pool, batch, false, false, false);
    Counts c;
    for (bool done = false; !done && c.driver_steps < 100 * (buffers + plan.warmup);) {
        done = drv.step(false).done;
        ++c.driver_steps;
        if (dev.step().processed) ++c.device_steps;
    }
    EXPECT_TRUE(drv.window_closed()) << "the window never closed in " << c.driver_steps << " steps";
    EXPECT_EQ(drv.window_buffers, buffers);
    EXPECT_EQ(drv.errors.total(), 0u);
    EXPECT_EQ(dev.errors.total(), 0u);
    c.completed = plan.warmup + drv.window_buffers;
    return c;
}

TYPED_TEST(StepWork, AtBatchOneAStepCarriesManyBuffersAndEachBufferIsItsOwnPublish) {
    using Ring = PublishCountingRing<TypeParam>;
    constexpr std::uint64_t kBuffers = 50000;
    Ring ring{ringsim::RingOptions{256, 64, ringsim::NotifyMode::poll}};
    const Counts c = stream(ring, 1, true, kBuffers);
    // The ring sees batch 1: every buffer added is published alone, on both sides.
    EXPECT_EQ(ring.driver_publishes, ring.adds);
    EXPECT_EQ(ring.device_publishes, ring.pushes);
    EXPECT_GE(ring.adds, c.completed);
    // One step per buffer was the fault; a step now carries tens of them.
    EXPECT_LT(c.driver_steps * 16, c.completed) << c.driver_steps << " driver steps for " << c.completed;
    EXPECT_LT(c.device_steps * 16, c.completed) << c.device_steps << " device steps for " << c.completed;
}

TYPED_TEST(StepWork, WithoutRefillADriverStepIsOneBatch) {
    // Several submitters share the ring under a lock, one batch per hold (seed 002).
    using Ring = PublishCountingRing<TypeParam>;
    constexpr std::uint64_t kBuffers = 20000;
    Ring ring{ringsim::RingOptions{256, 64, ringsim::NotifyMode::poll}};
    const Counts c = stream(ring, 4, false, kBuffers);
    EXPECT_EQ(ring.adds, 4 * ring.driver_publishes);  // whole batches of 4, each one publish
    EXPECT_GE(c.driver_steps, ring.driver_publishes);  // never more than one per step
}

TYPED_TEST(StepWork, ABatchLargerThanTheDeviceStepIsStillOnePublish) {
    using Ring = PublishCountingRing<TypeParam>;
    constexpr std::uint64_t kBuffers = 20000;
    Ring ring{ringsim::RingOptions{256, 64, ringsim::NotifyMode::poll}};
    stream(ring, 128, true, kBuffers);
    EXPECT_EQ(ring.adds, 128 * ring.driver_publishes);
    // The device publishes once per batch it takes; a full batch of 128 is one publish.
    EXPECT_LE(ring.device_publishes * 128, ring.pushes + 128 * 2);
}

// A publish that needs a kick ends the step, so the thread loop kicks before anything more
// is added: refilling must not merge the kicks of several batches into one.
TEST(StepWorkKick, AKickEndsTheRefill) {
    using Ring = PublishCountingRing<ringsim::IndexRing<ringsim::SmpBarrier>>;
    Ring ring{ringsim::RingOptions{64, 64, ringsim::NotifyMode::flags}};  // the device asks for kicks
    RunControl ctl;
    DriverPlan plan = streaming_plan(64, 1, true, 1000);
    plan.notify = true;
    BufferPool pool(driver_pool_size(plan.outstanding, plan.batch), 0, 64);
    DriverCore<Ring> drv(ring, pool, plan, ctl);
    StepResult r = drv.step(false);
    EXPECT_TRUE(r.kick);
    EXPECT_EQ(ring.driver_publishes, 1u);
    EXPECT_EQ(ring.kick_checks, 1u);
    // Kicks off: the next step fills the rest of the ring, one publish per buffer.
    ring.device_disable_kicks();
    r = drv.step(false);
    EXPECT_FALSE(r.kick);
    EXPECT_EQ(ring.driver_publishes, 64u);
    EXPECT_EQ(ring.kick_checks, 64u);
    EXPECT_EQ(drv.inflight(), 64u);
}

}  // namespace
}  // namespace ringlab
