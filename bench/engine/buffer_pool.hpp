// buffer_pool.hpp: the buffers that travel through the ring, and how each is verified.
//
// Every buffer starts with a header the driver writes: a sequence number, the
// payload length and a checksum over (sequence, payload).  The device checks
// all three, then writes a response word derived from the sequence number; the
// driver checks the response when it reaps the buffer.  A stale read on either
// side (data older than the index or flag that published it) shows up as a
// sequence/response mismatch, which is what a missing publish or consume
// barrier would cause on a weakly ordered machine.
//
// All accesses are relaxed atomics (READ_ONCE/WRITE_ONCE): the ring's barriers
// give the ordering, and the compiler may not tear, fuse or invent accesses.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace ringlab {

struct alignas(8) BufferHeader {
    std::uint64_t seq;
    std::uint64_t checksum;
    std::uint64_t response;
    std::uint32_t len;
    std::uint32_t pad;
};
static_assert(sizeof(BufferHeader) == 32);

inline constexpr std::uint64_t kResponseMagic = 0x5a17'c0de'0000'0000ull;

template <class T> inline T load_relaxed(const T* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
template <class T> inline void store_relaxed(T* p, T v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

// A cheap, order-sensitive mix: each payload word depends on seq and position,
// so a buffer from another submission never checks out.
inline std::uint64_t payload_word(std::uint64_t seq, std::uint32_t i) {
    return (seq + 1) * 0x9e3779b97f4a7c15ull ^ (std::uint64_t(i) * 0xbf58476d1ce4e5b9ull);
}
inline std::uint64_t checksum_step(std::uint64_t acc, std::uint64_t w) {
    acc ^= w;
    return acc * 0x100000001b3ull + 0x7f4a7c15ull;
}

class BufferPool {
public:
    BufferPool(std::uint32_t count, std::uint32_t payload_bytes, std::uint32_t cache_line)
        : count_(count), payload_words_(payload_bytes / 8), line_(cache_line) {
        // Each buffer starts on its own cache line so neighbouring buffers never false-share.
        stride_ = (sizeof(BufferHeader) + payload_bytes + cache_line - 1) / cache_line * cache_line;
        mem_ = static_cast<unsigned char*>(std::aligned_alloc(cache_line, stride_ * count));
        if (!mem_) throw std::bad_alloc();
        std::memset(mem_, 0, stride_ * count);
        last_start_ = stride_ * count - bytes_per_buffer();
    }
    ~BufferPool() { std::free(mem_); }
    BufferPool(const BufferPool&) = delete;
    BufferPool& operator=(const BufferPool&) = delete;

    std::uint32_t count() const { return count_; }
    std::uint32_t bytes_per_buffer() const { return std::uint32_t(sizeof(BufferHeader) + payload_words_ * 8); }
    std::uint64_t addr(std::uint32_t token) const { return reinterpret_cast<std::uint64_t>(mem_ + std::size_t(token) * stride_); }
    // Whether a device may dereference a: inside the pool and cache-line aligned.  (Not
    // "exactly a buffer start": that takes a division per buffer, and a wrong buffer
    // fails its checksum anyway.)
    // One subtraction: below the pool, the offset wraps to a huge value (the device checks
    // every buffer with this, so it is kept short).  mem_ is line-aligned, so the offset's
    // alignment is the address's.
    bool owns(std::uint64_t a) const {
        const std::uint64_t off = a - reinterpret_cast<std::uint64_t>(mem_);
        return off <= last_start_ && (off & (line_ - 1)) == 0;
    }

    // Driver: write payload, header and checksum for submission `seq`.
    void fill(std::uint32_t token, std::uint64_t seq) {
        auto* h = header(addr(token));
        auto* w = words(h);
        std::uint64_t acc = seq;
        for (std::uint32_t i = 0; i < payload_words_; ++i) {
            std::uint64_t v = payload_word(seq, i);
            store_relaxed(&w[i], v);
            acc = checksum_step(acc, v);
        }
        store_relaxed(&h->seq, seq);
        store_relaxed(&h->len, payload_words_ * 8);
        store_relaxed(&h->checksum, acc);
        store_relaxed(&h->response, std::uint64_t{0});
    }

    // Driver: did the device answer this submission?
    bool response_ok(std::uint32_t token, std::uint64_t seq) const {
        return load_relaxed(&header(addr(token))->response) == (kResponseMagic ^ seq);
    }

    static BufferHeader* header(std::uint64_t a) { return reinterpret_cast<BufferHeader*>(a); }
    static std::uint64_t* words(BufferHeader* h) { return reinterpret_cast<std::uint64_t*>(h + 1); }

private:
    std::uint32_t count_, payload_words_, line_;
    std::size_t stride_ = 0;
    std::uint64_t last_start_ = 0;  // the highest offset at which a whole buffer still fits
    unsigned char* mem_ = nullptr;
};

// --verify ring: the length a descriptor carries for submission `seq` (never 0).
inline std::uint32_t ring_verify_len(std::uint64_t seq) { return std::uint32_t(seq & 0xffff) + 1; }

// Device side: what it found in one buffer.
enum class DeviceCheck : std::uint8_t { ok, stale, skipped, corrupt };

// Reads and checks a buffer the device popped, then writes the response.
// expected_seq is the device's running count of buffers it has seen.
inline DeviceCheck device_check_and_respond(std::uint64_t addr, std::uint32_t len, std::uint64_t expected_seq,
                                            std::uint64_t& seen_seq) {
    auto* h = BufferPool::header(addr);
    std::uint64_t seq = load_relaxed(&h->seq);
    std::uint32_t plen = load_relaxed(&h->len);
    seen_seq = seq;
    DeviceCheck r = DeviceCheck::ok;
    if (plen + sizeof(BufferHeader) != len) {
        r = DeviceCheck::corrupt;
    } else {
        auto* w = BufferPool::words(h);
        std::uint64_t acc = seq;
        for (std::uint32_t i = 0; i < plen / 8; ++i) acc = checksum_step(acc, load_relaxed(&w[i]));
        if (acc != load_relaxed(&h->checksum)) r = DeviceCheck::corrupt;
    }
    if (r == DeviceCheck::ok) {
        if (seq < expected_seq) r = DeviceCheck::stale;
        else if (seq > expected_seq) r = DeviceCheck::skipped;
    }
    store_relaxed(&h->response, kResponseMagic ^ seq);
    return r;
}

}  // namespace ringlab
