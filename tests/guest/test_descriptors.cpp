// Page tables, GDT, TSS and IDT contents, checked bit by bit without KVM.
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "guest/process_map.hpp"
#include "guest/x86_64/abi.hpp"
#include "guest/x86_64/descriptors.hpp"
#include "guest/x86_64/paging.hpp"

using namespace ringlab::guest;
using namespace ringlab::guest::x86;

namespace {
struct Pool {
    explicit Pool(std::size_t pages) : mem(static_cast<std::uint64_t*>(std::aligned_alloc(4096, pages * 4096))), n(pages) {}
    ~Pool() { std::free(mem); }
    std::uint64_t* mem;
    std::size_t n;
};
}  // namespace

TEST(PageTables, MapsAndTranslatesFourLevels) {
    Pool p(16);
    PageTables t(p.mem, 0x200000, p.n);
    EXPECT_EQ(t.root_gpa(), 0x200000u);
    t.map(0x7f1234567000ull, 0x100003000ull);
    EXPECT_EQ(t.pages_used(), 4u);  // PML4, PDPT, PD, PT
    ASSERT_TRUE(t.translate(0x7f1234567abcull));
    EXPECT_EQ(*t.translate(0x7f1234567abcull), 0x100003abcull);
    EXPECT_FALSE(t.translate(0x7f1234568000ull));
    EXPECT_FALSE(t.translate(0x1000));
    // The PML4 entry indexes bits 47..39 and points at the PDPT by guest-physical address.
    std::uint64_t pml4e = p.mem[(0x7f1234567000ull >> 39) & 511];
    EXPECT_EQ(pml4e & kPtePresent, kPtePresent);
    EXPECT_EQ(pml4e & kPteAddrMask, 0x201000u);
    // A neighbour in the same 2 MiB shares the PT.
    t.map(0x7f1234568000ull, 0x100004000ull);
    EXPECT_EQ(t.pages_used(), 4u);
    EXPECT_EQ(*t.translate(0x7f1234568010ull), 0x100004010ull);
}

TEST(PageTables, LeafFlagsAndErrors) {
    Pool p(8);
    PageTables t(p.mem, 0x10000, p.n);
    t.map(kLapicGpa, kLapicGpa, kPtePresent | kPteWrite | kPtePcd | kPtePwt);
    EXPECT_EQ(t.leaf(kLapicGpa) & (kPtePcd | kPtePwt), kPtePcd | kPtePwt);
    EXPECT_EQ(*t.translate(kLapicEoi), kLapicEoi);
    EXPECT_THROW(t.map(kLapicGpa, 0x5000), std::invalid_argument);            // twice
    EXPECT_THROW(t.map(0x1001, 0x5000), std::invalid_argument);               // misaligned
    EXPECT_THROW(t.map(0x800000000000ull, 0x5000), std::invalid_argument);    // non-canonical
    Pool small(3);
    PageTables u(small.mem, 0, small.n);
    EXPECT_THROW(u.map(0x1000, 0x1000), std::length_error);  // needs 4 pages
}

TEST(Descriptors, GdtSegmentsAreLongModeFlat) {
    std::uint64_t code = gdt_code64(), data = gdt_data();
    EXPECT_EQ((code >> 47) & 1, 1u);   // present
    EXPECT_EQ((code >> 53) & 1, 1u);   // L: 64-bit code
    EXPECT_EQ((code >> 54) & 1, 0u);   // D must be 0 with L
    EXPECT_EQ((code >> 43) & 1, 1u);   // executable
    EXPECT_EQ((data >> 43) & 1, 0u);   // data
    EXPECT_EQ((data >> 41) & 1, 1u);   // writable
    std::uint64_t tss[2];
    gdt_tss(tss, 0x7fabcdef1234ull, 103);
    EXPECT_EQ(tss[0] & 0xffff, 103u);
    std::uint64_t base = ((tss[0] >> 16) & 0xffffff) | (((tss[0] >> 56) & 0xff) << 24) | (tss[1] << 32);
    EXPECT_EQ(base, 0x7fabcdef1234ull);
    EXPECT_EQ((tss[0] >> 40) & 0xff, 0x8bu);  // present, busy 64-bit TSS
}

TEST(Descriptors, IdtSendsEveryVectorToAStubOnAnIstStack) {
    std::uint64_t gdt[kGdtEntries];
    Tss64 tss;
    std::vector<IdtGate> idt(256);
    build_descriptors(gdt, &tss, 0x1000, idt.data(), 0xa000, 0xb000);
    EXPECT_EQ(tss.ist[1], 0xb000u);
    EXPECT_EQ(tss.iomap_base, sizeof(Tss64));
    const auto table = reinterpret_cast<std::uint64_t>(ringlab_guest_exc_table);
    EXPECT_EQ(tss.rsp[0], 0xa000u);  // ring 0's stack on every entry from ring 3
    EXPECT_EQ(gdt[3], gdt_code64(3));
    EXPECT_EQ((gdt[3] >> 45) & 3, 3u);  // DPL 3
    for (int v = 0; v < 256; ++v) {
        EXPECT_EQ(idt[v].selector, kCodeSelector);
        EXPECT_EQ(idt[v].type_attr, 0x8e) << v;  // none callable from ring 3 with int
        const bool interrupt = v == kCallVector || v == kSpuriousVector;
        EXPECT_EQ(idt[v].ist, interrupt ? 0 : 2) << v;
        if (v < 32 && v != 13) {
            EXPECT_EQ(idt_gate_handler(idt[v]), table + 16 * std::uint64_t(v));
        }
    }
    EXPECT_EQ(idt_gate_handler(idt[kCallVector]), reinterpret_cast<std::uint64_t>(ringlab_guest_irq_call));
    EXPECT_EQ(idt_gate_handler(idt[0x41]), reinterpret_cast<std::uint64_t>(ringlab_guest_irq_unexpected));
    EXPECT_EQ(idt[14].ist, 2);
    EXPECT_EQ(idt_gate_handler(idt[13]), reinterpret_cast<std::uint64_t>(ringlab_guest_gp));
}

TEST(ProcessMap, KeepsOrdinaryMappingsDropsKernelAndDevicePages) {
    const char* maps =
        "555555554000-555555556000 r--p 00000000 08:01 1 /usr/bin/x\n"
        "555555556000-555555558000 r-xp 00002000 08:01 1 /usr/bin/x\n"
        "555555560000-555555561000 ---p 00000000 00:00 0 \n"
        "555555561000-555555563000 rw-p 00000000 00:00 0 [heap]\n"
        "7ffff7ff0000-7ffff7ff1000 rw-s 00000000 00:0e 9 anon_inode:kvm-vcpu:0\n"
        "7ffff7ffa000-7ffff7ffe000 r--p 00000000 00:00 0 [vvar]\n"
        "7ffff7ffe000-7ffff8000000 r-xp 00000000 00:00 0 [vdso]\n"
        "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]\n";
    auto r = parse_shareable(maps, {{0x555555562000ull, 0x555555563000ull, ""}});
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].start, 0x555555554000ull);  // the two binary mappings merged
    EXPECT_EQ(r[0].end, 0x555555558000ull);
    EXPECT_EQ(r[1].start, 0x555555561000ull);  // the heap, less the skipped page
    EXPECT_EQ(r[1].end, 0x555555562000ull);
    EXPECT_EQ(r[2].name, "[stack]");
}
