// topology.cpp: sysfs reader, pair classification, representative pairs.
#include "topo/topology.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ringlab::topo {
namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<std::string> read_line(const fs::path& p) {
    auto s = read_file(p);
    if (!s) return std::nullopt;
    std::string line = s->substr(0, s->find('\n'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\0')) line.pop_back();
    return line;
}

namespace {

std::optional<int> read_int(const fs::path& p) {
    auto s = read_line(p);
    if (!s || s->empty()) return std::nullopt;
    int v = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc()) return std::nullopt;
    return v;
}

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// The cache instance of `level` (data or unified) that CPU `c` uses, if described.
const Cache* data_cache(const Cpu& c, int level) {
    for (const auto& k : c.caches)
        if (k.level == level && k.type != "Instruction") return &k;
    return nullptr;
}

bool share_level(const Cpu& a, const Cpu& b, int level) {
    const Cache* ka = data_cache(a, level);
    return ka && contains(ka->shared_cpus, b.id);
}

std::vector<int> read_affinity() {
    std::vector<int> out;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
    for (int i = 0; i < CPU_SETSIZE; ++i)
        if (CPU_ISSET(i, &set)) out.push_back(i);
    return out;
}

std::string human_size(std::uint64_t b) {
    if (b >= (1u << 20) && b % (1u << 20) == 0) return std::to_string(b >> 20) + " MiB";
    if (b >= 1024 && b % 1024 == 0) return std::to_string(b >> 10) + " KiB";
    return std::to_string(b) + " B";
}

}  // namespace

const Cpu* Topology::cpu(int id) const {
    if (id < 0 || id >= static_cast<int>(cpus.size()) || cpus[id].id != id) return nullptr;
    return &cpus[id];
}

std::vector<int> Topology::usable() const {
    std::vector<int> out;
    for (int c : online)
        if (affinity.empty() || contains(affinity, c)) out.push_back(c);
    return out;
}

const char* relation_name(Relation r) {
    switch (r) {
        case Relation::same_cpu: return "same-cpu";
        case Relation::smt: return "smt";
        case Relation::same_l2: return "same-l2";
        case Relation::same_l3: return "same-l3";
        case Relation::cross_l3: return "cross-l3";
        case Relation::cross_numa: return "cross-numa";
        case Relation::cross_socket: return "cross-socket";
    }
    return "?";
}

std::optional<Relation> relation_from_name(std::string_view name) {
    for (auto r : {Relation::same_cpu, Relation::smt, Relation::same_l2, Relation::same_l3,
                   Relation::cross_l3, Relation::cross_numa, Relation::cross_socket})
        if (name == relation_name(r)) return r;
    return std::nullopt;
}

std::vector<int> parse_cpu_list(std::string_view text) {
    std::vector<int> out;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty()) return out;
    auto num = [&](std::string_view s) {
        int v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size() || v < 0)
            throw std::invalid_argument("bad CPU list '" + std::string(text) + "'");
        return v;
    };
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        std::string_view item = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
        std::size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            out.push_back(num(item));
        } else {
            int lo = num(item.substr(0, dash)), hi = num(item.substr(dash + 1));
            if (hi < lo) throw std::invalid_argument("bad CPU range '" + std::string(item) + "'");
            for (int i = lo; i <= hi; ++i) out.push_back(i);
        }
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string format_cpu_list(const std::vector<int>& cpus_in) {
    std::vector<int> c = cpus_in;
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    std::string out;
    for (std::size_t i = 0; i < c.size();) {
        std::size_t j = i;
        while (j + 1 < c.size() && c[j + 1] == c[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(c[i]);
        if (j > i) out += '-' + std::to_string(c[j]);
        i = j + 1;
    }
    return out;
}

std::uint64_t parse_cache_size(std::string_view text) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc()) return 0;
    std::string_view unit = text.substr(static_cast<std::size_t>(p - text.data()));
    if (unit.starts_with('K')) return v << 10;
    if (unit.starts_with('M')) return v << 20;
    if (unit.starts_with('G')) return v << 30;
    return v;
}

Topology read_topology(const Options& opt) {
    Topology t;
    t.root = opt.root;
    const fs::path cpu_dir = opt.root / "sys/devices/system/cpu";
    auto online = read_line(cpu_dir / "online");
    if (!online) throw std::runtime_error("cannot read " + (cpu_dir / "online").string());
    t.online = parse_cpu_list(*online);
    std::vector<int> possible = t.online;
    if (auto p = read_line(cpu_dir / "possible")) possible = parse_cpu_list(*p);
    int max_id = 0;
    for (int c : possible) max_id = std::max(max_id, c);
    for (int c : t.online) max_id = std::max(max_id, c);
    t.cpus.resize(static_cast<std::size_t>(max_id) + 1);
    for (int i = 0; i <= max_id; ++i) t.cpus[i].id = i;

    if (opt.affinity) t.affinity = *opt.affinity;
    else if (opt.root == fs::path("/")) t.affinity = read_affinity();

    for (int id : t.online) {
        Cpu& c = t.cpus[id];
        c.online = true;
        c.in_affinity = t.affinity.empty() || contains(t.affinity, id);
        const fs::path d = cpu_dir / ("cpu" + std::to_string(id));
        c.package = read_int(d / "topology/physical_package_id").value_or(-1);
        c.core = read_int(d / "topology/core_id").value_or(-1);
        int cluster = read_int(d / "topology/cluster_id").value_or(-1);
        c.cluster = (cluster == 65535) ? -1 : cluster;  // x86 reports 65535 (BAD_APICID) for "no cluster"
        if (auto s = read_line(d / "topology/thread_siblings_list")) c.thread_siblings = parse_cpu_list(*s);
        else c.thread_siblings = {id};
        for (int k = 0;; ++k) {
            const fs::path idx = d / "cache" / ("index" + std::to_string(k));
            if (!fs::exists(idx)) break;
            Cache cache;
            cache.level = read_int(idx / "level").value_or(0);
            cache.type = read_line(idx / "type").value_or("");
            cache.size_bytes = parse_cache_size(read_line(idx / "size").value_or("0"));
            if (auto s = read_line(idx / "shared_cpu_list")) cache.shared_cpus = parse_cpu_list(*s);
            c.caches.push_back(std::move(cache));
        }
    }
    // Sibling and cache-sharing sets name online CPUs only: the kernel drops a CPU from
    // them when it goes offline, and hwloc reports them so (compare_hwloc.py); a dump taken
    // without that, or a racing hotplug, must not make an offline CPU look like a sibling.
    auto online_only = [&](std::vector<int>& v) {
        v.erase(std::remove_if(v.begin(), v.end(), [&](int x) { return !contains(t.online, x); }), v.end());
    };
    for (int id : t.online) {
        online_only(t.cpus[id].thread_siblings);
        for (auto& k : t.cpus[id].caches) online_only(k.shared_cpus);
    }
    const fs::path node_dir = opt.root / "sys/devices/system/node";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(node_dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("node", 0) != 0 || name.size() == 4) continue;
        int node = 0;
        auto [p, perr] = std::from_chars(name.data() + 4, name.data() + name.size(), node);
        if (perr != std::errc() || p != name.data() + name.size()) continue;
        auto list = read_line(e.path() / "cpulist");
        if (!list) continue;
        t.nodes[node] = parse_cpu_list(*list);
        for (int c : t.nodes[node])
            if (c < static_cast<int>(t.cpus.size())) t.cpus[c].node = node;
    }
    return t;
}

bool crosses_numa(const Topology& t, int a, int b) {
    const Cpu *ca = t.cpu(a), *cb = t.cpu(b);
    return ca && cb && ca->node >= 0 && cb->node >= 0 && ca->node != cb->node;
}

Relation classify(const Topology& t, int a, int b) {
    if (a == b) return Relation::same_cpu;
    const Cpu *ca = t.cpu(a), *cb = t.cpu(b);
    if (!ca || !cb) throw std::invalid_argument("CPU " + std::to_string(ca ? b : a) + " does not exist");
    if (ca->package != cb->package) return Relation::cross_socket;
    if (crosses_numa(t, a, b)) return Relation::cross_numa;
    if (contains(ca->thread_siblings, b) || contains(cb->thread_siblings, a)) return Relation::smt;
    if (share_level(*ca, *cb, 2)) return Relation::same_l2;
    if (share_level(*ca, *cb, 3)) return Relation::same_l3;
    // No L3 described for either CPU (many arm64 systems hide the SLC): one package,
    // so the nearest shared level is the package's last level.
    if (!data_cache(*ca, 3) && !data_cache(*cb, 3)) return Relation::same_l3;
    return Relation::cross_l3;
}

std::vector<Pair> representative_pairs(const Topology& t) {
    std::map<Relation, Pair> found;
    const std::vector<int> cpus = t.usable();
    for (std::size_t i = 0; i < cpus.size(); ++i)
        for (std::size_t j = i + 1; j < cpus.size(); ++j) {
            Relation r = classify(t, cpus[i], cpus[j]);
            found.try_emplace(r, Pair{cpus[i], cpus[j], r});
        }
    std::vector<Pair> out;
    for (auto& [r, p] : found) out.push_back(p);  // map order = closest first
    return out;
}

const std::vector<std::string>& placement_names() {
    static const std::vector<std::string> names = {"smt", "same-l2", "same-l3", "cross-l3", "cross-numa", "cross-socket"};
    return names;
}

Pair placement_pair(const Topology& t, std::string_view placement) {
    auto pairs = representative_pairs(t);
    auto rel = relation_from_name(placement);
    if (rel && *rel != Relation::same_cpu)
        for (const auto& p : pairs)
            if (p.relation == *rel) return p;
    std::string have;
    for (const auto& p : pairs) have += std::string(have.empty() ? "" : ", ") + relation_name(p.relation);
    if (have.empty()) have = "none (fewer than two usable CPUs)";
    std::string why = (rel && *rel != Relation::same_cpu) ? "no CPU pair with relation '" : "unknown placement '";
    throw std::invalid_argument(why + std::string(placement) + "' on this machine; available: " + have +
                                " (or 'all')");
}

std::vector<Pair> placement_pairs(const Topology& t, std::string_view placement) {
    if (placement == "all") {
        auto pairs = representative_pairs(t);
        if (pairs.empty()) throw std::invalid_argument("placement 'all': fewer than two usable CPUs");
        return pairs;
    }
    return {placement_pair(t, placement)};
}

namespace {
// Distinct cache instances: (level, type, shared list) -> size.
struct CacheKey {
    int level;
    std::string type;
    std::vector<int> shared;
    auto operator<=>(const CacheKey&) const = default;
};
std::map<CacheKey, std::uint64_t> cache_instances(const Topology& t) {
    std::map<CacheKey, std::uint64_t> out;
    for (int id : t.online)
        for (const auto& k : t.cpus[id].caches) out.emplace(CacheKey{k.level, k.type, k.shared_cpus}, k.size_bytes);
    return out;
}
std::set<int> packages(const Topology& t) {
    std::set<int> out;
    for (int id : t.online) out.insert(t.cpus[id].package);
    return out;
}
}  // namespace

std::string summary_text(const Topology& t) {
    std::ostringstream o;
    std::set<std::pair<int, int>> cores;
    std::size_t max_threads = 1;
    for (int id : t.online) {
        cores.emplace(t.cpus[id].package, t.cpus[id].core);
        max_threads = std::max(max_threads, t.cpus[id].thread_siblings.size());
    }
    o << "CPUs online: " << format_cpu_list(t.online) << " (" << t.online.size() << ")\n";
    if (!t.affinity.empty()) o << "Affinity mask: " << format_cpu_list(t.affinity) << "\n";
    o << "Sockets: " << packages(t).size() << ", cores: " << cores.size() << ", threads per core: " << max_threads
      << "\n";
    o << "NUMA nodes:";
    if (t.nodes.empty()) o << " unknown";
    for (const auto& [n, c] : t.nodes) o << " node" << n << "=" << format_cpu_list(c);
    o << "\nCaches:\n";
    std::map<std::tuple<int, std::string, std::uint64_t>, std::vector<std::string>> grouped;
    for (const auto& [k, size] : cache_instances(t))
        grouped[{k.level, k.type, size}].push_back(format_cpu_list(k.shared));
    for (const auto& [k, lists] : grouped) {
        o << "  L" << std::get<0>(k) << " " << std::get<1>(k) << " " << human_size(std::get<2>(k)) << " x"
          << lists.size() << ": ";
        for (std::size_t i = 0; i < lists.size(); ++i) o << (i ? " " : "") << "[" << lists[i] << "]";
        o << "\n";
    }
    o << "Representative pairs (--placement):\n";
    auto pairs = representative_pairs(t);
    if (pairs.empty()) o << "  none (fewer than two usable CPUs)\n";
    for (const auto& p : pairs) {
        o << "  " << relation_name(p.relation) << ": " << p.a << "," << p.b;
        if (crosses_numa(t, p.a, p.b) && p.relation != Relation::cross_numa) o << " (also crosses NUMA nodes)";
        o << "\n";
    }
    return o.str();
}

nlohmann::json to_json(const Pair& p) {
    return {{"relation", relation_name(p.relation)}, {"cpus", {p.a, p.b}}};
}

nlohmann::json to_json(const Topology& t) {
    using nlohmann::json;
    json cpus = json::array();
    for (int id : t.online) {
        const Cpu& c = t.cpus[id];
        json caches = json::array();
        for (const auto& k : c.caches)
            caches.push_back({{"level", k.level}, {"type", k.type}, {"size_bytes", k.size_bytes},
                              {"shared_cpu_list", format_cpu_list(k.shared_cpus)}});
        cpus.push_back({{"cpu", id}, {"package", c.package}, {"core", c.core},
                        {"cluster", c.cluster < 0 ? json(nullptr) : json(c.cluster)},
                        {"node", c.node < 0 ? json(nullptr) : json(c.node)},
                        {"thread_siblings", format_cpu_list(c.thread_siblings)}, {"in_affinity", c.in_affinity},
                        {"caches", caches}});
    }
    json nodes = json::object();
    for (const auto& [n, c] : t.nodes) nodes[std::to_string(n)] = format_cpu_list(c);
    json pairs = json::array();
    for (const auto& p : representative_pairs(t)) {
        json j = to_json(p);
        j["crosses_numa"] = crosses_numa(t, p.a, p.b);
        pairs.push_back(j);
    }
    return {{"online", format_cpu_list(t.online)},
            {"affinity", t.affinity.empty() ? json(nullptr) : json(format_cpu_list(t.affinity))},
            {"packages", packages(t).size()},
            {"nodes", nodes},
            {"cpus", cpus},
            {"pairs", pairs}};
}

}  // namespace ringlab::topo
