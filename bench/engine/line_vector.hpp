// line_vector.hpp: a std::vector for a role's hot private state.  Its storage starts
// on a 128-byte block of its own and is padded to whole blocks, so it never shares a
// cache line (or the adjacent-line prefetch pair) with another heap object.  Small
// vectors from plain new sit side by side in the heap: a driver vector written on
// every buffer next to a device vector written on every buffer is false sharing that
// the measurement would report as ring cost.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace ringlab {

template <class T>
struct LineAllocator {
    using value_type = T;
    static constexpr std::size_t kBlock = 128;

    LineAllocator() = default;
    template <class U>
    LineAllocator(const LineAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        std::size_t bytes = (n * sizeof(T) + kBlock - 1) / kBlock * kBlock;
        if (bytes == 0) bytes = kBlock;
        return static_cast<T*>(::operator new(bytes, std::align_val_t{kBlock}));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{kBlock}); }

    template <class U>
    bool operator==(const LineAllocator<U>&) const noexcept { return true; }
};

template <class T>
using LineVector = std::vector<T, LineAllocator<T>>;

}  // namespace ringlab
