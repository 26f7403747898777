// Two real threads over one ring: a smoke test of the barrier pairings that one-thread
// stepping cannot exercise (it found the index ring's avail-cons ordering bug).  Each side
// sleeps on a semaphore when it runs out of work, after "enable, notify-check, re-check";
// a lost notification leaves a side asleep, which the generous timeout turns into a failure
// instead of a hang.  No timing is asserted.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <semaphore>
#include <thread>

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace ringtest;
using ringsim::NotifyMode;
using ringsim::ReapStatus;

template <class L>
class LayoutThreads : public ::testing::Test {};
TYPED_TEST_SUITE(LayoutThreads, AllLayouts, LayoutName);

namespace {

constexpr auto kLostNotification = std::chrono::seconds(30);

template <class L>
void run_two_threads(NotifyMode mode, std::uint32_t n, std::uint64_t total) {
    L ring(opts(n, mode));
    // Counting, not binary: spurious notifications are legal, so a bell may ring twice.
    std::counting_semaphore<1 << 30> device_bell(0), driver_bell(0);
    bool device_lost = false;
    std::atomic<bool> stop{false};  // set by the driver when it gives up, so the device leaves
    std::uint64_t device_done = 0;

    std::thread device([&] {
      try {
        std::uint16_t id;
        std::uint64_t addr;
        std::uint32_t len;
        std::uint32_t idle = 0;
        if (mode != NotifyMode::poll) ring.device_disable_kicks();
        while (device_done < total && !stop.load(std::memory_order_relaxed)) {
            std::uint32_t k = 0;
            while (k < 32 && ring.device_pop(id, addr, len)) {
                ring.device_push(id, len);
                ++k;
            }
            if (k > 0) {
                ring.device_publish();
                device_done += k;
                if (ring.device_call_needed()) driver_bell.release();
                continue;
            }
            if (mode == NotifyMode::poll) {
                // Spin mostly (races need both threads running), yield now and then: the test
                // machine may have fewer CPUs than threads.
                if ((++idle & 255) == 0) std::this_thread::yield();
                continue;
            }
            if (ring.device_enable_kicks()) {
                ring.device_disable_kicks();
                continue;
            }
            if (!device_bell.try_acquire_for(kLostNotification)) {
                device_lost = !stop.load();
                return;
            }
            ring.device_disable_kicks();
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "device: " << e.what();  // gtest assertions are thread-safe with pthreads
      }
    });

    std::uint64_t submitted = 0, completed = 0;
    bool driver_lost = false, bad = false;
    std::uint32_t idle = 0;
    // The driver runs here; anything it throws (a layout's defensive check) must still stop
    // and join the device thread, or the test would terminate instead of failing.
    try {
        if (mode != NotifyMode::poll) ring.driver_disable_calls();
        while (completed < total) {
            std::uint32_t k = 0;
            while (submitted < total && ring.driver_free() > 0 && k < 16) {
                ring.driver_add(static_cast<std::uint32_t>(submitted % n), addr_of(submitted), len_of(submitted));
                ++submitted;
                ++k;
            }
            if (k > 0) {
                ring.driver_publish();
                if (ring.driver_kick_needed()) device_bell.release();
            }
            std::uint32_t tok = 0, len = 0, got = 0;
            ReapStatus st;
            while ((st = ring.driver_reap(tok, len)) == ReapStatus::ok) {
                // Tokens were handed out round-robin and the device completes in order.
                bad |= tok != completed % n || len != len_of(completed);
                ++completed;
                ++got;
            }
            if (st != ReapStatus::empty || bad) {
                ADD_FAILURE() << "reap status " << static_cast<int>(st) << ", wrong token or length: " << bad
                              << ", at completion " << completed;
                break;
            }
            if (got > 0 || (submitted < total && ring.driver_free() > 0)) continue;
            if (mode == NotifyMode::poll) {
                if ((++idle & 255) == 0) std::this_thread::yield();
                continue;
            }
            if (ring.driver_enable_calls()) {
                ring.driver_disable_calls();
                continue;
            }
            if (!driver_bell.try_acquire_for(kLostNotification)) {
                driver_lost = true;
                break;
            }
            ring.driver_disable_calls();
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "driver: " << e.what();
    }
    if (completed < total) {
        stop.store(true);
        device_bell.release();  // in case the device sleeps
    }
    device.join();
    EXPECT_FALSE(device_lost) << "the device slept through pending work (lost kick)";
    EXPECT_FALSE(driver_lost) << "the driver slept through completions (lost call)";
    EXPECT_EQ(completed, total);
}

}  // namespace

TYPED_TEST(LayoutThreads, EveryBufferOnceAndNoLostNotification) {
    for (NotifyMode mode : {NotifyMode::poll, NotifyMode::flags, NotifyMode::event_idx}) {
        if (!TypeParam::supports_notify(mode)) continue;
        for (std::uint32_t n : {2u, 8u, 256u}) {
            SCOPED_TRACE("mode " + std::string(ringsim::notify_mode_name(mode)) + " n " + std::to_string(n));
            run_two_threads<TypeParam>(mode, n, 50'000);
            if (::testing::Test::HasFailure()) return;
        }
    }
}
