// vcpu_thread.hpp: KVM_RUN on a pinned thread of its own, until the guest says it
// is done, faults, or the watchdog stops it.
//
// Exits ringlab expects (the done and fault ports) are handled here; every other
// I/O or MMIO exit goes to the caller's handler, which returns false for one it does
// not know.  Anything else ends the run with one sentence saying which exit it was.
// stop() makes a vCPU that never exits return: it sets kvm_run.immediate_exit and
// sends the thread a signal, so KVM_RUN returns EINTR whether the vCPU was in the
// guest, halted in the kernel, or about to enter.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "guest/x86_64/vm.hpp"

namespace ringlab::guest::x86 {

enum class GuestEnd { running, done, fault, shutdown, internal_error, fail_entry, unexpected_exit, stopped, kvm_error };

struct ExitCounts {
    std::uint64_t io = 0, mmio = 0, intr = 0, other = 0;  // exits that reached user space, by kind
    std::uint64_t total() const { return io + mmio + intr + other; }
};

class VcpuThread {
public:
    using Handler = std::function<bool(kvm_run&)>;
    // cpu < 0: not pinned.
    VcpuThread(Vcpu& vcpu, int cpu, Handler handler);
    ~VcpuThread();  // stops and joins a vCPU still running (no leaked thread)
    VcpuThread(const VcpuThread&) = delete;
    VcpuThread& operator=(const VcpuThread&) = delete;

    bool finished() const { return end_.load(std::memory_order_acquire) != GuestEnd::running; }
    // Wait up to ms for the guest to end; true if it did.
    bool wait_for(std::uint32_t ms) const;
    // The watchdog: make KVM_RUN return; `why` becomes the sentence.
    void stop(const std::string& why);
    void join();

    GuestEnd end() const { return end_.load(); }
    const std::string& sentence() const { return sentence_; }  // empty when done
    std::uint64_t ret() const { return ret_; }
    const ExitCounts& exits() const { return exits_; }
    const std::string& pin_error() const { return pin_error_; }
    int index() const { return vcpu_.index(); }
    pthread_t native_handle() { return thread_.native_handle(); }
    // The vCPU thread's CPU time when the guest ended (its clock is gone once it exits).
    std::uint64_t cpu_ns_at_end() const { return cpu_ns_at_end_.load(std::memory_order_relaxed); }

private:
    void loop(int cpu);
    void finish(GuestEnd e, std::string s);
    std::string describe_fault() const;

    Vcpu& vcpu_;
    Handler handler_;
    std::atomic<GuestEnd> end_{GuestEnd::running};
    std::atomic<bool> stop_requested_{false};
    std::atomic<std::uint64_t> cpu_ns_at_end_{0};
    std::string sentence_, stop_why_, pin_error_;
    std::uint64_t ret_ = 0;
    ExitCounts exits_;
    std::thread thread_;
};

}  // namespace ringlab::guest::x86
