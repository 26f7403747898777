// descriptors.hpp: the long-mode GDT, TSS and IDT entries of ringlab's guest.
//
// GDT: 0 null, 0x08 ring-0 code, 0x10 ring-0 data, 0x18 ring-3 code, 0x20 ring-3
// data, 0x28 vCPU 0's 64-bit TSS (two slots), 0x38 vCPU 1's.  Each vCPU has a TSS of
// its own: its rsp0 and IST stacks must not be another vCPU's, since both may enter
// ring 0 at once.  The guest function runs in ring 3 (under
// nested KVM without hardware virtualization, PVM, only ring 3 runs natively; ring 0
// is emulated instruction by instruction).  The TSS's rsp0 is the stack ring 0 gets
// on every entry from ring 3; exceptions use IST2 so a broken stack still reports.
#pragma once

#include <cstdint>

#include "guest/x86_64/abi.hpp"

namespace ringlab::guest::x86 {

inline constexpr std::uint16_t kCodeSelector = 0x08;
inline constexpr std::uint16_t kDataSelector = 0x10;
inline constexpr std::uint16_t kUserCodeSelector = 0x18 | 3;
inline constexpr std::uint16_t kUserDataSelector = 0x20 | 3;
inline constexpr std::uint16_t kTssSelector = 0x28;  // vCPU 0's; vCPU i's is tss_selector(i)
inline constexpr int kGdtEntries = 5 + 2 * kMaxVcpus;
inline constexpr std::uint16_t tss_selector(int vcpu) { return std::uint16_t(kTssSelector + 16 * vcpu); }

struct [[gnu::packed]] Tss64 {
    std::uint32_t reserved0;
    std::uint64_t rsp[3];
    std::uint64_t reserved1;
    std::uint64_t ist[7];  // ist[0] is IST1
    std::uint64_t reserved2;
    std::uint16_t reserved3;
    std::uint16_t iomap_base;
};
static_assert(sizeof(Tss64) == 104);

struct [[gnu::packed]] IdtGate {
    std::uint16_t offset_low;
    std::uint16_t selector;
    std::uint8_t ist;        // bits 0..2
    std::uint8_t type_attr;  // present, DPL, type (0xe: 64-bit interrupt gate)
    std::uint16_t offset_mid;
    std::uint32_t offset_high;
    std::uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);

// Segment descriptors (flat; base and limit ignored in long mode except for the TSS).
std::uint64_t gdt_code64(int dpl = 0);
std::uint64_t gdt_data(int dpl = 0);
// The TSS descriptor takes two GDT slots.
void gdt_tss(std::uint64_t out[2], std::uint64_t base, std::uint32_t limit);

IdtGate idt_gate(std::uint64_t handler, std::uint8_t ist, int dpl = 0);
std::uint64_t idt_gate_handler(const IdtGate& g);

// One vCPU's TSS and the tops of its ring-0 stacks.
struct VcpuStacks {
    Tss64* tss = nullptr;
    std::uint64_t tss_gva = 0, rsp0_top = 0, ist_exc_top = 0;
};

// Fills gdt[kGdtEntries], each vCPU's TSS (and its GDT slots, unused ones null) and
// idt[256] for ringlab's guest; n from 1 to kMaxVcpus.
void build_descriptors(std::uint64_t* gdt, IdtGate* idt, const VcpuStacks* vcpus, int n);
// The one-vCPU form.
void build_descriptors(std::uint64_t* gdt, Tss64* tss, std::uint64_t tss_gva, IdtGate* idt,
                       std::uint64_t rsp0_top, std::uint64_t ist_exc_top);

}  // namespace ringlab::guest::x86
