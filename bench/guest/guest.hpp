// guest.hpp: ringlab's KVM guest, the face the CLI and the sweep see.
//
// x86_64 implements it under x86_64/; other architectures get unsupported.cpp,
// whose functions throw GuestUnavailable naming what is missing (see the README
// for what aarch64 needs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "engine/run_config.hpp"
#include "engine/run_result.hpp"
#include "guest/guest_config.hpp"
#include "guest/kvm_access.hpp"

namespace ringlab::guest {

// ---- ringlab exitcost: the boundary alone ----
struct ExitCostOptions {
    int vcpu_cpu = -1, device_cpu = -1;  // -1: not pinned
    std::uint32_t iterations = 2000;     // samples per kind, taken in interleaved rounds
    std::uint32_t rounds = 4;
    std::vector<std::string> kinds;      // empty: all of exit_kinds()
    std::uint32_t watchdog_ms = 30000;   // the whole measurement's bound
};

struct ExitKindCost {
    std::string kind, what;
    std::uint64_t samples = 0;
    double p50_ns = 0, p99_ns = 0, min_ns = 0, mean_ns = 0, max_ns = 0;
};

// Guest TSC against the host's, by a ping-pong through guest memory at the start and
// the end: offset = guest - host, to within half the best round trip.
struct TscCheck {
    double offset_start_ns = 0, offset_end_ns = 0, uncertainty_ns = 0;
    bool same_rate = false;
    std::string sentence;
};

struct ExitCostResult {
    std::vector<ExitKindCost> kinds;
    TscCheck tsc;
    double timer_hz = 0;
    std::uint64_t halts = 0, halts_skipped = 0, irqs = 0;
    std::uint64_t user_exits_io = 0, user_exits_mmio = 0;
    std::string boundary;  // how the guest runs here (hardware virtualization or PVM), one sentence
};

// Every kind exitcost knows, with what each measures.
std::vector<std::pair<std::string, std::string>> exit_kinds();

ExitCostResult measure_exitcost(const ExitCostOptions& o);

// ---- ringlab run --guest kvm ----
// The guest's selection lives in RunConfig (host, kick_path, call_path, doorbell,
// guest_barriers, vcpus, exitcost_iterations; engine/run_config.hpp), so the command
// line, the sweep and `ringlab answer` describe a guest run as they describe any other.

// One vCPU of a guest run: where it ran and its own share of the run (its results area).
struct VcpuFacts {
    int index = 0, cpu = -1, apic_id = 0;
    bool takes_calls = false;  // the call interrupt's destination (vCPU 0 with --call irqfd)
    std::uint64_t doorbells = 0, kicks = 0, exits_io = 0, exits_mmio = 0;
    std::uint64_t yields = 0;  // the submit lock's yield exits (guest_lock.hpp)
    std::uint64_t lock_acquisitions = 0, lock_contentions = 0;
    double lock_hold_mean_ns = 0, lock_hold_max_ns = 0, lock_wait_mean_ns = 0, lock_wait_max_ns = 0;
};

// What a guest run adds to the engine's result.
struct GuestFacts {
    std::string boundary;
    std::string kick, call, doorbell;
    // Exits that reached ringlab (user space), by kind, over the whole run.
    std::uint64_t exits_io = 0, exits_mmio = 0, exits_intr = 0;
    // Counted by the guest and its stubs (the results page): doorbell writes, call
    // interrupts taken, hlt executed, halts skipped because a call had already come.
    std::uint64_t doorbells = 0, irqs = 0, halts = 0, halts_skipped = 0, kicks_dropped = 0;
    // The same run's exit cost for this kick and call path (ringlab exitcost, short).
    std::vector<ExitKindCost> exitcost;
    TscCheck tsc;
    std::vector<VcpuFacts> vcpus;  // one per vCPU, in index order
};

struct GuestRunResult {
    RunResult run;
    GuestFacts guest;
};

// The driver in the guest's vCPUs (each pinned to cfg.driver_cpu; with cfg.vcpus 2 both
// share the ring under the submit lock), the device a host thread on cfg.device_cpu.
// Throws GuestUnavailable (no KVM: exit 2) or GuestFailure (the guest ended badly: exit 1).
// Its guest fields were checked with the rest (guest_config_problem() is a rule of the
// configuration table); a host other than kvm is a caller's bug (std::invalid_argument).
GuestRunResult run_guest(const ValidConfig& cfg);
// For tests: ValidConfig::check (std::invalid_argument), then the run.
inline GuestRunResult run_guest(const RunConfig& cfg) { return run_guest(ValidConfig::check(cfg)); }

// One configuration wherever cfg.host says: the engine's threads (run_engine) or the
// guest (run_guest, its GuestFacts into *facts when given).  The sweep and the answer
// runner call this instead of run_engine.  Throws as run_guest does.
RunResult run_configuration(const ValidConfig& cfg, GuestFacts* facts = nullptr);
// For callers that build a configuration per run (the answer's slices): check, then run.
inline RunResult run_configuration(const RunConfig& cfg, GuestFacts* facts = nullptr) {
    return run_configuration(ValidConfig::check(cfg), facts);
}

}  // namespace ringlab::guest
