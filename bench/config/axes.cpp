// axes.cpp: the field table, the combination rules, and what is derived from them.
#include "config/axes.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "guest/guest_config.hpp"
#include "ringsim/barriers.hpp"
#include "ringsim/layouts/all.hpp"

namespace ringlab::config {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

template <class E>
using Words = std::vector<std::pair<E, const char*>>;

const Words<ringsim::NotifyMode> kNotify = {
    {ringsim::NotifyMode::poll, "poll"}, {ringsim::NotifyMode::flags, "flags"}, {ringsim::NotifyMode::event_idx, "event-idx"}};
const Words<WaitMode> kWait = {{WaitMode::spin, "spin"}, {WaitMode::sleep, "sleep"}, {WaitMode::hybrid, "hybrid"}};
const Words<KickMode> kKickMode = {{KickMode::under_lock, "under-lock"}, {KickMode::unlocked, "unlocked"}};
const Words<DeviceAccess> kDeviceAccess = {{DeviceAccess::relaxed, "relaxed"}, {DeviceAccess::barrier, "barrier"}};
const Words<LatencyMode> kLatency = {{LatencyMode::automatic, "auto"}, {LatencyMode::on, "on"}, {LatencyMode::off, "off"}};
const Words<VerifyMode> kVerify = {{VerifyMode::full, "full"}, {VerifyMode::ring, "ring"}};
const Words<HostKind> kHost = {{HostKind::thread, "thread"}, {HostKind::kvm, "kvm"}};
const Words<KickPath> kKickPath = {{KickPath::ioeventfd, "ioeventfd"}, {KickPath::exit, "exit"}};
const Words<CallPath> kCallPath = {{CallPath::poll, "poll"}, {CallPath::irqfd, "irqfd"}};
const Words<Doorbell> kDoorbell = {{Doorbell::pio, "pio"}, {Doorbell::mmio, "mmio"}};
const Words<GuestBarriers> kGuestBarriers = {{GuestBarriers::smp, "smp"}, {GuestBarriers::up, "up"}};

template <class E>
const char* word_of(const Words<E>& w, E v) {
    for (const auto& [e, s] : w)
        if (e == v) return s;
    return "unknown";
}

const std::vector<std::string> kLayouts = {"split", "split-inorder", "packed", "index", "packed-inorder"};

std::vector<std::string> barrier_words() {
    std::vector<std::string> v;
    for (auto n : ringsim::kBarrierNames) v.emplace_back(n);
    return v;
}

std::string not_valid(const std::string& name, const std::string& text, const std::string& range) {
    return "{" + name + "} '" + text + "' is not valid (" + range + ")";
}

// An unsigned integer: digits only, then the range, then the field's own condition.
std::string parse_uint(const std::string& name, const std::string& text, std::uint64_t lo, std::uint64_t hi,
                       const std::string& range, bool (*ok)(std::uint64_t), std::uint64_t& out) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return not_valid(name, text, range);
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE || v < lo || v > hi) return "{" + name + "} " + text + " is out of range (" + range + ")";
    if (ok && !ok(v)) return "{" + name + "} " + text + " is not valid (" + range + ")";
    out = v;
    return {};
}

template <class T>
Field integer(std::string name, T RunConfig::*m, std::uint64_t lo, std::uint64_t hi, std::string range,
              std::string help, bool (*ok)(std::uint64_t) = nullptr) {
    Field f;
    f.name = name;
    f.kind = Kind::integer;
    f.range = range;
    f.help = std::move(help);
    f.parse = [name, m, lo, hi, range, ok](RunConfig& c, const std::string& t) {
        std::uint64_t v = 0;
        std::string err = parse_uint(name, t, lo, hi, range, ok, v);
        if (err.empty()) c.*m = static_cast<T>(v);
        return err;
    };
    f.print = [m](const RunConfig& c) { return std::to_string(c.*m); };
    f.copy = [m](RunConfig& d, const RunConfig& s) { d.*m = s.*m; };
    f.json = [m](const RunConfig& c) { return nlohmann::json(c.*m); };
    return f;
}

template <class E>
Field enumerated(std::string name, E RunConfig::*m, const Words<E>& w, std::string help) {
    Field f;
    f.name = name;
    f.kind = Kind::word;
    for (const auto& p : w) f.words.emplace_back(p.second);
    f.range = "valid values: " + join(f.words);
    f.help = std::move(help);
    f.parse = [name, m, &w, range = f.range](RunConfig& c, const std::string& t) -> std::string {
        for (const auto& [e, s] : w)
            if (t == s) {
                c.*m = e;
                return {};
            }
        return not_valid(name, t, range);
    };
    f.print = [m, &w](const RunConfig& c) { return std::string(word_of(w, c.*m)); };
    f.copy = [m](RunConfig& d, const RunConfig& s) { d.*m = s.*m; };
    f.json = [m, &w](const RunConfig& c) { return nlohmann::json(word_of(w, c.*m)); };
    return f;
}

Field word(std::string name, std::string RunConfig::*m, std::vector<std::string> words, std::string help) {
    Field f;
    f.name = name;
    f.kind = Kind::word;
    f.words = std::move(words);
    f.range = "valid values: " + join(f.words);
    f.help = std::move(help);
    f.parse = [name, m, words = f.words, range = f.range](RunConfig& c, const std::string& t) -> std::string {
        if (std::find(words.begin(), words.end(), t) == words.end()) return not_valid(name, t, range);
        c.*m = t;
        return {};
    };
    f.print = [m](const RunConfig& c) { return c.*m; };
    f.copy = [m](RunConfig& d, const RunConfig& s) { d.*m = s.*m; };
    f.json = [m](const RunConfig& c) { return nlohmann::json(c.*m); };
    return f;
}

Field toggle(std::string name, bool RunConfig::*m, std::string help) {
    Field f;
    f.name = name;
    f.kind = Kind::toggle;
    f.words = {"false", "true"};
    f.range = "true or false";
    f.help = std::move(help);
    f.parse = [name, m](RunConfig& c, const std::string& t) -> std::string {
        if (t != "true" && t != "false") return not_valid(name, t, "true or false");
        c.*m = t == "true";
        return {};
    };
    f.print = [m](const RunConfig& c) { return std::string(c.*m ? "true" : "false"); };
    f.copy = [m](RunConfig& d, const RunConfig& s) { d.*m = s.*m; };
    f.json = [m](const RunConfig& c) { return nlohmann::json(c.*m); };
    return f;
}

Field& cli(Field& f, std::string flag, std::string metavar) {
    f.flag = std::move(flag);
    f.metavar = std::move(metavar);
    return f;
}

Field& axis(Field& f, std::string short_name, bool always = false) {
    f.short_name = std::move(short_name);
    f.always_in_name = always;
    f.in_json = true;
    return f;
}

bool power_of_two(std::uint64_t v) { return v && !(v & (v - 1)); }
bool multiple_of_8(std::uint64_t v) { return v % 8 == 0; }
bool cache_line_size(std::uint64_t v) { return v == 64 || v == 128; }

// --indirect off|on|auto[=K]
std::string parse_indirect(RunConfig& c, const std::string& v) {
    const std::string bad = not_valid("indirect", v, "valid values: off, on, auto, auto=K with K from 0 to 16");
    if (v == "off") c.indirect = IndirectMode::off;
    else if (v == "on") c.indirect = IndirectMode::on;
    else if (v == "auto") { c.indirect = IndirectMode::automatic; c.indirect_above = 1; }
    else if (v.rfind("auto=", 0) == 0) {
        const std::string k = v.substr(5);
        if (k.empty() || k.size() > 2 || k.find_first_not_of("0123456789") != std::string::npos) return bad;
        const unsigned long n = std::stoul(k);  // at most two digits
        if (n > ringsim::kMaxChain) return bad;
        c.indirect = IndirectMode::automatic;
        c.indirect_above = std::uint32_t(n);
    } else {
        return bad;
    }
    return {};
}

// --completion in-order|reverse|random[:SEED]
std::string parse_completion(RunConfig& c, const std::string& v) {
    const std::string bad =
        not_valid("completion", v, "valid values: in-order, reverse, random, random:SEED with SEED from 1 to 2^63");
    if (v == "in-order") c.completion = Completion::in_order;
    else if (v == "reverse") c.completion = Completion::reverse;
    else if (v == "random") { c.completion = Completion::random; c.completion_seed = 1; }
    else if (v.rfind("random:", 0) == 0) {
        const std::string k = v.substr(7);
        if (k.empty() || k.size() > 19 || k.find_first_not_of("0123456789") != std::string::npos) return bad;
        const unsigned long long n = std::stoull(k);  // at most 19 digits: fits
        if (n < 1 || n > (1ull << 63)) return bad;
        c.completion = Completion::random;
        c.completion_seed = n;
    } else {
        return bad;
    }
    return {};
}

// --inject drop-kick=P[,drop-call=P]
std::string parse_inject(RunConfig& c, const std::string& spec) {
    double kick = 0, call = 0;
    std::size_t pos = 0;
    while (pos <= spec.size()) {
        auto comma = spec.find(',', pos);
        std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        auto eq = item.find('=');
        std::string key = item.substr(0, eq);
        if (eq == std::string::npos || (key != "drop-kick" && key != "drop-call"))
            return "{inject} '" + item + "' is not valid (valid: drop-kick=P, drop-call=P with P in 0..1)";
        char* end = nullptr;
        std::string val = item.substr(eq + 1);
        double p = std::strtod(val.c_str(), &end);
        if (val.empty() || *end || !std::isfinite(p) || p < 0 || p > 1)
            return "{inject} " + key + " probability '" + val + "' is not valid (a number from 0 to 1)";
        (key == "drop-kick" ? kick : call) = p;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    c.drop_kick = kick;
    c.drop_call = call;
    return {};
}

std::string parse_duration(RunConfig& c, const std::string& t) {
    const std::string range = "a number from 0.001 to 3600";
    char* end = nullptr;
    const double x = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || !std::isfinite(x)) return not_valid("duration_s", t, range);
    // No 0: it would quietly mean "count buffers"; leave the duration out for that.
    if (x < limits::kMinDurationS || x > limits::kMaxDurationS)
        return "{duration_s} " + t + " is out of range (" + range + ")";
    c.duration_s = x;
    return {};
}

std::string print_double(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

bool layout_supports_notify(const std::string& layout, ringsim::NotifyMode m) {
    using B = ringsim::SmpBarrier;
    if (layout == "split") return ringsim::SplitRing<B>::supports_notify(m);
    if (layout == "split-inorder") return ringsim::SplitInOrderRing<B>::supports_notify(m);
    if (layout == "packed") return ringsim::PackedRing<B>::supports_notify(m);
    if (layout == "packed-inorder") return ringsim::PackedInOrderRing<B>::supports_notify(m);
    if (layout == "index") return ringsim::IndexRing<B>::supports_notify(m);
    return false;
}

std::vector<Field> make_fields() {
    std::vector<Field> v;
    auto add = [&](Field f) -> Field& { return v.emplace_back(std::move(f)); };
    // --- The sweep's axes, in the order benchmark names carry them.
    axis(cli(add(word("layout", &RunConfig::layout, kLayouts,
                      "the ring's memory layout (virtio 1.x split or packed, in-order variants, a plain index ring)")),
             "layout", "L"),
         "layout", true);
    axis(cli(add(word("barrier", &RunConfig::barrier, barrier_words(), "the barrier policy at every site (see ringlab list)")),
             "barrier", "B"),
         "barrier", true);
    axis(cli(add(enumerated("notify", &RunConfig::notify, kNotify, "how a side asks to be notified")), "notify", "M"),
         "notify", true);
    axis(cli(add(integer("batch", &RunConfig::batch, 1, limits::kMaxRingSize, "an integer from 1 to 32768, at most ring_size",
                         "buffers per publish step")),
             "batch", "N"),
         "batch", true);
    axis(cli(add(integer("ring_size", &RunConfig::ring_size, 2, limits::kMaxRingSize, "a power of two from 2 to 32768",
                         "queue size", power_of_two)),
             "ring-size", "N"),
         "ring", true);
    {
        Field p;
        p.name = "placement";
        p.kind = Kind::word;
        p.words = placement_values();
        p.range = "valid values: " + join(p.words);
        p.help = "which CPU pair: auto (the engine's default pair), all (every relation this machine has) or a relation";
        axis(add(std::move(p)), "placement", true);
    }
    axis(cli(add(enumerated("wait", &RunConfig::wait, kWait, "what an idle side does once notifications are on")), "wait", "W"),
         "wait");
    axis(cli(add(integer("outstanding", &RunConfig::outstanding, 0, limits::kMaxRingSize,
                         "0 (= ring size) or an integer from batch to ring_size",
                         "buffers in flight at most (1 = round-trip latency)")),
             "outstanding", "K"),
         "outstanding");
    axis(cli(add(integer("kick_cost_ns", &RunConfig::kick_cost_ns, 0, limits::kMaxKickCostNs,
                         "an integer from 0 to 10000000",
                         "modelled cost of every kick and call in ns (a VM exit is ~1000-5000 ns)")),
             "kick-cost-ns", "N"),
         "kick_ns");
    axis(cli(add(integer("submitters", &RunConfig::submitters, 1, limits::kMaxSubmitters, "an integer from 1 to 64",
                         "driver threads sharing one lock around add+kick")),
             "submitters", "K"),
         "submitters");
    {
        Field& k = add(enumerated("kick_mode", &RunConfig::kick_mode, kKickMode,
                                  "with submitters: hold the lock through the kick, or release it around the kick"));
        k.switches = {{"kick-under-lock", "under-lock", "with --submitters: hold the lock through the kick (default)"},
                      {"kick-unlocked", "unlocked", "with --submitters: release the lock around the kick (seed 002, docs/questions.md)"}};
        axis(k, "kick_mode");
    }
    axis(cli(add(enumerated("device_access", &RunConfig::device_access, kDeviceAccess,
                            "barrier: a full barrier before every payload access (seed 003, docs/questions.md)")),
             "device-access", "M"),
         "device_access");
    axis(cli(add(integer("payload_bytes", &RunConfig::payload_bytes, 0, limits::kMaxPayloadBytes,
                         "a multiple of 8 from 0 to 4096", "verified payload per buffer in bytes", multiple_of_8)),
             "payload", "BYTES"),
         "payload");
    axis(cli(add(integer("cache_line", &RunConfig::cache_line, 64, 128, "64 or 128", "alignment of shared areas",
                         cache_line_size)),
             "cache-line", "N"),
         "cache_line");
    axis(cli(add(word("runtime_barrier", &RunConfig::runtime_barrier, {"smp", "mandatory"},
                      "what barrier branch and ops choose at run time")),
             "runtime-barrier", "B"),
         "runtime");
    axis(cli(add(integer("sg", &RunConfig::sg, 1, ringsim::kMaxChain, "an integer from 1 to 16",
                         "descriptors per buffer: N-1 device-readable, the last device-writable")),
             "sg", "N"),
         "sg");
    {
        Field f;
        f.name = "indirect";
        f.kind = Kind::text;
        f.words = {"off", "on", "auto"};
        f.range = "valid values: off, on, auto, auto=K with K from 0 to 16";
        f.help = "the chain in a preallocated indirect table (auto: when sg > K, default K 1)";
        f.parse = parse_indirect;
        f.print = [](const RunConfig& c) { return indirect_name(c); };
        f.copy = [](RunConfig& d, const RunConfig& s) { d.indirect = s.indirect; d.indirect_above = s.indirect_above; };
        f.json = [](const RunConfig& c) { return nlohmann::json(indirect_name(c)); };
        axis(cli(add(std::move(f)), "indirect", "MODE"), "indirect");
    }
    {
        Field f;
        f.name = "completion";
        f.kind = Kind::text;
        f.words = {"in-order", "reverse", "random"};
        f.range = "valid values: in-order, reverse, random, random:SEED with SEED from 1 to 2^63";
        f.help = "completion order within a device batch";
        f.parse = parse_completion;
        f.print = [](const RunConfig& c) { return completion_name(c); };
        f.copy = [](RunConfig& d, const RunConfig& s) { d.completion = s.completion; d.completion_seed = s.completion_seed; };
        f.json = [](const RunConfig& c) { return nlohmann::json(completion_name(c)); };
        axis(cli(add(std::move(f)), "completion", "ORDER"), "completion");
    }
    // --- The VM boundary (bench/guest/): the driver inside a KVM guest.  The results carry
    // `guest` always and the guest's own fields for guest runs only.
    axis(cli(add(enumerated("guest", &RunConfig::host, kHost,
                            "where the driver runs: a host thread, or inside a KVM guest vCPU")),
             "guest", "G"),
         "guest");
    auto kvm_only = [](Field& f) {
        auto word = f.json;
        f.json = [word](const RunConfig& c) { return c.host == HostKind::kvm ? word(c) : nlohmann::json(); };
        return std::ref(f);
    };
    axis(kvm_only(cli(add(enumerated("kick", &RunConfig::kick_path, kKickPath,
                                     "guest kvm: ioeventfd (the kernel signals the device) or exit (to user space)")),
                      "kick", "K")),
         "kick");
    axis(kvm_only(cli(add(enumerated("call", &RunConfig::call_path, kCallPath,
                                     "guest kvm: poll, or irqfd (the guest halts, the call is an interrupt)")),
                      "call", "C")),
         "call");
    axis(kvm_only(cli(add(enumerated("doorbell", &RunConfig::doorbell, kDoorbell, "guest kvm: an I/O port or an MMIO page")),
                      "doorbell", "D")),
         "doorbell");
    axis(kvm_only(cli(add(enumerated("guest_barriers", &RunConfig::guest_barriers, kGuestBarriers,
                                     "guest kvm: smp, or up (the guest's smp_* are compiler barriers, Linux without "
                                     "CONFIG_SMP; seed 004)")),
                      "guest-barriers", "B")),
         "guest_barriers");
    axis(kvm_only(cli(add(integer("vcpus", &RunConfig::vcpus, 1, 2, "an integer from 1 to 2",
                                  "guest kvm: vCPUs, each a submitter (set submitters to the same number)")),
                      "vcpus", "N")),
         "vcpus");
    cli(add(integer("exitcost_iterations", &RunConfig::exitcost_iterations, 0, 100000, "an integer from 0 to 100000",
                    "guest kvm: samples of the same run's exit cost (0 = skip)")),
        "exitcost-iterations", "N");
    // --- Settings of one run (the sweep's are SweepSettings: they change how long, not what).
    {
        Field& f = cli(add(enumerated("verify", &RunConfig::verify, kVerify,
                                      "full: seq + checksum in every buffer, device answers; ring: descriptors only, "
                                      "buffers untouched (as Linux ringtest)")),
                       "verify", "MODE");
        f.in_json = true;
    }
    {
        Field f;
        f.name = "inject";
        f.kind = Kind::text;
        f.range = "drop-kick=P, drop-call=P with P in 0..1";
        f.help = "drop notifications on purpose (drop-kick=P[,drop-call=P])";
        f.unset_default = true;
        f.parse = parse_inject;
        f.print = inject_text;
        f.copy = [](RunConfig& d, const RunConfig& s) { d.drop_kick = s.drop_kick; d.drop_call = s.drop_call; };
        f.json = [](const RunConfig& c) { return nlohmann::json(inject_text(c)); };
        f.in_json = true;
        cli(add(std::move(f)), "inject", "SPEC");
    }
    cli(add(integer("spin_ns", &RunConfig::spin_ns, 0, limits::kMaxSpinNs, "an integer from 0 to 1000000000",
                    "hybrid: spin this long before sleeping")),
        "spin-ns", "N");
    cli(add(integer("buffers", &RunConfig::buffers, 1, 1ull << 40, "an integer from 1 to 1099511627776 (2^40)",
                    "buffers in the timed window")),
        "buffers", "N");
    {
        Field f;
        f.name = "duration_s";
        f.kind = Kind::number;
        f.range = "a number from 0.001 to 3600";
        f.help = "timed window in seconds instead of buffers (0 = count buffers)";
        f.unset_default = true;
        f.parse = parse_duration;
        f.print = [](const RunConfig& c) { return c.duration_s == 0 ? std::string("0") : print_double(c.duration_s); };
        f.copy = [](RunConfig& d, const RunConfig& s) { d.duration_s = s.duration_s; };
        f.json = [](const RunConfig& c) { return nlohmann::json(c.duration_s); };
        cli(add(std::move(f)), "duration", "S");
    }
    cli(add(integer("warmup_buffers", &RunConfig::warmup_buffers, 0, 1ull << 40,
                    "an integer from 0 (automatic: max(20000, 16 x ring size)) to 2^40", "buffers before the window")),
        "warmup", "N");
    {
        Field f;
        f.name = "cpus";
        f.kind = Kind::text;
        f.range = "two CPU numbers: DRIVER,DEVICE, e.g. 0,1";
        f.help = "driver CPU, device CPU (default: two distinct online CPUs)";
        f.unset_default = true;
        f.parse = [](RunConfig& c, const std::string& t) { return parse_cpu_pair(t, c.driver_cpu, c.device_cpu); };
        f.print = [](const RunConfig& c) {
            return c.driver_cpu < 0 || c.device_cpu < 0
                       ? std::string()
                       : std::to_string(c.driver_cpu) + "," + std::to_string(c.device_cpu);
        };
        f.copy = [](RunConfig& d, const RunConfig& s) { d.driver_cpu = s.driver_cpu; d.device_cpu = s.device_cpu; };
        f.json = [](const RunConfig& c) { return nlohmann::json{c.driver_cpu, c.device_cpu}; };
        cli(add(std::move(f)), "cpus", "A,B");
    }
    {
        Field& f = add(toggle("allow_same_cpu", &RunConfig::allow_same_cpu, "allow driver and device on one CPU"));
        f.switches = {{"allow-same-cpu", "true", "allow driver and device on one CPU"}};
    }
    cli(add(integer("watchdog_ms", &RunConfig::watchdog_ms, limits::kMinWatchdogMs, limits::kMaxWatchdogMs,
                    "an integer from 10 to 600000", "report a side stuck this long (ms)")),
        "watchdog-ms", "N");
    cli(add(enumerated("latency", &RunConfig::latency, kLatency,
                       "record round trips (auto: on when outstanding is 1; above 1, 1 buffer in 64 is sampled)")),
        "latency", "MODE");
    add(integer("device_extra_ns", &RunConfig::device_extra_ns, 0, 1'000'000, "an integer from 0 to 1000000",
                "calibration only: the device spins this long per buffer (answer --calibrate)"));
    {
        Field& f = add(toggle("measure_floor", &RunConfig::measure_floor, "measure the CPU pair's cache-line round trip"));
        f.switches = {{"no-floor", "false", "skip the cache-line round-trip measurement"}};
    }
    {
        Field& f = add(toggle("verbose", &RunConfig::verbose, "print the address of every ring area"));
        f.switches = {{"verbose", "true", "print the address of every ring area"}};
    }
    return v;
}

bool any_chain(const RunConfig& c) { return uses_chain_path(c); }
std::string n(std::uint64_t v) { return std::to_string(v); }

std::vector<Rule> make_rules() {
    using R = const RunConfig&;
    return {
        {{"batch", "ring_size"}, true, "batch <= ring_size",
         [](R c) -> std::string {
             if (c.batch <= c.ring_size) return {};
             return "{batch} " + n(c.batch) + " is not valid (1 to the ring size, " + n(c.ring_size) + ")";
         }},
        {{"outstanding", "ring_size"}, true, "outstanding <= ring_size",
         [](R c) -> std::string {
             if (c.outstanding <= c.ring_size) return {};
             return "{outstanding} " + n(c.outstanding) + " exceeds the ring size (1 to " + n(c.ring_size) + ")";
         }},
        {{"batch", "outstanding"}, true, "batch <= outstanding (0 = ring_size)",
         [](R c) -> std::string {
             const std::uint32_t o = c.outstanding ? c.outstanding : c.ring_size;
             if (c.batch <= o) return {};
             return "{batch} " + n(c.batch) + " exceeds {outstanding} " + n(o) +
                    " (a batch must fit in flight: batch <= outstanding)";
         }},
        {{"layout", "notify"}, true, "the layout must support the notify mode (index: poll, flags)",
         [](R c) -> std::string {
             if (layout_supports_notify(c.layout, c.notify)) return {};
             return "layout " + c.layout + " does not support notify mode " + notify_name(c.notify) +
                    (c.layout == "index" ? " (index supports: poll, flags)" : "");
         }},
        {{"wait", "notify"}, true, "wait sleep or hybrid needs notify flags or event-idx",
         [](R c) -> std::string {
             if (c.wait == WaitMode::spin || c.notify != ringsim::NotifyMode::poll) return {};
             return "{wait} " + std::string(wait_name(c.wait)) +
                    " needs notifications: use {notify} flags or event-idx (with poll nothing wakes a sleeper)";
         }},
        {{"kick_mode", "submitters"}, true, "kick_mode unlocked needs submitters >= 2",
         [](R c) -> std::string {
             if (c.kick_mode == KickMode::under_lock || c.submitters >= 2) return {};
             return "{kick_mode=unlocked} needs {submitters} 2 or more (with one submitter there is no lock)";
         }},
        {{"inject", "wait"}, true, "inject needs wait sleep or hybrid",
         [](R c) -> std::string {
             if ((c.drop_kick == 0 && c.drop_call == 0) || c.wait != WaitMode::spin) return {};
             return "{inject} drops notifications, which only matters when a side sleeps: set {wait} sleep or hybrid";
         }},
        {{"runtime_barrier", "barrier"}, true, "runtime_barrier other than smp needs barrier branch or ops",
         [](R c) -> std::string {
             if (c.runtime_barrier == "smp" || c.barrier == "branch" || c.barrier == "ops") return {};
             return "{runtime_barrier} " + c.runtime_barrier + " only applies to {barrier} branch or ops (barrier " +
                    c.barrier + " is chosen at compile time)";
         }},
        {{"layout", "sg", "indirect", "completion"}, true, "the index layout has no descriptors: sg 1, indirect off, completion in-order",
         [](R c) -> std::string {
             if (c.layout != "index" || !any_chain(c)) return {};
             return "the index layout has no descriptors: {sg}, {indirect} and {completion} need split, split-inorder, "
                    "packed or packed-inorder";
         }},
        {{"layout", "completion"}, true, "in-order layouts (VIRTIO_F_IN_ORDER) complete in order",
         [](R c) -> std::string {
             if ((c.layout != "split-inorder" && c.layout != "packed-inorder") || c.completion == Completion::in_order)
                 return {};
             return c.layout + " completes buffers in the order they were made available (VIRTIO_F_IN_ORDER): "
                               "{completion} must be in-order";
         }},
        {{"sg", "ring_size", "indirect"}, true, "a direct chain of sg descriptors must fit the ring",
         [](R c) -> std::string {
             if (uses_indirect(c) || c.sg <= c.ring_size) return {};
             return "a direct chain of " + n(c.sg) + " descriptors does not fit a ring of " + n(c.ring_size) +
                    " (use {ring_size} " + n(c.sg) + " or more, or {indirect})";
         }},
        {{"device_extra_ns", "sg", "indirect", "completion"}, true,
         "a planted device delay applies to single-descriptor, in-order buffers only",
         [](R c) -> std::string {
             if (!c.device_extra_ns || !any_chain(c)) return {};
             return "a planted device delay (calibration) applies to single-descriptor, in-order buffers only";
         }},
        {{"verify", "sg", "indirect", "completion"}, true, "verify ring needs single descriptors completed in order",
         [](R c) -> std::string {
             if (c.verify != VerifyMode::ring || !any_chain(c)) return {};
             return "{verify} ring checks single descriptors completed in order: use {verify} full with {sg}, "
                    "{indirect} or {completion}";
         }},
        {{"cpus", "allow_same_cpu"}, true, "driver and device on two CPUs unless allow_same_cpu",
         [](R c) -> std::string {
             if (c.driver_cpu < 0 || c.driver_cpu != c.device_cpu || c.allow_same_cpu) return {};
             return "driver and device on the same CPU " + std::to_string(c.driver_cpu) +
                    " (give two different CPUs, or {allow_same_cpu=true} to measure that on purpose)";
         }},
        // The VM boundary's own conditions (bench/guest/guest_config.hpp, in field words like these).
        {{"guest", "kick", "call", "doorbell", "guest_barriers", "vcpus", "submitters"}, true,
         "guest fields need guest kvm, and what the guest runs (guest/guest_config.hpp)",
         [](R c) { return guest::guest_config_problem(c); }},
        // Pointless, not wrong: the sweep prunes these, a single run may do them.
        {{"kick_cost_ns", "notify"}, false, "kick_cost_ns with notify poll: poll mode never kicks",
         [](R c) -> std::string {
             if (c.kick_cost_ns == 0 || c.notify != ringsim::NotifyMode::poll) return {};
             return "{kick_cost_ns} with {notify} poll: poll mode never kicks";
         }},
        {{"kick", "doorbell", "notify"}, false, "kick or doorbell with notify poll: poll mode never kicks",
         [](R c) -> std::string {
             if (c.notify != ringsim::NotifyMode::poll || (c.kick_path == KickPath::ioeventfd && c.doorbell == Doorbell::pio))
                 return {};
             return "{kick} or {doorbell} with {notify} poll: poll mode never kicks";
         }},
    };
}

}  // namespace

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::word: return "word";
        case Kind::integer: return "integer";
        case Kind::number: return "number";
        case Kind::toggle: return "toggle";
        case Kind::text: return "text";
    }
    return "unknown";
}

const char* notify_name(ringsim::NotifyMode m) { return word_of(kNotify, m); }
const char* wait_name(WaitMode m) { return word_of(kWait, m); }
const char* kick_mode_name(KickMode m) { return word_of(kKickMode, m); }
const char* device_access_name(DeviceAccess m) { return word_of(kDeviceAccess, m); }
const char* latency_name(LatencyMode m) { return word_of(kLatency, m); }
const char* verify_name(VerifyMode m) { return word_of(kVerify, m); }

std::string inject_text(const RunConfig& c) {
    std::string s;
    char buf[64];
    if (c.drop_kick > 0) {
        std::snprintf(buf, sizeof buf, "drop-kick=%g", c.drop_kick);
        s += buf;
    }
    if (c.drop_call > 0) {
        std::snprintf(buf, sizeof buf, "%sdrop-call=%g", s.empty() ? "" : ",", c.drop_call);
        s += buf;
    }
    // A value no parse() gives (NaN, negative): printed so that check() names it.
    if (s.empty() && !(c.drop_kick == 0 && c.drop_call == 0)) {
        std::snprintf(buf, sizeof buf, "drop-kick=%g,drop-call=%g", c.drop_kick, c.drop_call);
        s = buf;
    }
    return s;
}

const std::vector<std::string>& placement_values() {
    static const std::vector<std::string> v = {"auto", "all", "smt", "same-l2", "same-l3", "cross-l3", "cross-socket", "cross-numa"};
    return v;
}

std::string Field::default_text() const {
    if (!print) return name == "placement" ? "auto" : "";
    return print(RunConfig{});
}

const std::vector<Field>& fields() {
    static const std::vector<Field> f = make_fields();
    return f;
}

const Field* find_field(const std::string& name) {
    for (const auto& f : fields())
        if (f.name == name) return &f;
    return nullptr;
}

const Field* find_flag(const std::string& flag) {
    for (const auto& f : fields()) {
        if (!f.flag.empty() && f.flag == flag) return &f;
        for (const auto& s : f.switches)
            if (s.flag == flag) return &f;
    }
    return nullptr;
}

std::vector<const Field*> axes() {
    std::vector<const Field*> v;
    for (const auto& f : fields())
        if (f.is_axis()) v.push_back(&f);
    return v;
}

const std::vector<Rule>& rules() {
    static const std::vector<Rule> r = make_rules();
    return r;
}

std::string parse_field(const Field& f, RunConfig& c, const std::string& text) {
    if (!f.parse) {  // placement: checked against its words only
        if (std::find(f.words.begin(), f.words.end(), text) == f.words.end()) return not_valid(f.name, text, f.range);
        return {};
    }
    return f.parse(c, text);
}

std::string parse_cpu_pair(const std::string& text, int& driver, int& device) {
    const std::string form = " (two CPU numbers: DRIVER,DEVICE, e.g. 0,1)";
    const auto comma = text.find(',');
    if (comma == std::string::npos) return "{cpus} '" + text + "' is not valid" + form;
    int out[2];
    const std::string part[2] = {text.substr(0, comma), text.substr(comma + 1)};
    for (int i = 0; i < 2; ++i) {
        // Checked before the narrowing to int: 4294967296 must not become CPU 0.
        if (part[i].empty() || part[i].find_first_not_of("0123456789") != std::string::npos)
            return "{cpus} '" + text + "' is not valid" + form;
        if (part[i].size() > 5 || std::stoul(part[i]) > 65535)
            return "{cpus} " + text + ": CPU " + part[i] + " is out of range (CPU numbers are 0..65535)";
        out[i] = int(std::stoul(part[i]));
    }
    driver = out[0];
    device = out[1];
    return {};
}

Problem check(const RunConfig& c) {
    // Each value through its own parser: a value the CLI or a spec could not give is refused
    // with the same words, whoever set it.
    for (const auto& f : fields()) {
        if (!f.parse) continue;
        const std::string text = f.print(c);
        if (f.unset_default && text == f.default_text()) continue;
        RunConfig probe;
        if (std::string err = f.parse(probe, text); !err.empty()) return {{f.name}, err};
    }
    for (const auto& r : rules())
        if (r.invalid)
            if (std::string why = r.check(c); !why.empty()) return {r.fields, why};
    return {};
}

Problem prune(const RunConfig& c) {
    for (const auto& r : rules())
        if (std::string why = r.check(c); !why.empty()) return {r.fields, why};
    return {};
}

std::string render(const std::string& message, Spelling s) {
    std::string out;
    std::size_t i = 0;
    while (i < message.size()) {
        const auto open = message.find('{', i);
        const auto close = open == std::string::npos ? std::string::npos : message.find('}', open);
        if (close == std::string::npos) {
            out += message.substr(i);
            break;
        }
        out += message.substr(i, open - i);
        std::string mark = message.substr(open + 1, close - open - 1), value;
        if (auto eq = mark.find('='); eq != std::string::npos) {
            value = mark.substr(eq + 1);
            mark = mark.substr(0, eq);
        }
        const Field* f = find_field(mark);
        std::string word = mark;
        if (s == Spelling::flag && f) {
            const Switch* sw = nullptr;
            for (const auto& x : f->switches)
                if (value.empty() ? x.flag == f->switches.front().flag : x.value == value) sw = &x;
            if (!f->flag.empty()) word = "--" + f->flag + (value.empty() ? "" : " " + value);
            else if (sw) word = "--" + sw->flag;
        } else if (!value.empty()) {
            word += " " + value;
        }
        out += word;
        i = close + 1;
    }
    return out;
}

nlohmann::json to_json(const RunConfig& c, const std::string& placement) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& f : fields()) {
        if (!f.in_json) continue;
        nlohmann::json v = f.json ? f.json(c) : nlohmann::json(placement);
        if (!v.is_null()) j[f.name] = std::move(v);  // null: not this run's (a guest field of a thread run)
    }
    return j;
}

std::string benchmark_name(const RunConfig& c, const std::string& placement) {
    std::string name = "ring";
    for (const auto* f : axes()) {
        const std::string v = f->print ? f->print(c) : placement;
        if (f->always_in_name || v != f->default_text()) name += "/" + f->short_name + ":" + v;
    }
    return name;
}

nlohmann::json vocabulary_json() {
    nlohmann::json j;
    j["version"] = 1;
    auto& fs = j["fields"] = nlohmann::json::array();
    for (const auto& f : fields()) {
        // Only what a reader of results needs (the help texts are `ringlab list`'s and --help's).
        nlohmann::json e = {{"name", f.name}, {"kind", kind_name(f.kind)}, {"default", f.default_text()},
                            {"in_config", f.in_json}};
        if (f.is_axis()) e["axis"] = f.short_name;
        if (f.always_in_name) e["always_in_name"] = true;
        if (f.kind != Kind::word && f.kind != Kind::toggle) e["range"] = f.range;
        if (!f.words.empty()) e["values"] = f.words;
        fs.push_back(std::move(e));
    }
    auto& rs = j["rules"] = nlohmann::json::array();
    for (const auto& r : rules()) rs.push_back({{"fields", r.fields}, {"invalid", r.invalid}, {"summary", r.summary}});
    auto& ls = j["layouts"] = nlohmann::json::object();
    for (const auto& l : kLayouts) {
        auto& notify = ls[l]["notify"] = nlohmann::json::array();
        for (const auto& [m, w] : kNotify)
            if (layout_supports_notify(l, m)) notify.push_back(w);
    }
    auto& bs = j["barriers"] = nlohmann::json::object();
    for (auto b : ringsim::kBarrierNames)
        ringsim::visit_barrier(std::string(b), [&]<class P>(std::type_identity<P>) {
            bs[std::string(b)]["safe_here"] = P::safe_publish && P::safe_consume && P::safe_notify;
        });
    return j;
}

}  // namespace ringlab::config
