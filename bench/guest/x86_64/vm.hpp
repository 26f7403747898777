// vm.hpp: one KVM virtual machine whose memory is this process's own memory.
//
// Every shareable host mapping (process_map.hpp) becomes a memory slot, mapped in
// the guest's page tables at its host virtual address; a system area of ringlab's
// own holds the GDT, TSS, IDT, the mailbox, a TLS page, the stacks and the page
// tables.  A host function therefore runs in the guest as it is, on the same data:
// what the guest writes the host reads through its ordinary pointers.
//
// Anything the guest touches must exist before the Vm is built (later mappings
// are not in a slot; the guest faults on them and the run says so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <linux/kvm.h>

#include "guest/process_map.hpp"
#include "guest/x86_64/abi.hpp"
#include "guest/x86_64/descriptors.hpp"
#include "guest/x86_64/paging.hpp"

namespace ringlab::guest::x86 {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd();
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_ = -1;
};

struct VmOptions {
    bool irqchip = true;                 // in-kernel LAPIC/IOAPIC: hlt waits in the kernel, irqfd works
    std::size_t stack_bytes = 256 << 10; // the guest function's stack (each vCPU's)
    int vcpus = 1;                       // 1..kMaxVcpus: each gets its own stacks and TSS
};

// The system area's layout: one host mapping, slot 0.  The GDT, the IDT, the mailbox
// and the TLS page are shared by the vCPUs; the TSS (at kTss + kTssStride * i) and
// the three stacks are per vCPU.
struct SystemLayout {
    static constexpr std::size_t kGdt = 0, kTss = 256, kTssStride = 128, kIdt = 4096, kMailbox = 8192, kTls = 12288;
    static constexpr std::size_t kIstBytes = 16 << 10;
    struct PerVcpu {
        std::size_t stack_off = 0, rsp0_off = 0, ist_exc_off = 0;  // each stack's lowest byte
    };
    PerVcpu vcpu[kMaxVcpus];
    std::size_t tables_off = 0, tables_pages = 0, bytes = 0;
};

class Vm {
public:
    explicit Vm(const VmOptions& o = {});
    ~Vm();
    Vm(const Vm&) = delete;
    Vm& operator=(const Vm&) = delete;

    int fd() const { return vm_.get(); }
    int kvm_fd() const { return kvm_.get(); }
    const VmOptions& options() const { return opt_; }
    Mailbox& mailbox() const;
    const PageTables& tables() const { return *tables_; }
    std::uint64_t gpa_of(const void* hva) const;  // throws std::out_of_range outside every slot
    std::size_t slot_count() const { return slots_.size(); }
    std::uint64_t mapped_bytes() const { return mapped_bytes_; }

    // What a vCPU's descriptor registers point at (guest virtual = host virtual).
    std::uint64_t* gdt() const;
    Tss64* tss(int vcpu = 0) const;
    IdtGate* idt() const;
    std::uint64_t stack_top(int vcpu = 0) const;  // the guest function's (ring 3) stack
    std::uint64_t tls_base() const;
    int vcpus() const { return opt_.vcpus; }

    // Notifications that never leave the kernel.
    void ioeventfd_pio(std::uint16_t port, int eventfd);
    void ioeventfd_mmio(std::uint64_t gpa, std::uint32_t len, int eventfd);
    // eventfd -> GSI kCallGsi (IOAPIC pin) -> vector kCallVector at APIC 0, vCPU 0's
    // (KVM gives vCPU i APIC ID i): one queue's call goes to one CPU, as a virtio-pci
    // queue's MSI-X vector does.
    void irqfd_call(int eventfd);

    const std::vector<kvm_cpuid_entry2>& cpuid() const { return cpuid_; }
    int run_area_bytes() const { return run_bytes_; }

private:
    struct Slot {
        std::uint64_t hva, gpa, bytes;
    };
    void add_slot(std::uint64_t hva, std::uint64_t bytes);

    VmOptions opt_;
    Fd kvm_, vm_;
    int run_bytes_ = 0;
    SystemLayout lay_;
    std::uint8_t* sys_ = nullptr;
    std::vector<Slot> slots_;
    std::uint64_t next_gpa_ = kSlotBaseGpa, mapped_bytes_ = 0;
    std::unique_ptr<PageTables> tables_;
    std::vector<kvm_cpuid_entry2> cpuid_;
    bool msi_routed_ = false;
};

// One vCPU in 64-bit mode, ready to run fn(arg) on its own guest stack.  index: the
// vCPU's id (0..vm.vcpus()-1), which is also its APIC ID; vCPU 0 is the bootstrap
// processor, the others are made runnable at once (no INIT/SIPI).
class Vcpu {
public:
    using GuestFn = std::uint64_t (*)(void*);
    Vcpu(Vm& vm, GuestFn fn, void* arg, int index = 0);
    ~Vcpu();
    Vcpu(const Vcpu&) = delete;
    Vcpu& operator=(const Vcpu&) = delete;

    int fd() const { return fd_.get(); }
    kvm_run* run() const { return run_; }
    Vm& vm() const { return vm_; }
    kvm_regs regs() const;
    kvm_sregs sregs() const;
    int index() const { return index_; }

private:
    Vm& vm_;
    int index_ = 0;
    Fd fd_;
    kvm_run* run_ = nullptr;
};

}  // namespace ringlab::guest::x86
