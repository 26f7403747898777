#include "guest/x86_64/vcpu_thread.hpp"

#include <signal.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>

#include "engine/cpu_affinity.hpp"

namespace ringlab::guest::x86 {

namespace {

// A real-time signal of ringlab's own, so that the run's SIGINT/SIGTERM handling stays untouched.
int stop_signal() { return SIGRTMIN + 3; }

void install_stop_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = [](int) {};  // only to interrupt KVM_RUN (no SA_RESTART)
        sigemptyset(&sa.sa_mask);
        sigaction(stop_signal(), &sa, nullptr);
    });
}

std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return b;
}

// "0x55d0c1a2b933 (ringlab+0x2f933)": where a guest address lies in the host's files,
// for objdump.
std::string where(std::uint64_t addr) {
    std::string s = hex(addr);
    std::ifstream f("/proc/self/maps");
    std::string line;
    while (std::getline(f, line)) {
        unsigned long long lo = 0, hi = 0, off = 0;
        char path[512] = "";
        if (std::sscanf(line.c_str(), "%llx-%llx %*s %llx %*s %*s %511s", &lo, &hi, &off, path) < 3) continue;
        if (addr < lo || addr >= hi) continue;
        std::string p = path;
        if (!p.empty()) s += " (" + p.substr(p.rfind('/') + 1) + "+" + hex(addr - lo + off) + ")";
        break;
    }
    return s;
}

const char* vector_name(std::uint64_t v) {
    static const char* names[] = {"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
                                  "#BR bound range", "#UD invalid opcode", "#NM device not available",
                                  "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
                                  "#NP segment not present", "#SS stack fault", "#GP general protection",
                                  "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
                                  "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection"};
    if (v < sizeof names / sizeof *names) return names[v];
    if (v == kUnexpectedInterrupt) return "an unexpected interrupt";
    return "a reserved exception";
}

std::string internal_data(const kvm_run& r) {
    std::string s;
    for (unsigned i = 0; i < r.internal.ndata && i < 16; ++i) s += (i ? " " : ", data ") + hex(r.internal.data[i]);
    return s;
}

}  // namespace

VcpuThread::VcpuThread(Vcpu& vcpu, int cpu, Handler handler) : vcpu_(vcpu), handler_(std::move(handler)) {
    install_stop_handler();
    thread_ = std::thread([this, cpu] { loop(cpu); });
}

VcpuThread::~VcpuThread() {
    if (thread_.joinable()) {
        if (!finished()) stop("the run was abandoned");
        thread_.join();
    }
}

bool VcpuThread::wait_for(std::uint32_t ms) const {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!finished()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
}

void VcpuThread::stop(const std::string& why) {
    if (finished()) return;
    stop_why_ = why;
    stop_requested_.store(true, std::memory_order_release);
    // Until the thread is joined its id stays valid: signal it until KVM_RUN has returned.
    for (int i = 0; i < 1000 && !finished(); ++i) {
        __atomic_store_n(&vcpu_.run()->immediate_exit, 1, __ATOMIC_SEQ_CST);
        pthread_kill(thread_.native_handle(), stop_signal());
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void VcpuThread::join() {
    if (thread_.joinable()) thread_.join();
}

void VcpuThread::finish(GuestEnd e, std::string s) {
    sentence_ = std::move(s);
    cpu_ns_at_end_.store(thread_cpu_ns(), std::memory_order_relaxed);  // on the vCPU thread: its own clock
    end_.store(e, std::memory_order_release);
}

std::string VcpuThread::describe_fault() const {
    const Mailbox& m = vcpu_.vm().mailbox();
    std::string s = std::string("the guest took ") + vector_name(m.vector) + " (vector " + std::to_string(m.vector) +
                    ", error code " + hex(m.error_code) + ") at rip " + where(m.rip);
    if (m.vector == 14) s += " accessing " + hex(m.cr2) + (m.error_code & 2 ? " (write)" : " (read)");
    return s;
}

void VcpuThread::loop(int cpu) {
    if (cpu >= 0) pin_error_ = pin_this_thread(cpu);
    kvm_run* run = vcpu_.run();
    const int fd = vcpu_.fd();
    for (;;) {
        if (stop_requested_.load(std::memory_order_acquire)) {
            finish(GuestEnd::stopped, stop_why_);
            return;
        }
        if (ioctl(fd, KVM_RUN, 0) != 0) {
            int e = errno;
            if (e == EINTR || e == EAGAIN) {
                ++exits_.intr;
                run->immediate_exit = 0;
                continue;
            }
            finish(GuestEnd::kvm_error, std::string("KVM_RUN failed: ") + std::strerror(e) +
                                            (e == EFAULT ? " (the guest touched host memory that is no longer mapped)" : ""));
            return;
        }
        switch (run->exit_reason) {
            case KVM_EXIT_IO: {
                ++exits_.io;
                const std::uint16_t port = run->io.port;
                if (port == kPortDone) {
                    // rax still holds the function's value at the done port's exit (the entry
                    // stub and the #GP stub leave it as it was); the mailbox's copy is shared
                    // by every vCPU of the VM, so it is not this vCPU's when two return at once.
                    ret_ = vcpu_.regs().rax;
                    finish(GuestEnd::done, "");
                    return;
                }
                if (port == kPortFault) {
                    finish(GuestEnd::fault, describe_fault());
                    return;
                }
                if (handler_ && handler_(*run)) continue;
                finish(GuestEnd::unexpected_exit, "the guest made an unexpected I/O exit (port " + hex(port) + ", " +
                                                      (run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in") +
                                                      ") at rip " + where(vcpu_.regs().rip));
                return;
            }
            case KVM_EXIT_MMIO:
                ++exits_.mmio;
                if (handler_ && handler_(*run)) continue;
                finish(GuestEnd::unexpected_exit, "the guest made an unexpected MMIO exit (" +
                                                      std::string(run->mmio.is_write ? "write to " : "read of ") +
                                                      hex(run->mmio.phys_addr) + ") at rip " + where(vcpu_.regs().rip));
                return;
            case KVM_EXIT_SHUTDOWN:
                finish(GuestEnd::shutdown, "the guest triple-faulted (KVM_EXIT_SHUTDOWN) near rip " +
                                               where(vcpu_.regs().rip));
                return;
            case KVM_EXIT_INTERNAL_ERROR:
                finish(GuestEnd::internal_error,
                       "KVM could not run the guest (KVM_EXIT_INTERNAL_ERROR, suberror " +
                           std::to_string(run->internal.suberror) +
                           (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? ": instruction emulation failed" : "") +
                           internal_data(*run) +
                           ") at rip " + where(vcpu_.regs().rip));
                return;
            case KVM_EXIT_FAIL_ENTRY:
                finish(GuestEnd::fail_entry, "the CPU refused to enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason " +
                                                 hex(run->fail_entry.hardware_entry_failure_reason) + ")");
                return;
            case KVM_EXIT_HLT:
                ++exits_.other;
                finish(GuestEnd::unexpected_exit, "the guest halted with no interrupt controller to wake it (KVM_EXIT_HLT) at rip " +
                                                      where(vcpu_.regs().rip));
                return;
            default:
                ++exits_.other;
                finish(GuestEnd::unexpected_exit, "the guest made an unexpected exit (KVM exit reason " +
                                                      std::to_string(run->exit_reason) + ") at rip " +
                                                      where(vcpu_.regs().rip));
                return;
        }
    }
}

}  // namespace ringlab::guest::x86
