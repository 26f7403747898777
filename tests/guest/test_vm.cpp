// The guest's entry: a host function runs in the KVM guest on host memory and
// returns a value; faults, a guest that never returns and the set-up itself.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "guest/x86_64/vcpu_thread.hpp"
#include "guest/x86_64/vm.hpp"
#include "guest_test_util.hpp"
#include "ringsim/clock.hpp"

using namespace ringlab::guest;
using namespace ringlab::guest::x86;

namespace {

struct Shared {
    std::uint64_t in[8];
    std::uint64_t out = 0;
};

// Plain host functions, run inside the guest.
std::uint64_t sum_guest(void* p) {
    auto* s = static_cast<Shared*>(p);
    std::uint64_t sum = 0;
    for (auto v : s->in) sum += v;
    s->out = sum * 3;  // the host reads this through its own pointer
    return sum;
}

std::uint64_t fault_guest(void* p) {
    return *static_cast<volatile std::uint64_t*>(p);
}

std::uint64_t ud_guest(void*) {
    asm volatile("ud2");
    return 0;
}

std::uint64_t spin_guest(void*) {
    for (;;) asm volatile("pause");
}

std::uint64_t tsc_guest(void* p) {
    auto* t = static_cast<std::uint64_t*>(p);
    std::uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    t[0] = (std::uint64_t(hi) << 32) | lo;
    return 1;
}

GuestEnd run_to_end(Vm& vm, Vcpu::GuestFn fn, void* arg, std::string* sentence, std::uint64_t* ret = nullptr,
                    std::uint32_t ms = 5000) {
    Vcpu cpu(vm, fn, arg);
    VcpuThread t(cpu, -1, nullptr);
    if (!t.wait_for(ms)) t.stop("the test's bound passed");
    t.join();
    if (sentence) *sentence = t.sentence();
    if (ret) *ret = t.ret();
    return t.end();
}

}  // namespace

TEST(GuestVm, SlotsAndPageTablesMapHostAddressesOneToOne) {
    RINGLAB_NEED_KVM();
    static int some_global = 42;
    int on_stack = 7;
    Vm vm;
    EXPECT_GT(vm.slot_count(), 2u);
    for (const void* p : {static_cast<const void*>(&some_global), static_cast<const void*>(&on_stack),
                          reinterpret_cast<const void*>(&sum_guest), static_cast<const void*>(&vm.mailbox())}) {
        auto gva = reinterpret_cast<std::uint64_t>(p);
        ASSERT_TRUE(vm.tables().translate(gva)) << gva;
        EXPECT_EQ(*vm.tables().translate(gva), vm.gpa_of(p));
    }
    EXPECT_EQ(*vm.tables().translate(kLapicEoi), kLapicEoi);
    EXPECT_FALSE(vm.tables().translate(0x1000));
    // The descriptor tables point at the stubs in this binary.
    EXPECT_EQ(idt_gate_handler(vm.idt()[kCallVector]), reinterpret_cast<std::uint64_t>(ringlab_guest_irq_call));
    EXPECT_EQ(vm.gdt()[1], gdt_code64());
}

TEST(GuestVm, VcpuStartsInLongMode) {
    RINGLAB_NEED_KVM();
    Vm vm;
    Shared s{};
    Vcpu cpu(vm, &sum_guest, &s);
    kvm_sregs sr = cpu.sregs();
    EXPECT_EQ(sr.efer & 0x500, 0x500u);  // LME and LMA
    EXPECT_EQ(sr.cr0 & 0x80000001u, 0x80000001u);
    EXPECT_EQ(sr.cs.l, 1);
    EXPECT_EQ(sr.cr3, vm.tables().root_gpa());
    EXPECT_EQ(cpu.regs().rip, reinterpret_cast<std::uint64_t>(&ringlab_guest_start));
}

TEST(GuestVm, HostFunctionRunsInTheGuestAndReturnsItsValue) {
    RINGLAB_NEED_KVM();
    const int fds_before = open_fd_count();
    {
        Shared s{};
        for (int i = 0; i < 8; ++i) s.in[i] = std::uint64_t(i + 1) * 1000;
        Vm vm;
        std::string why;
        std::uint64_t ret = 0;
        ASSERT_EQ(run_to_end(vm, &sum_guest, &s, &why, &ret), GuestEnd::done) << why;
        EXPECT_EQ(ret, 36000u);
        EXPECT_EQ(s.out, 108000u);
    }
    EXPECT_EQ(open_fd_count(), fds_before);  // no leaked VM, vCPU or KVM fds
}

TEST(GuestVm, GuestTscRunsAtTheHostRate) {
    RINGLAB_NEED_KVM();
    Vm vm;
    std::uint64_t t[1] = {0};
    std::string why;
    ASSERT_EQ(run_to_end(vm, &tsc_guest, t, &why), GuestEnd::done) << why;
    EXPECT_NE(t[0], 0u);
}

TEST(GuestVm, PageFaultEndsTheRunWithItsSentence) {
    RINGLAB_NEED_KVM();
    Vm vm;
    std::string why;
    ASSERT_EQ(run_to_end(vm, &fault_guest, reinterpret_cast<void*>(0x3000), &why), GuestEnd::fault);
    EXPECT_NE(why.find("#PF page fault (vector 14"), std::string::npos) << why;
    EXPECT_NE(why.find("accessing 0x3000 (read)"), std::string::npos) << why;
}

TEST(GuestVm, InvalidOpcodeEndsTheRunWithItsSentence) {
    RINGLAB_NEED_KVM();
    Vm vm;
    std::string why;
    ASSERT_EQ(run_to_end(vm, &ud_guest, nullptr, &why), GuestEnd::fault);
    EXPECT_NE(why.find("#UD invalid opcode (vector 6"), std::string::npos) << why;
}

TEST(GuestVm, GuestThatNeverReturnsIsStopped) {
    RINGLAB_NEED_KVM();
    const int fds_before = open_fd_count();
    {
        Vm vm;
        std::string why;
        ASSERT_EQ(run_to_end(vm, &spin_guest, nullptr, &why, nullptr, 100), GuestEnd::stopped);
        EXPECT_EQ(why, "the test's bound passed");
    }
    EXPECT_EQ(open_fd_count(), fds_before);
}

// Two vCPUs: each runs on its own stacks and TSS, both run at once, and each returns.
namespace {
struct TwoWay {
    std::atomic<int> arrived{0};
    std::uint64_t rsp[2] = {0, 0}, tsc[2] = {0, 0};
};
template <int I>
std::uint64_t meet_guest(void* p) {
    auto* t = static_cast<TwoWay*>(p);
    std::uint64_t sp;
    asm volatile("movq %%rsp, %0" : "=r"(sp));
    t->rsp[I] = sp;
    t->arrived.fetch_add(1);
    // Both vCPUs must be running at once to get past here (bounded by the test's stop).
    while (t->arrived.load() < 2) asm volatile("pause");
    std::uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    t->tsc[I] = (std::uint64_t(hi) << 32) | lo;
    return 100 + I;
}
}  // namespace

TEST(GuestVm, TwoVcpusEachOnItsOwnStacksAndTss) {
    RINGLAB_NEED_KVM();
    VmOptions o;
    o.vcpus = 2;
    Vm vm(o);
    EXPECT_NE(vm.stack_top(0), vm.stack_top(1));
    EXPECT_NE(vm.tss(0), vm.tss(1));
    EXPECT_NE(vm.tss(0)->rsp[0], vm.tss(1)->rsp[0]) << "each vCPU enters ring 0 on its own stack";
    EXPECT_NE(vm.tss(0)->ist[1], vm.tss(1)->ist[1]);
    TwoWay t;
    Vcpu a(vm, &meet_guest<0>, &t, 0), b(vm, &meet_guest<1>, &t, 1);
    EXPECT_EQ(a.sregs().tr.selector, kTssSelector);
    EXPECT_EQ(b.sregs().tr.selector, tss_selector(1));
    EXPECT_EQ(b.sregs().tr.base, reinterpret_cast<std::uint64_t>(vm.tss(1)));
    EXPECT_EQ(b.regs().rsp, vm.stack_top(1));
    {
        VcpuThread ta(a, -1, nullptr), tb(b, -1, nullptr);
        if (!ta.wait_for(5000)) ta.stop("the test's bound passed");
        if (!tb.wait_for(5000)) tb.stop("the test's bound passed");
        ta.join();
        tb.join();
        ASSERT_EQ(ta.end(), GuestEnd::done) << ta.sentence();
        ASSERT_EQ(tb.end(), GuestEnd::done) << tb.sentence();
        EXPECT_EQ(ta.ret(), 100u);
        EXPECT_EQ(tb.ret(), 101u);
    }
    for (int i = 0; i < 2; ++i) {
        EXPECT_LT(t.rsp[i], vm.stack_top(i)) << "vCPU " << i << " ran on its own stack";
        EXPECT_GT(t.rsp[i], vm.stack_top(i) - VmOptions{}.stack_bytes);
    }
    // One clock for both: the driver's window may open on one vCPU and close on the other,
    // so the two guest TSCs must agree (KVM synchronises vCPUs created together).  Right
    // after the meeting point both read it; apart by more than 50 ms means different offsets.
    const double hz = ringsim::clock::info().hz;
    const double apart = double(t.tsc[0] > t.tsc[1] ? t.tsc[0] - t.tsc[1] : t.tsc[1] - t.tsc[0]);
    EXPECT_LT(apart, 0.05 * hz) << "vCPU TSCs " << t.tsc[0] << " and " << t.tsc[1];
    Shared s{};
    EXPECT_THROW({ Vcpu bad(vm, &sum_guest, &s, 2); }, std::invalid_argument);
}
