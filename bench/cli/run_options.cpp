#include "cli/run_options.hpp"

#include <cmath>
#include <tuple>

#include "engine/cpu_affinity.hpp"
#include "engine/engine.hpp"
#include "topo/topology.hpp"

namespace ringlab::cli {

std::vector<OptionSpec> run_option_specs() {
    return {
        {"layout", true, "L      split | split-inorder | packed | index | packed-inorder (default split)"},
        {"barrier", true, "B      compiler | smp | virt | dma | mandatory | acqrel | acqrel-seqcst | branch | ops (default smp)"},
        {"runtime-barrier", true, "B  what branch/ops choose at run time: smp | mandatory (default smp)"},
        {"notify", true, "M      poll | flags | event-idx (default poll)"},
        {"wait", true, "W      spin | sleep | hybrid: what an idle side does once notifications are on (default spin)"},
        {"spin-ns", true, "N     hybrid: spin this long before sleeping (default 20000)"},
        {"ring-size", true, "N   queue size, a power of two 2..32768 (default 256)"},
        {"batch", true, "N       buffers per publish step, 1..ring size (default 1)"},
        {"outstanding", true, "K buffers in flight at most, batch..ring size (default ring size; 1 = round-trip latency)"},
        {"payload", true, "BYTES   verified payload per buffer, multiple of 8, 0..4096 (default 64)"},
        {"cache-line", true, "N  alignment of shared areas: 64 | 128 (default 64)"},
        {"buffers", true, "N     buffers in the timed window (default 1000000)"},
        {"duration", true, "S    timed window in seconds instead of --buffers (0.001..3600)"},
        {"warmup", true, "N      buffers before the window (default: max(20000, 16 x ring size))"},
        {"cpus", true, "A,B        driver CPU, device CPU (default: two distinct online CPUs)"},
        {"allow-same-cpu", false, "  allow driver and device on one CPU"},
        {"kick-cost-ns", true, "N modelled cost of every kick and call (default 0; a VM exit is ~1000-5000 ns)"},
        {"submitters", true, "K  driver threads sharing one lock around add+kick (default 1)"},
        {"kick-under-lock", false, " with --submitters: hold the lock through the kick (default)"},
        {"kick-unlocked", false, "   with --submitters: release the lock around the kick (seed 002, docs/questions.md)"},
        {"device-access", true, "M relaxed | barrier: a full barrier before every payload access (seed 003, docs/questions.md)"},
        {"watchdog-ms", true, "N report a side stuck this long (10..600000, default 2000)"},
        {"inject", true, "SPEC     drop-kick=P[,drop-call=P]: drop notifications on purpose"},
        {"latency", true, "MODE    auto | on | off: record round trips (auto: on when outstanding is 1; above 1, 1 buffer in 64 is sampled)"},
        {"verify", true, "MODE     full: seq + checksum in every buffer, device answers (default); ring: descriptors only, buffers untouched (as Linux ringtest)"},
        {"sg", true, "N            descriptors per buffer, 1..16: N-1 device-readable, the last device-writable (default 1)"},
        {"indirect", true, "MODE     off | on | auto[=K]: the chain in a preallocated indirect table (auto: when N > K, default K 1)"},
        {"completion", true, "ORDER  in-order | reverse | random[:SEED]: completion order within a device batch (default in-order)"},
        {"no-floor", false, "        skip the cache-line round-trip measurement"},
        {"verbose", false, "         print the address of every ring area"},
    };
}

std::pair<int, int> parse_cpu_pair(const std::string& option, const std::string& value) {
    const std::string form = " (two CPU numbers: DRIVER,DEVICE, e.g. 0,1)";
    const auto comma = value.find(',');
    if (comma == std::string::npos || value.find('-') != std::string::npos)
        throw UsageError("--" + option + " '" + value + "' is not valid" + form);
    // Each side on its own: a list parser would fold "0,0" into one CPU.
    std::vector<int> a, b;
    try {
        a = topo::parse_cpu_list(value.substr(0, comma));
        b = topo::parse_cpu_list(value.substr(comma + 1));
    } catch (const std::exception& e) {
        throw UsageError("--" + option + ": " + e.what() + form);
    }
    if (a.size() != 1 || b.size() != 1) throw UsageError("--" + option + " '" + value + "' is not valid" + form);
    return {a[0], b[0]};
}

static void parse_inject(const std::string& spec, RunConfig& c) {
    std::size_t pos = 0;
    while (pos <= spec.size()) {
        auto comma = spec.find(',', pos);
        std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        auto eq = item.find('=');
        std::string key = item.substr(0, eq);
        if (eq == std::string::npos || (key != "drop-kick" && key != "drop-call"))
            throw UsageError("--inject '" + item + "' is not valid (valid: drop-kick=P, drop-call=P with P in 0..1)");
        char* end = nullptr;
        std::string val = item.substr(eq + 1);
        double p = std::strtod(val.c_str(), &end);
        if (val.empty() || *end || !std::isfinite(p) || p < 0 || p > 1)
            throw UsageError("--inject " + key + " probability '" + val + "' is not valid (a number from 0 to 1)");
        (key == "drop-kick" ? c.drop_kick : c.drop_call) = p;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
}

void parse_indirect(const std::string& v, RunConfig& c) {
    if (std::string err = set_indirect(c, v); !err.empty()) throw UsageError(err);
}
void parse_completion(const std::string& v, RunConfig& c) {
    if (std::string err = set_completion(c, v); !err.empty()) throw UsageError(err);
}

RunConfig run_config_from(const Args& a) {
    RunConfig c;
    c.layout = a.choice_or("layout", c.layout, {"split", "split-inorder", "packed", "index", "packed-inorder"});
    c.barrier = a.str_or("barrier", c.barrier);
    c.runtime_barrier = a.choice_or("runtime-barrier", c.runtime_barrier, {"smp", "mandatory"});
    auto n = a.choice_or("notify", "poll", {"poll", "flags", "event-idx"});
    c.notify = n == "poll" ? ringsim::NotifyMode::poll : n == "flags" ? ringsim::NotifyMode::flags : ringsim::NotifyMode::event_idx;
    auto w = a.choice_or("wait", "spin", {"spin", "sleep", "hybrid"});
    c.wait = w == "spin" ? WaitMode::spin : w == "sleep" ? WaitMode::sleep : WaitMode::hybrid;
    c.spin_ns = a.uint_or("spin-ns", c.spin_ns, 0, limits::kMaxSpinNs);
    c.ring_size = std::uint32_t(a.uint_or("ring-size", c.ring_size, 2, limits::kMaxRingSize));
    c.batch = std::uint32_t(a.uint_or("batch", c.batch, 1, limits::kMaxRingSize));
    c.outstanding = std::uint32_t(a.uint_or("outstanding", 0, 1, limits::kMaxRingSize));
    c.payload_bytes = std::uint32_t(a.uint_or("payload", c.payload_bytes, 0, limits::kMaxPayloadBytes));
    c.cache_line = std::uint32_t(a.uint_or("cache-line", c.cache_line, 64, 128));
    c.buffers = a.uint_or("buffers", c.buffers, 1, 1ull << 40);
    // No 0: it would quietly mean "use --buffers"; leave --duration out for that.
    c.duration_s = a.double_or("duration", 0, limits::kMinDurationS, limits::kMaxDurationS);
    c.warmup_buffers = a.uint_or("warmup", 0, 1, 1ull << 40);
    if (auto cpus = a.str("cpus")) std::tie(c.driver_cpu, c.device_cpu) = parse_cpu_pair("cpus", *cpus);
    c.allow_same_cpu = a.has("allow-same-cpu");
    c.kick_cost_ns = a.uint_or("kick-cost-ns", 0, 0, limits::kMaxKickCostNs);
    c.submitters = std::uint32_t(a.uint_or("submitters", 1, 1, limits::kMaxSubmitters));
    if (a.has("kick-under-lock") && a.has("kick-unlocked"))
        throw UsageError("--kick-under-lock and --kick-unlocked exclude each other");
    c.kick_mode = a.has("kick-unlocked") ? KickMode::unlocked : KickMode::under_lock;
    c.device_access = a.choice_or("device-access", "relaxed", {"relaxed", "barrier"}) == "barrier" ? DeviceAccess::barrier
                                                                                                  : DeviceAccess::relaxed;
    c.watchdog_ms = std::uint32_t(a.uint_or("watchdog-ms", c.watchdog_ms, limits::kMinWatchdogMs, limits::kMaxWatchdogMs));
    if (auto inj = a.str("inject")) parse_inject(*inj, c);
    auto lat = a.choice_or("latency", "auto", {"auto", "on", "off"});
    c.latency = lat == "on" ? LatencyMode::on : lat == "off" ? LatencyMode::off : LatencyMode::automatic;
    c.verify = a.choice_or("verify", "full", {"full", "ring"}) == "ring" ? VerifyMode::ring : VerifyMode::full;
    c.sg = std::uint32_t(a.uint_or("sg", c.sg, 1, 16));
    if (auto ind = a.str("indirect")) parse_indirect(*ind, c);
    if (auto comp = a.str("completion")) parse_completion(*comp, c);
    c.measure_floor = !a.has("no-floor");
    c.verbose = a.has("verbose");
    std::string err = validate(c);
    if (!err.empty()) throw UsageError(err);
    return c;
}

}  // namespace ringlab::cli
