#include <gtest/gtest.h>

#include "engine/buffer_pool.hpp"

using namespace ringlab;

TEST(BufferPool, FilledBufferChecksOut) {
    BufferPool pool(8, 64, 64);
    pool.fill(3, 42);
    std::uint64_t seen = 0;
    EXPECT_EQ(device_check_and_respond(pool.addr(3), pool.bytes_per_buffer(), 42, seen), DeviceCheck::ok);
    EXPECT_EQ(seen, 42u);
    EXPECT_TRUE(pool.response_ok(3, 42));
    EXPECT_FALSE(pool.response_ok(3, 41));
}

TEST(BufferPool, DetectsCorruptStaleAndSkipped) {
    BufferPool pool(4, 64, 64);
    std::uint64_t seen = 0;
    pool.fill(0, 7);
    BufferPool::words(BufferPool::header(pool.addr(0)))[2] ^= 1;  // flip one payload bit
    EXPECT_EQ(device_check_and_respond(pool.addr(0), pool.bytes_per_buffer(), 7, seen), DeviceCheck::corrupt);
    pool.fill(1, 5);
    EXPECT_EQ(device_check_and_respond(pool.addr(1), pool.bytes_per_buffer(), 6, seen), DeviceCheck::stale);
    pool.fill(2, 9);
    EXPECT_EQ(device_check_and_respond(pool.addr(2), pool.bytes_per_buffer(), 6, seen), DeviceCheck::skipped);
    pool.fill(3, 6);
    EXPECT_EQ(device_check_and_respond(pool.addr(3), pool.bytes_per_buffer() - 8, 6, seen), DeviceCheck::corrupt)
        << "a descriptor length that disagrees with the header is corruption";
}

TEST(BufferPool, BuffersAreLineAlignedAndOwned) {
    BufferPool pool(16, 8, 128);
    for (std::uint32_t t = 0; t < 16; ++t) {
        EXPECT_EQ(pool.addr(t) % 128, 0u);
        EXPECT_TRUE(pool.owns(pool.addr(t)));
    }
    EXPECT_FALSE(pool.owns(pool.addr(0) + 8)) << "not line aligned";
    EXPECT_FALSE(pool.owns(pool.addr(15) + 128)) << "past the end";
    EXPECT_FALSE(pool.owns(pool.addr(0) - 128)) << "before the start";
}
