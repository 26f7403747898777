// topology.hpp: CPU topology from sysfs, pair classification and placement.
//
// ringlab pins a driver and a device thread to two CPUs; what those two CPUs
// share (a core, an L2, an L3, a socket) sets the cost of every cache line the
// ring moves.  This unit reads that from sysfs under a root directory (the real
// "/" by default, a fake tree in tests), names the relation of every CPU pair,
// and picks one representative pair per relation for `--placement`.
//
//   auto topo = ringlab::topo::read_topology();          // real machine
//   auto [drv, dev] = ringlab::topo::placement_pair(topo, "same-l3");
//   std::cout << ringlab::topo::summary_text(topo);
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ringlab::topo {

struct Cache {
    int level = 0;
    std::string type;               // Data | Instruction | Unified
    std::uint64_t size_bytes = 0;
    std::vector<int> shared_cpus;   // who shares this cache instance
};

struct Cpu {
    int id = 0;
    bool online = false;
    bool in_affinity = false;       // in this process's sched_getaffinity mask
    int package = -1;               // physical_package_id
    int core = -1;                  // core_id (unique only within a package)
    int cluster = -1;               // cluster_id; -1 when absent or 65535 ("none")
    int node = -1;                  // NUMA node, -1 if unknown
    std::vector<int> thread_siblings;
    std::vector<Cache> caches;
};

struct Topology {
    std::filesystem::path root;     // what was read ("/" for the real machine)
    std::vector<Cpu> cpus;          // indexed by CPU id (holes are offline CPUs)
    std::vector<int> online;
    std::vector<int> affinity;      // empty when not read (fake roots)
    std::map<int, std::vector<int>> nodes;  // NUMA node -> CPUs

    const Cpu* cpu(int id) const;
    // CPUs a pair may use: online and in the affinity mask (all online if no mask).
    std::vector<int> usable() const;
};

// What two CPUs share, from closest to farthest.
enum class Relation { same_cpu, smt, same_l2, same_l3, cross_l3, cross_numa, cross_socket };
const char* relation_name(Relation r);                 // "smt", "same-l2", ...
std::optional<Relation> relation_from_name(std::string_view name);

struct Options {
    std::filesystem::path root = "/";
    // Affinity mask to honour; by default sched_getaffinity when root is "/", none otherwise.
    std::optional<std::vector<int>> affinity;
};

// Reads the topology.  Missing files leave fields at their defaults; it throws
// std::runtime_error only when the CPU list itself cannot be read.
Topology read_topology(const Options& opt = {});

// A whole file, or its first line without trailing spaces, '\r' or NULs (device-tree
// strings end in one); nullopt when it cannot be opened.  Shared with bench/env.
std::optional<std::string> read_file(const std::filesystem::path& p);
std::optional<std::string> read_line(const std::filesystem::path& p);

// Kernel CPU-list format ("0-3,8,10-11") both ways; parse throws std::invalid_argument.
std::vector<int> parse_cpu_list(std::string_view text);
std::string format_cpu_list(const std::vector<int>& cpus);
// "48K", "2048K", "32M" -> bytes.
std::uint64_t parse_cache_size(std::string_view text);

// Relation of two CPUs.  Rules, first match wins: same id; different package
// (cross-socket); different NUMA node in one package (cross-numa); SMT siblings;
// a shared L2 (same-l2); a shared L3 (same-l3), or no L3 described at all for
// either CPU (treated as one shared last level); otherwise cross-l3.
Relation classify(const Topology& t, int a, int b);
// True when both CPUs are on known, different NUMA nodes (a fact recorded next to the relation).
bool crosses_numa(const Topology& t, int a, int b);

struct Pair { int a = -1, b = -1; Relation relation = Relation::same_cpu; };
// One pair per relation present among usable CPUs, lowest-numbered first
// (the first pair in (a, b) order).  same-cpu is not included.
std::vector<Pair> representative_pairs(const Topology& t);

// The placements `--placement` accepts, in the order "all" runs them.
const std::vector<std::string>& placement_names();
// Pair for one placement name; throws std::invalid_argument naming the placements
// this machine has when the name is unknown or has no pair here.
Pair placement_pair(const Topology& t, std::string_view placement);
// "all" -> every representative pair; a single name -> that pair.
std::vector<Pair> placement_pairs(const Topology& t, std::string_view placement);

// Human-readable summary for `ringlab topo`.
std::string summary_text(const Topology& t);
// {"cpus":[...], "online", "affinity", "packages", "nodes", "caches", "pairs":[{"relation","cpus"}]}
nlohmann::json to_json(const Topology& t);
nlohmann::json to_json(const Pair& p);

}  // namespace ringlab::topo
