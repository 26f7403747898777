// guest_api.cpp: `ringlab run --guest kvm` on x86_64: validation, CPU choice, the
// floor and the same run's exit cost, then the layout's GuestRun.

#include "config/axes.hpp"
#include "engine/engine.hpp"
#include "guest/guest.hpp"
#include "guest/x86_64/boundary.hpp"
#include "guest/x86_64/guest_dispatch.hpp"
#include "ringsim/clock.hpp"

namespace ringlab::guest {

GuestRunResult run_guest(const ValidConfig& in) {
    if (in.config().host != HostKind::kvm) throw std::invalid_argument("run_guest: the configuration's host is not kvm");
    KvmProbe probe = probe_kvm();
    if (!probe.usable) throw GuestUnavailable(probe.reason);
    RunConfig cfg = prepare_run(in);
    const auto& clk = ringsim::clock::info();

    // The same run's exit cost for the kick and call paths in use, like the floor.
    ExitCostResult ec;
    const bool notify = cfg.notify != ringsim::NotifyMode::poll;
    if (cfg.exitcost_iterations && notify) {
        ExitCostOptions o;
        o.vcpu_cpu = cfg.driver_cpu;
        o.device_cpu = cfg.device_cpu;
        o.iterations = cfg.exitcost_iterations;
        o.rounds = 1;
        const bool mmio = cfg.doorbell == Doorbell::mmio;
        o.kinds.push_back(cfg.kick_path == KickPath::exit ? (mmio ? "mmio" : "pio") : (mmio ? "ioeventfd-mmio" : "ioeventfd-pio"));
        if (cfg.call_path == CallPath::irqfd) o.kinds.push_back("irqfd-hlt-wake");
        ec = measure_exitcost(o);
    }
    const bool floor = cfg.measure_floor && cfg.driver_cpu != cfg.device_cpu;
    std::optional<double> floor_before;
    if (floor) floor_before = measure_pingpong(cfg.driver_cpu, cfg.device_cpu, 20000).median_ns;

    GuestRunResult r;
    if (cfg.layout == "split") r = x86::run_guest_split(cfg, clk.hz);
    else if (cfg.layout == "split-inorder") r = x86::run_guest_split_inorder(cfg, clk.hz);
    else if (cfg.layout == "packed") r = x86::run_guest_packed(cfg, clk.hz);
    else if (cfg.layout == "packed-inorder") r = x86::run_guest_packed_inorder(cfg, clk.hz);
    else r = x86::run_guest_index(cfg, clk.hz);
    if (floor) {
        r.run.floor_before_ns = floor_before;
        r.run.floor_after_ns = measure_pingpong(cfg.driver_cpu, cfg.device_cpu, 20000).median_ns;
    }
    r.run.timer_name = clk.name;
    r.run.timer_core_cycles = clk.core_cycles;
    r.run.timer_resolution_ticks = clk.resolution_ticks;
    r.guest.boundary = x86::boundary_sentence();
    r.guest.kick = kick_path_name(cfg.kick_path);
    r.guest.call = call_path_name(cfg.call_path);
    r.guest.doorbell = doorbell_name(cfg.doorbell);
    r.guest.exitcost = ec.kinds;
    r.guest.tsc = ec.tsc;
    return r;
}

}  // namespace ringlab::guest
