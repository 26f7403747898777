// ringsim/layouts/common.hpp: pieces every ring layout shares.
//
//  - read_once / write_once: relaxed atomic accesses (Linux READ_ONCE / WRITE_ONCE) for every
//    shared field outside the barrier sites, and for the private fields that the watchdog
//    thread reads racily through snapshot() and pending_for_*().  They compile to plain
//    loads and stores, but a concurrent access is then not a data race.
//  - validate_ring_options: the constructor checks, one clear sentence per bad value.
//  - IdStack: a private LIFO of free ids (descriptor heads or Buffer IDs), as Linux keeps
//    its free list; LIFO reuses the most recently freed, cache-warm entry first.
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

// LIFO of free u16 ids over caller-owned storage (a line-aligned private area).
// The depth lives in the caller's private driver state, not in this object: the
// object sits inside the ring object, whose lines the device reads on every poll,
// and a count written there per buffer would bounce that line on every round trip.
class IdStack {
public:
    IdStack() = default;
    IdStack(std::uint16_t* storage, std::uint32_t* depth, std::uint32_t n) : ids_(storage), depth_(depth) {
        // Pops hand out 0, 1, 2, ... first, which keeps a fresh ring easy to read in a dump.
        for (std::uint32_t i = 0; i < n; ++i) ids_[i] = static_cast<std::uint16_t>(n - 1 - i);
        *depth_ = n;
    }
    std::uint32_t size() const { return *depth_; }
    std::uint16_t pop() { return ids_[--*depth_]; }
    void push(std::uint16_t id) { ids_[(*depth_)++] = id; }

private:
    std::uint16_t* ids_ = nullptr;
    std::uint32_t* depth_ = nullptr;
};

[[noreturn]] inline void throw_driver_full(std::string_view layout) {
    throw std::logic_error("driver_add on a full " + std::string(layout) +
                           " ring: check driver_free() before adding");
}

}  // namespace detail
}  // namespace ringsim
