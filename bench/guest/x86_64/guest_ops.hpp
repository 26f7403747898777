// guest_ops.hpp: what guest code (ring 3) does to reach the host.  Port I/O and
// hlt trap to ringlab's #GP stub, which does them in ring 0 (stubs.S); an MMIO
// doorbell is a plain store to a guest-physical page no memory slot backs.
#pragma once

#include <cstdint>

#include "guest/x86_64/abi.hpp"

namespace ringlab::guest::x86 {

[[gnu::always_inline]] inline void guest_outb(std::uint16_t port, std::uint8_t v) {
    // Always the %dx form (0xee): the #GP stub recognises that one.
    asm volatile("outb %0, %1" : : "a"(v), "d"(port) : "memory");
}

[[gnu::always_inline]] inline void guest_mmio_write(std::uint64_t gpa, std::uint32_t v) {
    *reinterpret_cast<volatile std::uint32_t*>(gpa) = v;
}

// Calls taken so far (the interrupt stub counts them).
[[gnu::always_inline]] inline std::uint64_t guest_irqs() {
    return __atomic_load_n(&ringlab_guest_mailbox->irqs, __ATOMIC_ACQUIRE);
}

// Sleep until the next interrupt unless one came after `seen` was read.
[[gnu::always_inline]] inline void guest_halt_unless(std::uint64_t seen) {
    asm volatile("hlt" : : "D"(seen) : "memory");
}

}  // namespace ringlab::guest::x86
