#include "guest/x86_64/vm.hpp"

#include <cpuid.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "guest/kvm_access.hpp"

namespace ringlab::guest::x86 {

Fd::~Fd() {
    if (fd_ >= 0) close(fd_);
}
Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw GuestUnavailable(what + " failed: " + std::strerror(errno));
}

std::size_t page_up(std::size_t n) { return (n + 4095) & ~std::size_t(4095); }

std::vector<kvm_cpuid_entry2> supported_cpuid(int kvm) {
    for (std::uint32_t n = 128; n <= 4096; n *= 2) {
        std::vector<std::uint8_t> buf(sizeof(kvm_cpuid2) + n * sizeof(kvm_cpuid_entry2));
        auto* c = reinterpret_cast<kvm_cpuid2*>(buf.data());
        c->nent = n;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0) return {c->entries, c->entries + c->nent};
        if (errno != E2BIG) break;
    }
    // Some KVM front ends refuse this ioctl (EINVAL here, under nested KVM on 6.18):
    // the guest then keeps KVM's default CPUID.
    return {};
}

}  // namespace

Vm::Vm(const VmOptions& o) : opt_(o) {
    kvm_ = Fd(open_kvm_or_throw());
    for (int cap : {KVM_CAP_USER_MEMORY, KVM_CAP_IOEVENTFD, KVM_CAP_IRQFD, KVM_CAP_IRQCHIP,
                    KVM_CAP_IMMEDIATE_EXIT})
        if (ioctl(kvm_.get(), KVM_CHECK_EXTENSION, cap) <= 0)
            throw GuestUnavailable("/dev/kvm lacks capability " + std::to_string(cap) +
                                   " (user memory, ioeventfd, irqfd, irqchip and immediate_exit are needed)");
    run_bytes_ = ioctl(kvm_.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_bytes_ <= 0) fail("KVM_GET_VCPU_MMAP_SIZE");
    cpuid_ = supported_cpuid(kvm_.get());
    int vm = ioctl(kvm_.get(), KVM_CREATE_VM, 0);
    if (vm < 0) fail("KVM_CREATE_VM");
    vm_ = Fd(vm);
    ioctl(vm_.get(), KVM_SET_TSS_ADDR, 0xfffbd000ul);  // Intel without unrestricted guest wants it; harmless elsewhere
    if (opt_.irqchip && ioctl(vm_.get(), KVM_CREATE_IRQCHIP, 0) != 0) fail("KVM_CREATE_IRQCHIP");

    // Size the page-table pool from what is mapped now, with room for what the
    // system area itself and later small allocations add.
    std::uint64_t leaves = 0;
    auto before = shareable_regions();
    for (const auto& r : before) leaves += (r.end - r.start) / 4096;
    if (opt_.vcpus < 1 || opt_.vcpus > kMaxVcpus)
        throw std::invalid_argument("a guest has 1 to " + std::to_string(kMaxVcpus) + " vCPUs");
    std::size_t off = 16384;
    for (int i = 0; i < opt_.vcpus; ++i) {
        auto& v = lay_.vcpu[i];
        v.stack_off = off;
        v.rsp0_off = v.stack_off + page_up(opt_.stack_bytes);
        v.ist_exc_off = v.rsp0_off + SystemLayout::kIstBytes;
        off = v.ist_exc_off + SystemLayout::kIstBytes;
    }
    lay_.tables_off = off;
    lay_.tables_pages = PageTables::pages_needed(leaves + 65536, before.size() + 64);
    lay_.bytes = lay_.tables_off + 4096 * lay_.tables_pages;
    void* sys = mmap(nullptr, lay_.bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (sys == MAP_FAILED) fail("mmap of the guest system area");
    sys_ = static_cast<std::uint8_t*>(sys);
    const auto sys_hva = reinterpret_cast<std::uint64_t>(sys_);

    int max_slots = ioctl(kvm_.get(), KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    add_slot(sys_hva, lay_.bytes);
    auto regions = shareable_regions({{sys_hva, sys_hva + lay_.bytes, ""}});
    if (max_slots > 0 && regions.size() + 1 > std::size_t(max_slots))
        throw GuestUnavailable("this process has " + std::to_string(regions.size()) + " mappings; KVM allows " +
                               std::to_string(max_slots) + " memory slots");
    for (const auto& r : regions) {
        if (r.start < kLapicGpa + 4096 && r.end > kMmioExitGpa)
            throw GuestUnavailable("host mapping " + r.name + " overlaps the guest's MMIO window at 0xd0000000");
        add_slot(r.start, r.end - r.start);
    }

    tables_ = std::make_unique<PageTables>(reinterpret_cast<std::uint64_t*>(sys_ + lay_.tables_off),
                                           gpa_of(sys_ + lay_.tables_off), lay_.tables_pages);
    try {
        for (const auto& s : slots_) tables_->map_range(s.hva, s.gpa, s.bytes);
        for (std::uint64_t mmio : {kMmioExitGpa, kMmioDoorbellGpa, kMmioDoorbell2Gpa, kLapicGpa})
            tables_->map(mmio, mmio, kPtePresent | kPteWrite | kPtePcd | kPtePwt);
    } catch (const std::length_error&) {
        throw GuestUnavailable("the guest page tables need more than the " + std::to_string(lay_.tables_pages) +
                               " pages reserved (this process mapped much more memory while the VM was built)");
    }

    VcpuStacks stacks[kMaxVcpus];
    for (int i = 0; i < opt_.vcpus; ++i) {
        const auto& v = lay_.vcpu[i];
        stacks[i] = {tss(i), reinterpret_cast<std::uint64_t>(tss(i)), sys_hva + v.rsp0_off + SystemLayout::kIstBytes,
                     sys_hva + v.ist_exc_off + SystemLayout::kIstBytes};
    }
    build_descriptors(gdt(), idt(), stacks, opt_.vcpus);
    // The TLS page: %fs:0 points at itself (glibc's TCB convention), %fs:0x28 holds the
    // host's stack-protector canary, so host code built with either runs unchanged.
    auto* tls = reinterpret_cast<std::uint64_t*>(sys_ + SystemLayout::kTls);
    tls[0] = reinterpret_cast<std::uint64_t>(tls);
    std::uint64_t canary = 0;
    asm volatile("movq %%fs:0x28, %0" : "=r"(canary));
    tls[5] = canary;
    ringlab_guest_mailbox = &mailbox();
    std::memset(&mailbox(), 0, sizeof(Mailbox));
}

Vm::~Vm() {
    if (ringlab_guest_mailbox == &mailbox()) ringlab_guest_mailbox = nullptr;
    vm_ = Fd();  // the slots go with the VM; only then may their memory go
    if (sys_) munmap(sys_, lay_.bytes);
}

void Vm::add_slot(std::uint64_t hva, std::uint64_t bytes) {
    kvm_userspace_memory_region r{};
    r.slot = std::uint32_t(slots_.size());
    r.guest_phys_addr = next_gpa_;
    r.memory_size = bytes;
    r.userspace_addr = hva;
    if (ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &r) != 0)
        fail("KVM_SET_USER_MEMORY_REGION (slot " + std::to_string(r.slot) + ")");
    slots_.push_back({hva, next_gpa_, bytes});
    next_gpa_ += (bytes + 0x1fffff) & ~0x1fffffull;  // 2 MiB apart: a readable gpa map in messages
    mapped_bytes_ += bytes;
}

std::uint64_t Vm::gpa_of(const void* p) const {
    const auto hva = reinterpret_cast<std::uint64_t>(p);
    for (const auto& s : slots_)
        if (hva >= s.hva && hva < s.hva + s.bytes) return s.gpa + (hva - s.hva);
    throw std::out_of_range("host address is in no guest memory slot");
}

Mailbox& Vm::mailbox() const { return *reinterpret_cast<Mailbox*>(sys_ + SystemLayout::kMailbox); }
std::uint64_t* Vm::gdt() const { return reinterpret_cast<std::uint64_t*>(sys_ + SystemLayout::kGdt); }
Tss64* Vm::tss(int i) const {
    return reinterpret_cast<Tss64*>(sys_ + SystemLayout::kTss + SystemLayout::kTssStride * std::size_t(i));
}
IdtGate* Vm::idt() const { return reinterpret_cast<IdtGate*>(sys_ + SystemLayout::kIdt); }
// The ring-3 stack ends where the vCPU's rsp0 stack begins.
std::uint64_t Vm::stack_top(int i) const { return reinterpret_cast<std::uint64_t>(sys_ + lay_.vcpu[i].rsp0_off); }
std::uint64_t Vm::tls_base() const { return reinterpret_cast<std::uint64_t>(sys_ + SystemLayout::kTls); }

void Vm::ioeventfd_pio(std::uint16_t port, int efd) {
    kvm_ioeventfd e{};
    e.addr = port;
    e.len = 1;
    e.fd = efd;
    e.flags = KVM_IOEVENTFD_FLAG_PIO;
    if (ioctl(vm_.get(), KVM_IOEVENTFD, &e) != 0) fail("KVM_IOEVENTFD (port " + std::to_string(port) + ")");
}

void Vm::ioeventfd_mmio(std::uint64_t gpa, std::uint32_t len, int efd) {
    kvm_ioeventfd e{};
    e.addr = gpa;
    e.len = len;
    e.fd = efd;
    if (ioctl(vm_.get(), KVM_IOEVENTFD, &e) != 0) fail("KVM_IOEVENTFD (mmio)");
}

void Vm::irqfd_call(int efd) {
    if (!opt_.irqchip) throw std::logic_error("irqfd needs the in-kernel irqchip");
    if (!msi_routed_) {
        // The call's GSI is an IOAPIC pin of KVM's default routing (16..23 reach the
        // IOAPIC alone): program its redirection entry, edge, fixed, to APIC 0.  (A
        // KVM_SET_GSI_ROUTING MSI route would do too, but not every KVM offers it.)
        kvm_irqchip chip{};
        chip.chip_id = KVM_IRQCHIP_IOAPIC;
        if (ioctl(vm_.get(), KVM_GET_IRQCHIP, &chip) != 0) fail("KVM_GET_IRQCHIP (IOAPIC)");
        auto& e = chip.chip.ioapic.redirtbl[kCallGsi];
        e.bits = 0;
        e.fields.vector = kCallVector;  // delivery fixed, physical, edge, unmasked, destination 0
        if (ioctl(vm_.get(), KVM_SET_IRQCHIP, &chip) != 0) fail("KVM_SET_IRQCHIP (IOAPIC)");
        msi_routed_ = true;
    }
    kvm_irqfd f{};
    f.fd = std::uint32_t(efd);
    f.gsi = kCallGsi;
    if (ioctl(vm_.get(), KVM_IRQFD, &f) != 0) fail("KVM_IRQFD");
}

// ---- vCPU ----

static kvm_segment flat(std::uint16_t sel, std::uint8_t type, bool code) {
    kvm_segment s{};
    s.base = 0;
    s.limit = 0xffffffff;
    s.selector = sel;
    s.type = type;
    s.present = 1;
    s.dpl = 0;
    s.db = code ? 0 : 1;
    s.s = 1;
    s.l = code ? 1 : 0;
    s.g = 1;
    return s;
}

Vcpu::Vcpu(Vm& vm, GuestFn fn, void* arg, int index) : vm_(vm), index_(index) {
    if (index < 0 || index >= vm.vcpus()) throw std::invalid_argument("vCPU index outside the VM's vCPUs");
    int fd = ioctl(vm.fd(), KVM_CREATE_VCPU, index);
    if (fd < 0) fail("KVM_CREATE_VCPU " + std::to_string(index));
    fd_ = Fd(fd);
    void* run = mmap(nullptr, std::size_t(vm.run_area_bytes()), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (run == MAP_FAILED) fail("mmap of the vCPU run area");
    run_ = static_cast<kvm_run*>(run);

    const auto& ids = vm.cpuid();
    if (!ids.empty()) {
        std::vector<std::uint8_t> buf(sizeof(kvm_cpuid2) + ids.size() * sizeof(kvm_cpuid_entry2));
        auto* c = reinterpret_cast<kvm_cpuid2*>(buf.data());
        c->nent = std::uint32_t(ids.size());
        std::memcpy(c->entries, ids.data(), ids.size() * sizeof(kvm_cpuid_entry2));
        if (ioctl(fd, KVM_SET_CPUID2, c) != 0) fail("KVM_SET_CPUID2");
    }

    // XSAVE state as the host has it: host code (libc's string functions chosen for
    // this CPU at start-up) may use AVX, which needs CR4.OSXSAVE and XCR0 in the guest.
    std::uint64_t xcr0 = 0, guest_xfeatures = 0;
    bool xsave = false;
    for (const auto& e : ids) {
        if (e.function == 1) xsave = (e.ecx >> 26) & 1;
        if (e.function == 0xd && e.index == 0) guest_xfeatures = e.eax | (std::uint64_t(e.edx) << 32);
    }
    unsigned a = 0, b = 0, cx = 0, d = 0;
    __get_cpuid(1, &a, &b, &cx, &d);
    if (xsave && ((cx >> 27) & 1)) {
        std::uint32_t lo, hi;
        asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((std::uint64_t(hi) << 32) | lo) & guest_xfeatures;
    }

    kvm_sregs s{};
    if (ioctl(fd, KVM_GET_SREGS, &s) != 0) fail("KVM_GET_SREGS");
    // Ring 3 (see descriptors.hpp): the segments match GDT entries 3 and 4.
    s.cs = flat(kUserCodeSelector, 0xb, true);
    s.ds = s.es = s.ss = s.gs = flat(kUserDataSelector, 0x3, false);
    s.fs = flat(kUserDataSelector, 0x3, false);
    for (kvm_segment* seg : {&s.cs, &s.ds, &s.es, &s.ss, &s.gs, &s.fs}) seg->dpl = 3;
    s.fs.base = vm.tls_base();
    s.tr = kvm_segment{};
    s.tr.base = reinterpret_cast<std::uint64_t>(vm.tss(index));
    s.tr.limit = sizeof(Tss64) - 1;
    s.tr.selector = tss_selector(index);
    s.tr.type = 0xb;
    s.tr.present = 1;
    s.ldt = kvm_segment{};
    s.ldt.unusable = 1;
    s.gdt.base = reinterpret_cast<std::uint64_t>(vm.gdt());
    s.gdt.limit = kGdtEntries * 8 - 1;
    s.idt.base = reinterpret_cast<std::uint64_t>(vm.idt());
    s.idt.limit = 256 * sizeof(IdtGate) - 1;
    s.cr3 = vm.tables().root_gpa();
    s.cr4 = (1u << 5) | (1u << 9) | (1u << 10) | (xcr0 ? (1u << 18) : 0);  // PAE, OSFXSR, OSXMMEXCPT, OSXSAVE
    s.cr0 = 0x80000000u | 0x10000u | 0x20 | 0x10 | 0x2 | 0x1;           // PG, WP, NE, ET, MP, PE
    s.efer = (1u << 8) | (1u << 10);                                     // LME, LMA
    if (ioctl(fd, KVM_SET_SREGS, &s) != 0) fail("KVM_SET_SREGS (64-bit mode)");
    if (xcr0) {
        kvm_xcrs x{};
        x.nr_xcrs = 1;
        x.xcrs[0].xcr = 0;
        x.xcrs[0].value = xcr0;
        if (ioctl(fd, KVM_SET_XCRS, &x) != 0) fail("KVM_SET_XCRS");
    }
    if (vm.options().irqchip) {
        // Software-enable the local APIC (spurious-vector register, offset 0xf0).
        kvm_lapic_state l{};
        if (ioctl(fd, KVM_GET_LAPIC, &l) != 0) fail("KVM_GET_LAPIC");
        std::uint32_t svr = 0x100u | kSpuriousVector;
        std::memcpy(l.regs + 0xf0, &svr, 4);
        if (ioctl(fd, KVM_SET_LAPIC, &l) != 0) fail("KVM_SET_LAPIC");
    }
    if (index > 0 && vm.options().irqchip) {
        // With the in-kernel LAPIC an application processor waits for INIT/SIPI; ringlab's
        // guest has no BSP code to send them, so the vCPU starts runnable, as vCPU 0 does.
        kvm_mp_state mp{};
        mp.mp_state = KVM_MP_STATE_RUNNABLE;
        if (ioctl(fd, KVM_SET_MP_STATE, &mp) != 0) fail("KVM_SET_MP_STATE (vCPU " + std::to_string(index) + ")");
    }
    kvm_regs r{};
    r.rip = reinterpret_cast<std::uint64_t>(&ringlab_guest_start);
    r.rsp = vm.stack_top(index);
    r.rdi = reinterpret_cast<std::uint64_t>(arg);
    r.rsi = reinterpret_cast<std::uint64_t>(fn);
    r.rflags = 0x3202;  // IF (ring 3 cannot cli; the #GP stub closes the halt race), IOPL 3 (native port I/O where honoured)
    if (ioctl(fd, KVM_SET_REGS, &r) != 0) fail("KVM_SET_REGS");
}

Vcpu::~Vcpu() {
    if (run_) munmap(run_, std::size_t(vm_.run_area_bytes()));
}

kvm_regs Vcpu::regs() const {
    kvm_regs r{};
    ioctl(fd_.get(), KVM_GET_REGS, &r);
    return r;
}
kvm_sregs Vcpu::sregs() const {
    kvm_sregs s{};
    ioctl(fd_.get(), KVM_GET_SREGS, &s);
    return s;
}

}  // namespace ringlab::guest::x86

ringlab::guest::x86::Mailbox* ringlab_guest_mailbox = nullptr;
