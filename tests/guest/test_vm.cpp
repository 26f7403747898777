// The guest's entry: a host function runs in the KVM guest on host memory and
// returns a value; faults, a guest that never returns and the set-up itself.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "guest/x86_64/vcpu_thread.hpp"
#include "guest/x86_64/vm.hpp"
#include "guest_test_util.hpp"

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
