#include "guest/x86_64/boundary.hpp"

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ringlab::guest::x86 {

std::string boundary_sentence() {
    struct stat st {};
    const bool pvm = stat("/sys/module/kvm_pvm", &st) == 0;
    const bool amd = stat("/sys/module/kvm_amd", &st) == 0, intel = stat("/sys/module/kvm_intel", &st) == 0;
    KvmProbe p = probe_kvm();
    const bool nested = p.hypervisor_bit;
    if (pvm)
        return std::string(nested ? "nested KVM through kvm_pvm (PVM, no hardware virtualization in this VM): "
                                  : "KVM through kvm_pvm (PVM): ") +
               "the guest's ring 3 runs natively, its ring 0 (ringlab's stubs) is emulated, every exit passes two hypervisors";
    std::string hw = amd ? "AMD SVM (kvm_amd)" : intel ? "Intel VMX (kvm_intel)" : "hardware virtualization";
    return nested ? "nested KVM on " + hw + ": every exit passes two hypervisors" : "KVM on " + hw + ", not nested";
}

TscCheck tsc_check(const std::int64_t offset[2], const std::uint64_t rtt[2], double hz) {
    TscCheck t;
    const double ns = 1e9 / hz;
    t.offset_start_ns = double(offset[0]) * ns;
    t.offset_end_ns = double(offset[1]) * ns;
    t.uncertainty_ns = double(std::max(rtt[0], rtt[1])) * ns / 2;
    const double drift = std::fabs(t.offset_end_ns - t.offset_start_ns);
    t.same_rate = drift <= 2 * t.uncertainty_ns + 1000;
    char b[400];
    std::snprintf(b, sizeof b,
                  "guest TSC - host TSC = %.0f ns at the start and %.0f ns at the end (each +-%.0f ns): %s",
                  t.offset_start_ns, t.offset_end_ns, t.uncertainty_ns,
                  t.same_rate ? "the guest's TSC runs at the host's rate with a constant offset; guest-host intervals use it"
                              : "the offset moved: guest-to-host intervals are not trustworthy in this run");
    t.sentence = b;
    return t;
}

}  // namespace ringlab::guest::x86
