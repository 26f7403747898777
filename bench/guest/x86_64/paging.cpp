#include "guest/x86_64/paging.hpp"

#include <cstring>
#include <stdexcept>

namespace ringlab::guest::x86 {

PageTables::PageTables(std::uint64_t* pool, std::uint64_t pool_gpa, std::size_t pool_pages)
    : pool_(pool), pool_gpa_(pool_gpa), pool_pages_(pool_pages) {
    if (pool_pages_ == 0) throw std::length_error("page-table pool is empty");
    new_table();  // the PML4 is the pool's first page
}

std::size_t PageTables::pages_needed(std::size_t leaf_pages, std::size_t ranges) {
    // One PT per 512 leaves, plus, per range, a partial PT at each end and its own
    // PD and PDPT in the worst case; plus the PML4.
    return leaf_pages / 512 + 4 * ranges + 1;
}

std::uint64_t* PageTables::table_at(std::uint64_t gpa) const {
    return pool_ + (gpa - pool_gpa_) / 8;
}

std::uint64_t PageTables::new_table() {
    if (used_ == pool_pages_) throw std::length_error("page-table pool exhausted");
    std::uint64_t gpa = pool_gpa_ + 4096 * used_;
    std::memset(table_at(gpa), 0, 4096);
    ++used_;
    return gpa;
}

static bool canonical(std::uint64_t va) {
    std::uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

void PageTables::map(std::uint64_t gva, std::uint64_t gpa, std::uint64_t leaf_flags) {
    if ((gva | gpa) & 0xfff) throw std::invalid_argument("page-table mapping not page aligned");
    if (!canonical(gva)) throw std::invalid_argument("non-canonical guest virtual address");
    std::uint64_t table = pool_gpa_;
    for (int level = 3; level > 0; --level) {
        std::uint64_t& e = table_at(table)[(gva >> (12 + 9 * level)) & 511];
        if (!(e & kPtePresent)) e = new_table() | kPtePresent | kPteWrite | 4;
        table = e & kPteAddrMask;
    }
    std::uint64_t& pte = table_at(table)[(gva >> 12) & 511];
    if (pte & kPtePresent) throw std::invalid_argument("guest virtual page mapped twice");
    pte = (gpa & kPteAddrMask) | leaf_flags | kPtePresent | 4;
}

void PageTables::map_range(std::uint64_t gva, std::uint64_t gpa, std::uint64_t bytes, std::uint64_t leaf_flags) {
    for (std::uint64_t off = 0; off < bytes; off += 4096) map(gva + off, gpa + off, leaf_flags);
}

std::uint64_t PageTables::leaf(std::uint64_t gva) const {
    if (!canonical(gva)) return 0;
    std::uint64_t table = pool_gpa_;
    for (int level = 3; level > 0; --level) {
        std::uint64_t e = table_at(table)[(gva >> (12 + 9 * level)) & 511];
        if (!(e & kPtePresent)) return 0;
        table = e & kPteAddrMask;
    }
    return table_at(table)[(gva >> 12) & 511];
}

std::optional<std::uint64_t> PageTables::translate(std::uint64_t gva) const {
    std::uint64_t e = leaf(gva);
    if (!(e & kPtePresent)) return std::nullopt;
    return (e & kPteAddrMask) | (gva & 0xfff);
}

}  // namespace ringlab::guest::x86
