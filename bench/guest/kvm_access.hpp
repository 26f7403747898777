// kvm_access.hpp: can this process run a KVM guest, and is it nested?
// Architecture-neutral: it only looks at /dev/kvm, sysfs and CPUID.
#pragma once

#include <stdexcept>
#include <string>

namespace ringlab::guest {

// No usable KVM here (device missing, not permitted, wrong API, architecture):
// the CLI answers exit 2 with what() as its one sentence.
struct GuestUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The guest ended badly (fault, triple fault, internal error, never returned):
// the CLI answers exit 1 with what() as its one sentence.
struct GuestFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct KvmProbe {
    bool present = false;      // /dev/kvm exists
    bool usable = false;       // opened read-write and KVM_GET_API_VERSION == 12
    std::string reason;        // why not usable: one sentence naming /dev/kvm, its mode and group
    std::string nested;        // "nested": this host is itself a guest offering KVM; "bare"; "unknown"
    bool hypervisor_bit = false;  // CPUID.1:ECX[31] (x86 only): this machine runs under a hypervisor
    std::string nested_param;  // the kvm_amd / kvm_intel "nested" module parameter, if readable
    std::string arch_supported;  // empty, or why ringlab cannot build a guest on this architecture
};

KvmProbe probe_kvm();

// Opens /dev/kvm read-write; throws GuestUnavailable with probe_kvm()'s sentence.
int open_kvm_or_throw();

}  // namespace ringlab::guest
