// abi.hpp: what the x86_64 guest and the host agree on: I/O ports, guest-physical
// addresses of the doorbells and the local APIC, the call vector, and the mailbox,
// a page the guest's exception and interrupt stubs write (stubs.S uses its offsets).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringlab::guest::x86 {

// I/O ports.  Each exit to user space is told apart by its port.
inline constexpr std::uint16_t kPortDone = 0xe0;      // the guest function returned
inline constexpr std::uint16_t kPortFault = 0xe1;     // an exception stub recorded a fault
inline constexpr std::uint16_t kPortExit = 0xe2;      // exitcost: a plain PIO exit to user space
inline constexpr std::uint16_t kPortDoorbell = 0xe4;  // the kick doorbell (ioeventfd or exit)
inline constexpr std::uint16_t kPortDoorbell2 = 0xe6; // exitcost: the ioeventfd PIO doorbell
inline constexpr std::uint16_t kPortYield = 0xe8;     // a vCPU waiting for the submit lock asks the host to yield it

// vCPUs a guest may have (--vcpus): each has its own stacks, TSS and GDT slot pair.
inline constexpr int kMaxVcpus = 2;

// Guest-physical (and, identity-mapped, guest-virtual) addresses below 4 GiB that no
// memory slot covers: a guest access exits (MMIO) or signals an ioeventfd.
inline constexpr std::uint64_t kMmioExitGpa = 0xd0000000;      // exitcost: plain MMIO exit
inline constexpr std::uint64_t kMmioDoorbellGpa = 0xd0001000;  // the kick doorbell, --doorbell mmio
inline constexpr std::uint64_t kMmioDoorbell2Gpa = 0xd0002000; // exitcost: the ioeventfd MMIO doorbell
inline constexpr std::uint64_t kLapicGpa = 0xfee00000;
inline constexpr std::uint64_t kLapicEoi = kLapicGpa + 0xb0;
// Memory slots start here, above the 32-bit MMIO hole.
inline constexpr std::uint64_t kSlotBaseGpa = 0x100000000ull;

inline constexpr std::uint8_t kCallVector = 0x40;  // the device's call (irqfd, MSI route)
inline constexpr std::uint8_t kSpuriousVector = 0xff;
inline constexpr std::uint32_t kCallGsi = 20;      // an IOAPIC-only pin of KVM's default routing

// Exception vectors the stubs report with their own numbers; every other vector
// (an interrupt nobody asked for) is reported as this one.
inline constexpr std::uint64_t kUnexpectedInterrupt = 32;

struct alignas(4096) Mailbox {
    std::uint64_t ret;         // 0x00: the guest function's return value
    std::uint64_t faulted;     // 0x08: 1 once an exception stub ran
    std::uint64_t vector;      // 0x10
    std::uint64_t error_code;  // 0x18
    std::uint64_t rip;         // 0x20
    std::uint64_t rsp;         // 0x28
    std::uint64_t cr2;         // 0x30
    std::uint64_t irqs;        // 0x38: call interrupts taken (the stub increments it)
    std::uint64_t spurious;    // 0x40
    std::uint64_t halts;       // 0x48: hlt instructions executed for ring 3 (the #GP stub)
    std::uint64_t halts_skipped;  // 0x50: halts not needed: a call had come since the caller looked
};
static_assert(offsetof(Mailbox, ret) == 0x00 && offsetof(Mailbox, faulted) == 0x08 &&
              offsetof(Mailbox, vector) == 0x10 && offsetof(Mailbox, error_code) == 0x18 &&
              offsetof(Mailbox, rip) == 0x20 && offsetof(Mailbox, rsp) == 0x28 && offsetof(Mailbox, cr2) == 0x30 &&
              offsetof(Mailbox, irqs) == 0x38 && offsetof(Mailbox, spurious) == 0x40 &&
                  offsetof(Mailbox, halts) == 0x48 && offsetof(Mailbox, halts_skipped) == 0x50,
              "stubs.S writes these offsets");

}  // namespace ringlab::guest::x86

// Set by the host before a guest runs; read by the stubs (one guest at a time per process).
extern "C" ringlab::guest::x86::Mailbox* ringlab_guest_mailbox;
extern "C" void ringlab_guest_start();      // rsi = function, rdi = argument
extern "C" char ringlab_guest_exc_table[];  // 16-byte stubs for vectors 0..31
extern "C" void ringlab_guest_irq_call();
extern "C" void ringlab_guest_irq_spurious();
extern "C" void ringlab_guest_irq_unexpected();
extern "C" void ringlab_guest_gp();
