#include "guest/x86_64/descriptors.hpp"

#include <cstring>
#include <stdexcept>

#include "guest/x86_64/abi.hpp"

namespace ringlab::guest::x86 {

// Access byte: P(7) DPL(5-6) S(4) type(0-3); flags nibble: G(3) D/B(2) L(1).
static std::uint64_t segment(std::uint8_t access, std::uint8_t flags) {
    const std::uint64_t limit = 0xfffff;
    return (limit & 0xffff) | (std::uint64_t(access) << 40) | (((limit >> 16) & 0xf) << 48) |
           (std::uint64_t(flags & 0xf) << 52);
}

// present, code exec/read; G, L
std::uint64_t gdt_code64(int dpl) { return segment(std::uint8_t(0x9a | (dpl & 3) << 5), 0xa); }
// present, data read/write; G, D/B
std::uint64_t gdt_data(int dpl) { return segment(std::uint8_t(0x92 | (dpl & 3) << 5), 0xc); }

void gdt_tss(std::uint64_t out[2], std::uint64_t base, std::uint32_t limit) {
    // Type 0xb: busy 64-bit TSS, as the CPU leaves it after LTR (KVM loads TR from sregs).
    out[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (std::uint64_t(0x8b) << 40) |
             (std::uint64_t((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    out[1] = base >> 32;
}

IdtGate idt_gate(std::uint64_t handler, std::uint8_t ist, int dpl) {
    IdtGate g{};
    g.offset_low = std::uint16_t(handler);
    g.selector = kCodeSelector;
    g.ist = ist & 7;
    g.type_attr = std::uint8_t(0x8e | (dpl & 3) << 5);  // present, DPL, 64-bit interrupt gate (IF cleared on entry)
    g.offset_mid = std::uint16_t(handler >> 16);
    g.offset_high = std::uint32_t(handler >> 32);
    return g;
}

std::uint64_t idt_gate_handler(const IdtGate& g) {
    return std::uint64_t(g.offset_low) | (std::uint64_t(g.offset_mid) << 16) | (std::uint64_t(g.offset_high) << 32);
}

void build_descriptors(std::uint64_t* gdt, IdtGate* idt, const VcpuStacks* vcpus, int n) {
    if (n < 1 || n > kMaxVcpus) throw std::invalid_argument("build_descriptors: 1 to kMaxVcpus vCPUs");
    gdt[0] = 0;
    gdt[1] = gdt_code64(0);
    gdt[2] = gdt_data(0);
    gdt[3] = gdt_code64(3);
    gdt[4] = gdt_data(3);
    for (int i = 0; i < kMaxVcpus; ++i) {
        std::uint64_t* slot = &gdt[tss_selector(i) / 8];
        if (i >= n) {
            slot[0] = slot[1] = 0;
            continue;
        }
        const VcpuStacks& v = vcpus[i];
        gdt_tss(slot, v.tss_gva, sizeof(Tss64) - 1);
        std::memset(v.tss, 0, sizeof *v.tss);
        v.tss->rsp[0] = v.rsp0_top;
        v.tss->ist[1] = v.ist_exc_top;
        v.tss->iomap_base = sizeof(Tss64);  // no I/O bitmap (ring 0 needs none)
    }
    const auto table = reinterpret_cast<std::uint64_t>(ringlab_guest_exc_table);
    for (int v = 0; v < 32; ++v) idt[v] = idt_gate(table + 16 * std::uint64_t(v), 2);
    for (int v = 32; v < 256; ++v) idt[v] = idt_gate(reinterpret_cast<std::uint64_t>(ringlab_guest_irq_unexpected), 2);
    // Interrupts: rsp0 from ring 3, the current ring-0 stack when one
    // arrives inside the halt service.
    idt[kCallVector] = idt_gate(reinterpret_cast<std::uint64_t>(ringlab_guest_irq_call), 0);
    idt[kSpuriousVector] = idt_gate(reinterpret_cast<std::uint64_t>(ringlab_guest_irq_spurious), 0);
    idt[13] = idt_gate(reinterpret_cast<std::uint64_t>(ringlab_guest_gp), 2);
}

void build_descriptors(std::uint64_t* gdt, Tss64* tss, std::uint64_t tss_gva, IdtGate* idt,
                       std::uint64_t rsp0_top, std::uint64_t ist_exc_top) {
    const VcpuStacks one{tss, tss_gva, rsp0_top, ist_exc_top};
    build_descriptors(gdt, idt, &one, 1);
}

}  // namespace ringlab::guest::x86
