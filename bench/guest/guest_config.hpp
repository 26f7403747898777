// guest_config.hpp: which RunConfigs the KVM guest runs, in one place: a rule of the
// configuration table (config/axes.cpp), so the command line, the sweep's pruning and
// ValidConfig::check all ask guest_config_problem().
// Header-only and architecture-independent, so the sweep's spec library (which does
// not link the guest) prunes with the same sentences.
//
// The sentences are in field terms with {field} marks, as the configuration table's
// rules (config/axes.hpp): every caller passes them through config::render() with its
// own spelling (flags on the command line, field names for specs, results and the
// engine).
#pragma once

#include <string>

#include "engine/run_config.hpp"

namespace ringlab::guest {

// Empty if the guest fields of c are consistent (and, for host kvm, runnable by the
// guest); else one sentence naming the problem and the valid values, with {field} marks.
inline std::string guest_config_problem(const RunConfig& c) {
    const RunConfig d;  // the defaults
    if (c.host == HostKind::thread) {
        if (c.kick_path != d.kick_path) return "{kick} applies to {guest} kvm only";
        if (c.call_path != d.call_path) return "{call} applies to {guest} kvm only";
        if (c.doorbell != d.doorbell) return "{doorbell} applies to {guest} kvm only";
        if (c.guest_barriers != d.guest_barriers) return "{guest_barriers} applies to {guest} kvm only";
        if (c.vcpus != d.vcpus) return "{vcpus} applies to {guest} kvm only";
        return {};
    }
    const bool notify = c.notify != ringsim::NotifyMode::poll;
    if (c.call_path == CallPath::irqfd && !notify)
        return "{call} irqfd needs notifications ({notify} flags or event-idx): with {notify} poll the device never "
               "calls";
    // Each vCPU is one submitter (seed 002 inside the guest): the threads engine's
    // submitters with vCPUs for threads.  The range of vcpus (1..2) is the field's own.
    if (c.submitters != c.vcpus)
        return "{guest} kvm runs one submitter per vCPU: {submitters} must equal {vcpus}, both 1 or both 2 (now "
               "{submitters} " + std::to_string(c.submitters) + ", {vcpus} " + std::to_string(c.vcpus) + ")";
    // A UP guest changes smp_* only; branch and ops pick smp or mandatory at run time,
    // a kernel-build question this model does not answer.
    if (c.guest_barriers == GuestBarriers::up && (c.barrier == "branch" || c.barrier == "ops"))
        return "{guest_barriers} up applies to {barrier} smp (whose smp_mb becomes a compiler barrier) and leaves "
               "compiler, virt, dma, mandatory, acqrel and acqrel-seqcst as they are; branch and ops are not modelled";
    // A kernel built without CONFIG_SMP runs on one CPU.
    if (c.guest_barriers == GuestBarriers::up && c.vcpus != 1)
        return "{guest_barriers} up is a uniprocessor guest (Linux without CONFIG_SMP): it needs {vcpus} 1";
    if (c.kick_cost_ns != 0)
        return "{kick_cost_ns} models an exit with a spin; {guest} kvm takes real exits: leave it at 0";
    if (c.drop_call > 0 && c.call_path != CallPath::irqfd)
        return "{inject} drop-call needs {call} irqfd (a polling guest takes no calls)";
    if (c.drop_kick > 0 && !notify) return "{inject} drop-kick needs {notify} flags or event-idx";
    if (uses_chain_path(c))
        return "{guest} kvm runs one direct descriptor per buffer, completed in order: {sg} 1, {indirect} off, "
               "{completion} in-order";
    if (c.device_extra_ns != 0) return "the calibration's planted device delay does not run with {guest} kvm";
    return {};
}

}  // namespace ringlab::guest
