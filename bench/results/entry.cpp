// entry.cpp: RunResult -> SCHEMA.md counters and entry.ringlab, and a single run's entry.
#include "results/entry.hpp"
#include "config/axes.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace ringlab::results {

const char* notify_name(ringsim::NotifyMode m) { return ringsim::notify_mode_name(m).data(); }  // literals: NUL-terminated
const char* wait_name(WaitMode m) {
    switch (m) {
        case WaitMode::spin: return "spin";
        case WaitMode::sleep: return "sleep";
        case WaitMode::hybrid: return "hybrid";
    }
    return "unknown";
}
const char* kick_mode_name(KickMode m) { return m == KickMode::unlocked ? "unlocked" : "under-lock"; }
const char* device_access_name(DeviceAccess m) { return m == DeviceAccess::barrier ? "barrier" : "relaxed"; }

nlohmann::json Nulls::number(const std::string& field, std::optional<double> v, const std::string& reason) {
    if (v && std::isfinite(*v)) return *v;
    // A value that exists but is not finite is a bug upstream: say so rather than hide it.
    j_[field] = v ? "not finite (" + std::string(std::isnan(*v) ? "NaN" : "Infinity") + "): " + reason : reason;
    return nullptr;
}

namespace {

std::optional<double> per_buffer(double v, std::uint64_t buffers) {
    if (buffers == 0) return std::nullopt;
    return v / double(buffers);
}

// The thread CPU clocks cannot both read 0 over a window that moved buffers.
bool cpu_measured(const RoleStats& s) { return s.cpu_ns > 0; }

nlohmann::json duration_json(const DurationStats& d) {
    return {{"count", d.count}, {"min_ns", d.min_ns}, {"max_ns", d.max_ns}, {"total_ns", d.total_ns},
            {"mean_ns", d.mean_ns()}};
}

nlohmann::json role_json(const RoleStats& s) {
    auto opt = [](const std::optional<std::uint64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    return {{"cpu_ns", s.cpu_ns},
            {"notifications", s.notifications},
            {"suppressed", s.suppressed},
            {"sleeps", s.sleeps},
            {"spurious_wakeups", s.spurious_wakeups},
            {"involuntary_switches", opt(s.involuntary_switches)},
            {"runqueue_wait_ns", opt(s.runqueue_wait_ns)},
            {"steal_ns", opt(s.steal_ns)},
            {"contended", s.contended}};
}

}  // namespace

nlohmann::json export_counters(const RunResult& r, const EntryExtras& x, Nulls& nulls) {
    nlohmann::json c = nlohmann::json::object();
    const auto b = r.buffers;
    const std::string no_buffers = "no buffers completed in the timed window";

    c["ns_per_buffer"] = nulls.number("ns_per_buffer", b ? std::optional(r.ns_per_buffer()) : std::nullopt, no_buffers);
    c["cycles_per_buffer"] =
        nulls.number("cycles_per_buffer", b ? std::optional(r.ticks_per_buffer()) : std::nullopt, no_buffers);
    c["buffers_per_second"] = nulls.number(
        "buffers_per_second", r.seconds > 0 ? std::optional(double(b) / r.seconds) : std::nullopt,
        "the timed window has zero length");

    const std::string no_cpu = "thread CPU clock read 0 (not measured)";
    auto cpu_pb = [&](const RoleStats& s) {
        return cpu_measured(s) ? per_buffer(double(s.cpu_ns), b) : std::nullopt;
    };
    c["driver_cpu_ns_per_buffer"] = nulls.number("driver_cpu_ns_per_buffer", cpu_pb(r.driver), b ? no_cpu : no_buffers);
    c["device_cpu_ns_per_buffer"] = nulls.number("device_cpu_ns_per_buffer", cpu_pb(r.device), b ? no_cpu : no_buffers);
    c["cpu_ns_per_buffer"] = nulls.number(
        "cpu_ns_per_buffer",
        cpu_measured(r.driver) && cpu_measured(r.device) ? per_buffer(double(r.driver.cpu_ns + r.device.cpu_ns), b)
                                                         : std::nullopt,
        b ? no_cpu : no_buffers);

    c["kicks_per_buffer"] = nulls.number("kicks_per_buffer", per_buffer(double(r.driver.notifications), b), no_buffers);
    c["calls_per_buffer"] = nulls.number("calls_per_buffer", per_buffer(double(r.device.notifications), b), no_buffers);
    c["suppressed_per_buffer"] = nulls.number(
        "suppressed_per_buffer", per_buffer(double(r.driver.suppressed + r.device.suppressed), b), no_buffers);
    c["sleeps_per_buffer"] =
        nulls.number("sleeps_per_buffer", per_buffer(double(r.driver.sleeps + r.device.sleeps), b), no_buffers);
    c["spurious_wakeups_per_buffer"] = nulls.number(
        "spurious_wakeups_per_buffer",
        per_buffer(double(r.driver.spurious_wakeups + r.device.spurious_wakeups), b), no_buffers);

    const bool lat = r.latency && r.latency->count() > 0;
    const std::string no_lat = r.latency ? "latency mode recorded no samples"
                                         : "latency not measured in this run (throughput mode)";
    auto pct = [&](double p) { return lat ? std::optional(double(r.latency->percentile(p))) : std::nullopt; };
    c["latency_p50_ns"] = nulls.number("latency_p50_ns", pct(0.50), no_lat);
    c["latency_p99_ns"] = nulls.number("latency_p99_ns", pct(0.99), no_lat);
    c["latency_p999_ns"] = nulls.number("latency_p999_ns", pct(0.999), no_lat);
    c["latency_max_ns"] = nulls.number("latency_max_ns", lat ? std::optional(double(r.latency->max())) : std::nullopt, no_lat);

    c["verify_errors"] = r.errors.total();
    c["lost_notifications"] = r.lost_notifications;
    c["floor_rtt_ns"] = nulls.number("floor_rtt_ns", r.floor_rtt_ns(),
                                     r.config.measure_floor ? "the CPU pair's round trip could not be measured"
                                                            : "floor measurement was turned off");
    c["efficiency"] = nulls.number("efficiency", r.efficiency(),
                                   !r.floor_rtt_ns() ? "needs floor_rtt_ns" : "needs completed buffers");

    if (r.config.submitters > 1) {
        c["lock_hold_mean_ns"] = nulls.number(
            "lock_hold_mean_ns", r.lock.hold.count ? std::optional(r.lock.hold.mean_ns()) : std::nullopt,
            "the submitters' lock was never held");
        c["lock_wait_mean_ns"] = nulls.number(
            "lock_wait_mean_ns", r.lock.wait.count ? std::optional(r.lock.wait.mean_ns()) : std::nullopt,
            "the submitters' lock was never waited for");
        c["lock_contentions_per_buffer"] =
            nulls.number("lock_contentions_per_buffer", per_buffer(double(r.lock.contentions), b), no_buffers);
    }

    // Only the counters that counted become flat counters; the rest stay in entry.ringlab.pmu.
    if (x.pmu) add_flat_pmu_counters(c, *x.pmu, b);
    return c;
}

nlohmann::json export_entry_ringlab(const RunResult& r, const EntryExtras& x, Nulls& nulls) {
    nlohmann::json e;
    e["config"] = config::to_json(r.config, x.placement);
    if (r.config.host == HostKind::kvm) e["host"] = "kvm";
    e["cpus"] = {r.config.driver_cpu, r.config.device_cpu};
    if (!x.relation.empty()) e["relation"] = x.relation;
    else {
        e["relation"] = nullptr;
        nulls.add("relation", "CPU topology not available to this command");
    }
    e["valid"] = r.valid;
    e["problems"] = r.problems;
    e["errors"] = {{"lost", r.errors.lost},
                   {"duplicated", r.errors.duplicated},
                   {"out_of_range", r.errors.out_of_range},
                   {"stale", r.errors.stale},
                   {"corrupt", r.errors.corrupt},
                   {"lost_notifications", r.lost_notifications}};
    e["window"] = {{"buffers", r.buffers}, {"seconds", r.seconds}, {"ticks", r.ticks}};
    // A role that lost a share of the window to other work (see engine/interference.hpp).
    e["contended"] = r.contended();
    if (r.config.drop_kick > 0 || r.config.drop_call > 0)
        e["injected"] = {{"dropped_kicks", r.injected.dropped_kicks}, {"dropped_calls", r.injected.dropped_calls},
                         {"detected", r.injected.detected()}, {"masked", r.injected.masked()}};
    e["timer"] = {{"name", r.timer_name}, {"core_cycles", r.timer_core_cycles},
                  {"resolution_ticks", r.timer_resolution_ticks}};
    e["timer"]["freq_hz"] = nulls.number("timer.freq_hz", r.timer_hz > 0 ? std::optional(r.timer_hz) : std::nullopt,
                                         "timer frequency unknown");
    e["roles"] = {{"driver", role_json(r.driver)}, {"device", role_json(r.device)}};
    if (r.config.submitters > 1)
        e["lock"] = {{"acquisitions", r.lock.acquisitions},
                     {"contentions", r.lock.contentions},
                     {"hold", duration_json(r.lock.hold)},
                     {"wait", duration_json(r.lock.wait)}};
    if (!r.watchdog.empty()) {
        nlohmann::json w = nlohmann::json::array();
        for (const auto& ev : r.watchdog)
            w.push_back({{"role", ev.role},
                         {"waited_for", ev.waited_for},
                         {"state", ev.state},
                         {"lost_notification", ev.lost_notification}});
        e["watchdog"] = std::move(w);
    }
    write_pmu_section(e, x.pmu, nulls);
    e["latency_samples"] = r.latency ? r.latency->count() : 0;
    e["latency_sampled_every"] = r.latency_sample_every;
    if (r.floor_before_ns && r.floor_after_ns)
        e["floor"] = {{"before_ns", *r.floor_before_ns}, {"after_ns", *r.floor_after_ns}, {"moved", r.floor_moved()}};
    e["nulls"] = nulls.json();
    return e;
}

nlohmann::json histogram_to_json(const Histogram& h) {
    nlohmann::json b = nlohmann::json::array();
    for (const auto& k : h.buckets()) b.push_back({k.lower, k.upper, k.count});
    nlohmann::json j = {{"unit", "ns"}, {"count", h.count()}, {"buckets", std::move(b)}};
    if (h.count()) {
        j["min"] = h.min();
        j["max"] = h.max();
        j["p50"] = h.percentile(0.5);
        j["p90"] = h.percentile(0.9);
        j["p99"] = h.percentile(0.99);
        j["p999"] = h.percentile(0.999);
    } else {
        for (const char* k : {"min", "max", "p50", "p90", "p99", "p999"}) j[k] = nullptr;
    }
    return j;
}

nlohmann::json single_entry(const RunResult& r, const EntryExtras& x) {
    Nulls nulls;
    auto counters = export_counters(r, x, nulls);
    std::string name = config::benchmark_name(r.config, x.placement);
    // An injected run must never look like a clean one, down to its name.
    if (const std::string inj = config::inject_text(r.config); !inj.empty()) name += "/inject:" + inj;
    nlohmann::json e = {{"name", name},          {"family_index", 0},      {"per_family_instance_index", 0},
                        {"run_name", name},      {"run_type", "iteration"}, {"repetitions", 1},
                        {"repetition_index", 0}, {"threads", 1},           {"iterations", r.buffers}};
    e["real_time"] = counters["ns_per_buffer"].is_number() ? counters["ns_per_buffer"] : nlohmann::json(0.0);
    e["cpu_time"] = counters["cpu_ns_per_buffer"].is_number() ? counters["cpu_ns_per_buffer"] : e["real_time"];
    e["time_unit"] = "ns";
    for (const auto& [k, v] : counters.items()) e[k] = v;
    e["ringlab"] = export_entry_ringlab(r, x, nulls);
    return e;
}

}  // namespace ringlab::results

namespace ringlab::sweep {

SweepConfig config_of(const RunConfig& c, const std::string& placement) {
    SweepConfig s;
    s.run = c;
    s.placement = placement;
    return s;
}

}  // namespace ringlab::sweep
