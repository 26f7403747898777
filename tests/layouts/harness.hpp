// tests/layouts/harness.hpp: a one-thread driver and device stepping one ring layout, with
// a reference model of every buffer (token, address, length, submission order).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ringsim/concepts.hpp"
#include "test_barriers.hpp"

namespace ringtest {

inline ringsim::RingOptions opts(std::uint32_t size, ringsim::NotifyMode m = ringsim::NotifyMode::poll,
                                 std::uint32_t line = 64) {
    ringsim::RingOptions o;
    o.size = size;
    o.cache_line = line;
    o.notify = m;
    return o;
}

// Address and length derived from a buffer's sequence number, so the device can check it
// got the right descriptor contents without sharing any state with the driver.
inline std::uint64_t addr_of(std::uint64_t seq) { return 0x1000'0000'0000ull + seq * 64; }
inline std::uint32_t len_of(std::uint64_t seq) { return static_cast<std::uint32_t>(seq % 4093) + 1; }

template <class L>
class Harness {
public:
    explicit Harness(const ringsim::RingOptions& o) : ring(o), n(o.size), seq_of_token_(o.size, kNone) {
        for (std::uint32_t t = 0; t < n; ++t) free_tokens_.push_back(n - 1 - t);
    }

    L ring;
    const std::uint32_t n;
    std::uint64_t submitted = 0, popped = 0, completed = 0;
    std::deque<std::uint16_t> device_held;  // popped, not yet pushed (in pop order)

    // Driver: add up to k buffers (bounded by driver_free), returns how many.
    std::uint32_t add(std::uint32_t k) {
        k = std::min(k, ring.driver_free());
        for (std::uint32_t i = 0; i < k; ++i) {
            const std::uint32_t tok = free_tokens_.back();
            free_tokens_.pop_back();
            seq_of_token_[tok] = submitted;
            ring.driver_add(tok, addr_of(submitted), len_of(submitted));
            ++submitted;
        }
        return k;
    }

    // Device: pop up to k buffers, checking each one's contents.  Returns how many.
    std::uint32_t pop(std::uint32_t k) {
        std::uint32_t got = 0;
        std::uint16_t id;
        std::uint64_t addr;
        std::uint32_t len;
        while (got < k && ring.device_pop(id, addr, len)) {
            EXPECT_LT(id, n);
            const std::uint64_t seq = (addr - addr_of(0)) / 64;  // in-order FIFO: seq == popped
            EXPECT_EQ(seq, popped) << "device popped out of submission order";
            EXPECT_EQ(addr, addr_of(popped));
            EXPECT_EQ(len, len_of(popped));
            if (id < n) len_by_id_[id] = len;  // the device echoes the length back
            device_held.push_back(id);
            ++popped;
            ++got;
        }
        return got;
    }

    // Device: complete up to k held buffers, oldest first (or newest first).
    std::uint32_t push(std::uint32_t k, bool reverse = false) {
        k = std::min<std::uint32_t>(k, static_cast<std::uint32_t>(device_held.size()));
        for (std::uint32_t i = 0; i < k; ++i) {
            std::uint16_t id;
            if (reverse) {
                id = device_held.back();
                device_held.pop_back();
            } else {
                id = device_held.front();
                device_held.pop_front();
            }
            ring.device_push(id, id < n ? len_by_id_[id] : 0);
        }
        return k;
    }

    // Driver: reap up to k completions; checks each against the model.  Returns how many.
    std::uint32_t reap(std::uint32_t k, bool in_order_expected = true) {
        std::uint32_t got = 0;
        std::uint32_t tok = 0, len = 0;
        while (got < k) {
            const auto st = ring.driver_reap(tok, len);
            if (st == ringsim::ReapStatus::empty) break;
            EXPECT_EQ(st, ringsim::ReapStatus::ok);
            if (st != ringsim::ReapStatus::ok) return got;
            EXPECT_LT(tok, n);
            if (tok >= n) return got;
            const std::uint64_t seq = seq_of_token_[tok];
            EXPECT_NE(seq, kNone) << "token completed twice";
            if (in_order_expected) {
                EXPECT_EQ(seq, completed) << "completion out of order";
            }
            EXPECT_EQ(len, len_of(seq));
            seq_of_token_[tok] = kNone;
            free_tokens_.push_back(tok);
            ++completed;
            ++got;
        }
        return got;
    }

    std::uint64_t outstanding() const { return submitted - completed; }

private:
    static constexpr std::uint64_t kNone = ~0ull;
    std::vector<std::uint64_t> seq_of_token_;
    std::vector<std::uint32_t> free_tokens_;
    std::vector<std::uint32_t> len_by_id_ = std::vector<std::uint32_t>(n, 0);
};

// The ring's shared area called `name` (a test failure and nullptr when it has none).
template <class L>
const void* area(const L& ring, const std::string& name) {
    for (const auto& a : ring.areas()) {
        if (a.name == name) return a.addr;
    }
    ADD_FAILURE() << "no area " << name;
    return nullptr;
}

// A T read from base + offset without aliasing the ring's own types.
template <class T>
T peek(const void* base, std::size_t offset) {
    T v;
    std::memcpy(&v, static_cast<const unsigned char*>(base) + offset, sizeof v);
    return v;
}

}  // namespace ringtest
