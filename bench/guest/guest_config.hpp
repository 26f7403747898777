// guest_config.hpp: which RunConfigs the KVM guest runs, in one place: a rule of the
// configuration table (config/axes.cpp), so the command line, the sweep's pruning and
// ValidConfig::check all ask guest_config_problem().
// Header-only and architecture-independent, so the sweep's spec library (which does
// not link the guest) prunes with the same sentences.
#pragma once

#include <string>

#include "engine/run_config.hpp"

namespace ringlab::guest {

// Empty if the guest fields of c are consistent (and, for host kvm, runnable by the
// guest); else one sentence naming the problem and the valid values.
inline std::string guest_config_problem(const RunConfig& c) {
    const RunConfig d;  // the defaults
    if (c.host == HostKind::thread) {
        if (c.kick_path != d.kick_path) return "--kick applies to --guest kvm only";
        if (c.call_path != d.call_path) return "--call applies to --guest kvm only";
        if (c.doorbell != d.doorbell) return "--doorbell applies to --guest kvm only";
        if (c.guest_barriers != d.guest_barriers) return "--guest-barriers applies to --guest kvm only";
        if (c.vcpus != d.vcpus) return "--vcpus applies to --guest kvm only";
        return {};
    }
    const bool notify = c.notify != ringsim::NotifyMode::poll;
    if (c.call_path == CallPath::irqfd && !notify)
        return "--call irqfd needs notifications (--notify flags or event-idx): with --notify poll the device never calls";
    if (c.vcpus != 1) return "--vcpus " + std::to_string(c.vcpus) + " is not built yet: the guest runs one vCPU (--vcpus 1)";
    // A UP guest changes smp_* only; branch and ops pick smp or mandatory at run time,
    // a kernel-build question this model does not answer.
    if (c.guest_barriers == GuestBarriers::up && (c.barrier == "branch" || c.barrier == "ops"))
        return "--guest-barriers up applies to --barrier smp (whose smp_mb becomes a compiler barrier) and leaves "
               "compiler, virt, dma, mandatory, acqrel and acqrel-seqcst as they are; branch and ops are not modelled";
    if (c.submitters != 1)
        return "--guest kvm runs one submitter (one vCPU) so far: --submitters must be 1";
    if (c.kick_cost_ns != 0)
        return "--kick-cost-ns models an exit with a spin; --guest kvm takes real exits: leave it at 0";
    if (c.drop_call > 0 && c.call_path != CallPath::irqfd)
        return "--inject drop-call needs --call irqfd (a polling guest takes no calls)";
    if (c.drop_kick > 0 && !notify) return "--inject drop-kick needs --notify flags or event-idx";
    if (uses_chain_path(c))
        return "--guest kvm runs one direct descriptor per buffer, completed in order: --sg 1, --indirect off, "
               "--completion in-order";
    if (c.device_extra_ns != 0) return "the calibration's planted device delay does not run with --guest kvm";
    return {};
}

}  // namespace ringlab::guest
