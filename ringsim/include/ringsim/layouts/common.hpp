// ringsim/layouts/common.hpp: pieces every ring layout shares.
//
//  - read_once / write_once: relaxed atomic accesses (Linux READ_ONCE / WRITE_ONCE) for every
//    shared field outside the barrier sites, and for the private fields that the watchdog
//    thread reads racily through snapshot() and pending_for_*().  They compile to plain
//    loads and stores, but a concurrent access is then not a data race.
//  - validate_ring_options: the constructor checks, one clear sentence per bad value.
//  - IdPool: the driver's free ids (descriptor heads or Buffer IDs) and the token each id in
//    flight stands for.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ringsim/concepts.hpp"
#include "ringsim/shared_area.hpp"
#include "ringsim/virtio_defs.hpp"

namespace ringsim {

namespace detail {

template <class T>
inline T read_once(const T* p) {
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}
template <class T, class V>
inline void write_once(T* p, V v) {
    __atomic_store_n(p, static_cast<T>(v), __ATOMIC_RELAXED);
}

inline bool valid_ring_size(std::uint32_t n) {
    return n >= 2 && n <= virtio::kMaxQueueSize && (n & (n - 1)) == 0;
}

// `supported` lists the notification modes the layout accepts, for the error message.
inline void validate_ring_options(const RingOptions& o, std::string_view layout, bool notify_ok,
                                  std::string_view supported) {
    if (!valid_ring_size(o.size)) {
        throw std::invalid_argument("ring size " + std::to_string(o.size) + " is invalid for the " +
                                    std::string(layout) +
                                    " layout: it must be a power of two from 2 to 32768");
    }
    check_cache_line(o.cache_line);
    if (!notify_ok) {
        throw std::invalid_argument("notification mode " + std::string(notify_mode_name(o.notify)) +
                                    " is not supported by the " + std::string(layout) +
                                    " layout: use " + std::string(supported));
    }
}

// Sentinel in a token map: "this id is not outstanding".  Tokens are 0..N-1 in practice.
inline constexpr std::uint32_t kNoToken = 0xffffffffu;

// The driver's buffer ids, for a layout that hands them out from a free list (split:
// descriptor heads; packed: Buffer IDs; index: entry ids): the free ids, a LIFO as Linux
// keeps its free list (the most recently freed, cache-warm id first); the engine token each
// id in flight stands for; and the number of free ids, which is what driver_free() reports.
// All three live in the layout's private driver areas, the count in its driver-state block:
// the pool object itself sits in the ring object, which the device reads on every poll, so
// nothing in the object may change per buffer (a count written there bounced that line on
// every round trip).
class IdPool {
public:
    IdPool() = default;
    IdPool(std::uint16_t* ids, std::uint32_t* tokens, std::uint32_t* free_count, std::uint32_t n)
        : ids_(ids), tokens_(tokens), free_(free_count), n_(n) {
        // Takes hand out 0, 1, 2, ... first, which keeps a fresh ring easy to read in a dump.
        for (std::uint32_t i = 0; i < n; ++i) {
            ids_[i] = static_cast<std::uint16_t>(n - 1 - i);
            tokens_[i] = kNoToken;
        }
        *free_ = n;
    }
    std::uint32_t free() const { return *free_; }
    // An id for `token`.  The caller has checked free() > 0.
    std::uint16_t take(std::uint32_t token) {
        const std::uint16_t id = ids_[--*free_];
        tokens_[id] = token;
        return id;
    }
    // A completed id: its token, and the id back on the free list; or why it cannot be.
    ReapStatus give_back(std::uint32_t id, std::uint32_t& token) {
        if (id >= n_) return ReapStatus::bad_id;
        if (tokens_[id] == kNoToken) return ReapStatus::not_outstanding;
        token = tokens_[id];
        tokens_[id] = kNoToken;
        ids_[(*free_)++] = static_cast<std::uint16_t>(id);
        return ReapStatus::ok;
    }
    // Chains (split): the descriptors after a chain's head carry no token.  The caller has
    // checked free().
    std::uint16_t take_untracked() { return ids_[--*free_]; }
    void give_back_untracked(std::uint16_t id) { ids_[(*free_)++] = id; }

private:
    std::uint16_t* ids_ = nullptr;
    std::uint32_t* tokens_ = nullptr;
    std::uint32_t* free_ = nullptr;
    std::uint32_t n_ = 0;
};

// Chains: the checks every chain-capable ring makes in its constructor.
inline void validate_chain_options(const RingOptions& o, std::string_view layout) {
    if (o.max_chain < 1 || o.max_chain > kMaxChain) {
        throw std::invalid_argument("chain length " + std::to_string(o.max_chain) + " is invalid for the " +
                                    std::string(layout) + " layout: it must be 1 to " +
                                    std::to_string(kMaxChain));
    }
}
inline bool chains_enabled(const RingOptions& o) { return o.chains || o.max_chain > 1 || o.indirect; }

// Entries per preallocated indirect table: max_chain rounded up to a power of two, so the
// device can tell "this address is the start of one of our tables" with a mask, not a
// division (a device must not follow a pointer it cannot place).
inline std::uint32_t indirect_stride(std::uint32_t max_chain) {
    std::uint32_t s = 1;
    while (s < max_chain) s <<= 1;
    return s;
}

// Where a device may find a table: inside [base, base + ids x stride entries), at a table
// start, holding 1..stride entries.  Returns the table or nullptr.
template <class D>
inline const D* find_indirect_table(const D* base, std::uint32_t ids, std::uint32_t stride, std::uint64_t addr,
                                    std::uint32_t len, std::uint32_t& entries) {
    if (base == nullptr) return nullptr;
    const auto b = reinterpret_cast<std::uint64_t>(base);
    const std::uint64_t bytes = std::uint64_t(ids) * stride * sizeof(D);
    if (addr < b || addr >= b + bytes || ((addr - b) & (std::uint64_t(stride) * sizeof(D) - 1)) != 0) return nullptr;
    if (len == 0 || len % sizeof(D) != 0 || len / sizeof(D) > stride) return nullptr;
    entries = len / sizeof(D);
    return reinterpret_cast<const D*>(addr);
}

[[noreturn]] inline void throw_driver_full(std::string_view layout) {
    throw std::logic_error("driver_add on a full " + std::string(layout) +
                           " ring: check driver_free() before adding");
}

}  // namespace detail
}  // namespace ringsim
