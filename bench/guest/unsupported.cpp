// unsupported.cpp: the guest on an architecture without a bench/guest/<arch>/ yet.
#include "guest/guest.hpp"

namespace ringlab::guest {

namespace {
[[noreturn]] void unsupported() {
    KvmProbe p = probe_kvm();
    throw GuestUnavailable(p.arch_supported.empty() ? std::string("no KVM guest for this architecture") : p.arch_supported);
}
}  // namespace

std::vector<std::pair<std::string, std::string>> exit_kinds() { return {}; }
ExitCostResult measure_exitcost(const ExitCostOptions&) { unsupported(); }
GuestRunResult run_guest(const ValidConfig&) { unsupported(); }

}  // namespace ringlab::guest
