// chain_buffers.hpp: how a chained buffer (--sg N) is laid out in the buffer pool and
// verified, on top of buffer_pool.hpp.
//
// A buffer of N segments uses N pool entries (token t: entries t*N .. t*N+N-1), each a
// full header + --payload bytes, so every segment length follows --payload.  With N > 1:
//   - segments 0..N-2 are device-readable: the driver fills each with its own sequence
//     number seq*16 + s and a checksum, so a segment from another buffer, another
//     position or an older submission never checks out; the device never writes them;
//   - segment N-1 is device-writable: the driver clears it, the device writes its answer
//     there (the buffer's sequence, the chain length it walked, and the response word),
//     and the driver checks all three.
// With N = 1 (indirect or out-of-order completion alone) the single segment is read and
// answered in place, exactly as the single-descriptor path does.
#pragma once

#include <cstdint>

#include "engine/buffer_pool.hpp"
#include "ringsim/concepts.hpp"

namespace ringlab {

inline std::uint64_t segment_seq(std::uint64_t seq, std::uint32_t s) { return seq * ringsim::kMaxChain + s; }

// Driver: the device-writable segment before submission carries no answer.
inline void clear_answer(std::uint64_t addr) {
    auto* h = BufferPool::header(addr);
    store_relaxed(&h->seq, ~std::uint64_t{0});
    store_relaxed(&h->len, std::uint32_t{0});
    store_relaxed(&h->response, std::uint64_t{0});
}

// Device: whether a device-readable segment is intact (its length field matches the
// descriptor and its checksum the payload), and the sequence number it carries.
inline bool segment_intact(std::uint64_t addr, std::uint32_t len, std::uint64_t& seg_seq) {
    auto* h = BufferPool::header(addr);
    const std::uint64_t seq = load_relaxed(&h->seq);
    const std::uint32_t plen = load_relaxed(&h->len);
    seg_seq = seq;
    if (plen + sizeof(BufferHeader) != len) return false;
    auto* w = BufferPool::words(h);
    std::uint64_t acc = seq;
    for (std::uint32_t i = 0; i < plen / 8; ++i) acc = checksum_step(acc, load_relaxed(&w[i]));
    return acc == load_relaxed(&h->checksum);
}

// Device: the answer in the device-writable segment.
inline void write_answer(std::uint64_t addr, std::uint64_t seq, std::uint32_t chain_len) {
    auto* h = BufferPool::header(addr);
    store_relaxed(&h->seq, seq);
    store_relaxed(&h->len, chain_len);
    store_relaxed(&h->response, kResponseMagic ^ seq);
}

}  // namespace ringlab
