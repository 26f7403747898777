// ringsim/shared_area.hpp: owning, zeroed, cache-line-aligned memory for one ring instance.
//
// A ring layout declares its areas (shared rings and index words, and each role's private
// state block) with add(), then allocate() places them in ONE zeroed allocation, each at a
// line-aligned offset and rounded up to whole lines.  So:
//   - every area starts on a cache line (the spec's 2/4/16-byte alignments follow);
//   - no two areas share a line, so the only line transfers a run sees are the ones the
//     protocol itself causes, never false sharing between a role's private state and a
//     shared word;
//   - the areas sit close together, as a real virtqueue does inside a few guest pages.
// The line size is chosen at run time: 64, or 128 for POWER (and for x86 parts whose
// adjacent-line prefetcher moves lines in pairs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ringsim/concepts.hpp"

namespace ringsim {

inline bool valid_cache_line(std::uint32_t line) { return line == 64 || line == 128; }

inline void check_cache_line(std::uint32_t line) {
    if (!valid_cache_line(line)) {
        throw std::invalid_argument("cache line " + std::to_string(line) +
                                    " is invalid: shared areas are aligned to 64 or 128 bytes");
    }
}

class AreaSet {
public:
    explicit AreaSet(std::uint32_t cache_line) : line_(cache_line) { check_cache_line(cache_line); }

    AreaSet(const AreaSet&) = delete;
    AreaSet& operator=(const AreaSet&) = delete;
    AreaSet(AreaSet&&) noexcept = default;  // the block does not move, so pointers into it stay valid
    AreaSet& operator=(AreaSet&&) noexcept = default;

    // Declares an area of `bytes` bytes; returns its index for at().  Call before allocate().
    std::size_t add(std::string name, std::size_t bytes, bool shared) {
        if (block_) throw std::logic_error("AreaSet::add after allocate");
        const std::size_t offset = total_;
        total_ += round_up(bytes == 0 ? 1 : bytes);
        plan_.push_back(Planned{std::move(name), offset, bytes, shared});
        return plan_.size() - 1;
    }

    // One zeroed allocation holding every declared area.
    void allocate() {
        if (block_) return;
        void* p = std::aligned_alloc(line_, total_ == 0 ? line_ : total_);  // total_ is a multiple of line_
        if (p == nullptr) throw std::bad_alloc();
        std::memset(p, 0, total_);
        block_.reset(static_cast<std::byte*>(p));
    }

    template <class T>
    T* at(std::size_t index) const {
        // std::aligned_alloc implicitly creates objects of implicit-lifetime types (C++20).
        return reinterpret_cast<T*>(block_.get() + plan_.at(index).offset);
    }

    std::vector<Area> areas() const {
        std::vector<Area> out;
        out.reserve(plan_.size());
        for (const auto& a : plan_) out.push_back(Area{a.name, block_.get() + a.offset, a.bytes, a.shared});
        return out;
    }

    std::uint32_t cache_line() const { return line_; }
    std::size_t total_bytes() const { return total_; }

private:
    struct Planned {
        std::string name;
        std::size_t offset;
        std::size_t bytes;
        bool shared;
    };
    struct Free {
        void operator()(std::byte* p) const { std::free(p); }
    };
    std::size_t round_up(std::size_t n) const { return (n + line_ - 1) / line_ * line_; }

    std::uint32_t line_;
    std::size_t total_ = 0;
    std::vector<Planned> plan_;
    std::unique_ptr<std::byte, Free> block_;
};

}  // namespace ringsim
