// paging.hpp: 4-level x86_64 page tables built by the host in guest memory.
//
// Table pages come from a pool that is both host memory (written here) and guest
// memory (the CPU walks it by guest-physical address), pool_gpa being the pool's
// guest-physical start.  4 KiB pages only: every mapping ringlab needs is a host
// mapping (page aligned, not 2 MiB aligned in general) or a single MMIO page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace ringlab::guest::x86 {

inline constexpr std::uint64_t kPtePresent = 1ull << 0;
inline constexpr std::uint64_t kPteWrite = 1ull << 1;
inline constexpr std::uint64_t kPtePwt = 1ull << 3;
inline constexpr std::uint64_t kPtePcd = 1ull << 4;
inline constexpr std::uint64_t kPteAddrMask = 0x000ffffffffff000ull;

class PageTables {
public:
    PageTables(std::uint64_t* pool, std::uint64_t pool_gpa, std::size_t pool_pages);

    // Maps one 4 KiB page; flags beyond present/write (PCD/PWT for MMIO) go in the leaf.
    // Throws std::length_error when the pool is exhausted, std::invalid_argument for a
    // non-canonical or misaligned address or a page mapped twice.
    void map(std::uint64_t gva, std::uint64_t gpa, std::uint64_t leaf_flags = kPtePresent | kPteWrite);
    void map_range(std::uint64_t gva, std::uint64_t gpa, std::uint64_t bytes,
                   std::uint64_t leaf_flags = kPtePresent | kPteWrite);

    // A software walk of the tables as the CPU would do it: the gpa, or nothing.
    std::optional<std::uint64_t> translate(std::uint64_t gva) const;
    // The leaf entry (for tests of the flags), or 0.
    std::uint64_t leaf(std::uint64_t gva) const;

    std::uint64_t root_gpa() const { return pool_gpa_; }  // CR3
    std::size_t pages_used() const { return used_; }
    static std::size_t pages_needed(std::size_t leaf_pages, std::size_t ranges);

private:
    std::uint64_t* table_at(std::uint64_t gpa) const;  // host view of a table page
    std::uint64_t new_table();                          // gpa of a zeroed page

    std::uint64_t* pool_;
    std::uint64_t pool_gpa_;
    std::size_t pool_pages_, used_ = 0;
};

}  // namespace ringlab::guest::x86
