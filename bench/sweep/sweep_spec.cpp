// sweep_spec.cpp: axes, spec parsing, pruning, expansion.
#include "sweep/sweep_spec.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "ringsim/barriers.hpp"

namespace ringlab::sweep {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

}  // namespace

std::vector<const config::Field*> axes() { return config::axes(); }

const config::Field* find_axis(const std::string& name) {
    const config::Field* f = config::find_field(name);
    return f && f->is_axis() ? f : nullptr;
}

bool is_unsafe_barrier(const std::string& name) {
    bool unsafe = false;
    ringsim::visit_barrier(name, [&]<class P>(std::type_identity<P>) {
        unsafe = !(P::safe_publish && P::safe_consume && P::safe_notify);
    });
    return unsafe;
}

// ---------------------------------------------------------------------------
// One configuration
// ---------------------------------------------------------------------------
std::string SweepConfig::at(const std::string& axis) const {
    const config::Field* f = find_axis(axis);
    if (!f) throw std::out_of_range("no axis '" + axis + "'");
    return f->print ? f->print(run) : placement;
}

std::string SweepConfig::benchmark_name() const { return config::benchmark_name(run, placement); }

nlohmann::json SweepConfig::to_json() const { return config::to_json(run, placement); }

nlohmann::json SweepSettings::to_json() const {
    return {{"buffers", buffers},         {"duration_s", duration_s},       {"min_time", min_time},
            {"repetitions", repetitions}, {"warmup_buffers", warmup_buffers}, {"latency", latency},
            {"watchdog_ms", watchdog_ms}, {"measure_floor", measure_floor}, {"spin_ns", spin_ns}};
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------
namespace {

std::string axis_names() {
    std::vector<std::string> v;
    for (const auto* a : axes()) v.push_back(a->name);
    return join(v);
}

// A value of one axis from JSON (string or number), parsed and checked once, by the
// field's own parser (the one the command line uses).
AxisValue parse_value(const config::Field& a, const nlohmann::json& v, const std::string& where) {
    std::string text;
    if (v.is_string()) text = v.get<std::string>();
    else if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0))
        text = std::to_string(v.get<std::uint64_t>());
    else
        throw SpecError(where + ": axis '" + a.name + "' takes " +
                        (a.kind == config::Kind::integer ? a.range : "one of: " + join(a.words)) + ", not " + v.dump());
    AxisValue out;
    if (std::string err = config::parse_field(a, out.value, text); !err.empty())
        throw SpecError(where + ": axis '" + a.name + "': " + config::render(err, config::Spelling::field));
    out.text = a.print ? a.print(out.value) : text;
    return out;
}

void parse_axes(const nlohmann::json& j, const std::string& where, std::map<std::string, std::vector<AxisValue>>& out) {
    if (!j.is_object()) throw SpecError(where + ": 'axes' must be an object mapping axis names to values");
    for (const auto& [key, val] : j.items()) {
        const config::Field* a = find_axis(key);
        if (!a) throw SpecError(where + ": unknown axis '" + key + "'; valid axes: " + axis_names());
        std::vector<AxisValue> vals;
        if (val.is_array()) {
            if (val.empty()) throw SpecError(where + ": axis '" + key + "' has no values");
            for (const auto& v : val) {
                auto x = parse_value(*a, v, where);
                if (std::find(vals.begin(), vals.end(), x) == vals.end()) vals.push_back(std::move(x));
            }
        } else {
            vals.push_back(parse_value(*a, val, where));
        }
        out[key] = std::move(vals);
    }
}

void check_keys(const nlohmann::json& j, const std::set<std::string>& allowed, const std::string& where) {
    for (const auto& [key, val] : j.items()) {
        (void)val;
        if (!allowed.count(key)) {
            std::vector<std::string> v(allowed.begin(), allowed.end());
            throw SpecError(where + ": unknown key '" + key + "'; valid keys: " + join(v));
        }
    }
}

std::string num_text(double v) {
    std::ostringstream o;
    o.precision(12);
    o << v;
    return o.str();
}

SweepSettings parse_settings(const nlohmann::json& j, const SweepSettings& base) {
    SweepSettings s = base;
    if (!j.is_object()) throw SpecError("spec: 'settings' must be an object");
    check_keys(j, {"buffers", "duration_s", "min_time", "repetitions", "warmup_buffers", "latency",
                   "watchdog_ms", "measure_floor", "spin_ns"},
               "settings");
    auto num = [&](const char* k, auto& dst, double lo, double hi) {
        if (!j.contains(k)) return;
        const auto& v = j.at(k);
        using T = std::remove_reference_t<decltype(dst)>;
        const bool whole = std::is_integral_v<T>;
        if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi ||
            (whole && !v.is_number_integer() && v.get<double>() != std::floor(v.get<double>())))
            throw SpecError(std::string("settings: '") + k + "' must be " + (whole ? "an integer" : "a number") + " in " +
                            num_text(lo) + ".." + num_text(hi) + ", not " + v.dump());
        dst = v.get<std::remove_reference_t<decltype(dst)>>();
    };
    num("buffers", s.buffers, 1, 1e12);
    num("duration_s", s.duration_s, 0, limits::kMaxDurationS);
    if (s.duration_s > 0 && s.duration_s < limits::kMinDurationS)
        throw SpecError("settings: 'duration_s' must be 0 (count buffers) or between 0.001 and 3600, not " +
                        j.at("duration_s").dump());
    num("min_time", s.min_time, 0, 3600);
    num("repetitions", s.repetitions, 1, 1000);
    num("warmup_buffers", s.warmup_buffers, 0, 1e12);
    num("watchdog_ms", s.watchdog_ms, limits::kMinWatchdogMs, limits::kMaxWatchdogMs);
    num("spin_ns", s.spin_ns, 0, double(limits::kMaxSpinNs));
    if (j.contains("latency")) {
        const auto& v = j.at("latency");
        if (!v.is_string() || (v != "auto" && v != "on" && v != "off"))
            throw SpecError("settings: 'latency' must be one of: auto, on, off; got " + v.dump());
        s.latency = v.get<std::string>();
    }
    if (j.contains("measure_floor")) {
        if (!j.at("measure_floor").is_boolean()) throw SpecError("settings: 'measure_floor' must be true or false");
        s.measure_floor = j.at("measure_floor").get<bool>();
    }
    // The last one given wins, so a row can switch a spec from buffers to a time box.
    if (j.contains("duration_s") && s.duration_s > 0) s.min_time = 0;
    if (j.contains("min_time") && s.min_time > 0) s.duration_s = 0;
    if (s.duration_s > 0 && s.min_time > 0)
        throw SpecError("settings: give either 'duration_s' or 'min_time', not both");
    return s;
}

}  // namespace

SweepSpec parse_spec(const nlohmann::json& j) {
    if (!j.is_object()) throw SpecError("spec: the top level must be a JSON object");
    check_keys(j, {"name", "description", "axes", "rows", "settings", "exclude", "$comment"}, "spec");
    SweepSpec spec;
    spec.source = j;
    for (const char* k : {"name", "description"})
        if (j.contains(k) && !j.at(k).is_string()) throw SpecError(std::string("spec: '") + k + "' must be a string, not " + j.at(k).dump());
    spec.name = j.value("name", std::string("custom"));
    spec.description = j.value("description", std::string());

    std::map<std::string, std::vector<AxisValue>> base;
    for (const auto* a : axes()) base[a->name] = {AxisValue{a->default_text(), RunConfig{}}};
    if (j.contains("axes")) parse_axes(j.at("axes"), "spec axes", base);
    if (j.contains("settings")) spec.settings = parse_settings(j.at("settings"), SweepSettings{});

    if (j.contains("rows")) {
        const auto& rows = j.at("rows");
        if (!rows.is_array() || rows.empty()) throw SpecError("spec: 'rows' must be a non-empty array");
        int i = 0;
        for (const auto& r : rows) {
            std::string where = "row " + std::to_string(i++);
            if (!r.is_object()) throw SpecError(where + ": must be an object");
            check_keys(r, {"name", "axes", "allow_unsafe", "settings", "$comment"}, where);
            Row row;
            if (r.contains("name") && !r.at("name").is_string())
                throw SpecError(where + ": 'name' must be a string, not " + r.at("name").dump());
            row.name = r.value("name", where);
            row.settings = spec.settings;
            if (r.contains("settings")) row.settings = parse_settings(r.at("settings"), spec.settings);
            where = "row '" + row.name + "'";
            row.axes = base;
            if (r.contains("axes")) parse_axes(r.at("axes"), where, row.axes);
            if (r.contains("allow_unsafe")) {
                if (!r.at("allow_unsafe").is_boolean()) throw SpecError(where + ": 'allow_unsafe' must be true or false");
                row.allow_unsafe = r.at("allow_unsafe").get<bool>();
            }
            for (const auto& other : spec.rows)
                if (other.name == row.name) throw SpecError(where + ": two rows have this name; row names must be unique");
            spec.rows.push_back(std::move(row));
        }
    } else {
        spec.rows.push_back(Row{"", base, false, spec.settings});
    }

    if (j.contains("exclude")) {
        const auto& ex = j.at("exclude");
        if (!ex.is_array()) throw SpecError("spec: 'exclude' must be an array of partial configurations");
        for (const auto& e : ex) {
            if (!e.is_object()) throw SpecError("spec: each 'exclude' entry must be an object");
            Exclusion x;
            for (const auto& [key, val] : e.items()) {
                if (key == "reason") {
                    x.reason = val.is_string() ? val.get<std::string>() : val.dump();
                    continue;
                }
                const config::Field* a = find_axis(key);
                if (!a) throw SpecError("spec exclude: unknown axis '" + key + "'; valid axes: " + axis_names() + ", reason");
                x.match[key] = parse_value(*a, val, "spec exclude").text;
            }
            if (x.match.empty()) throw SpecError("spec: an 'exclude' entry must name at least one axis");
            if (x.reason.empty()) x.reason = "excluded by the spec";
            spec.exclusions.push_back(std::move(x));
        }
    }
    return spec;
}

const Row& SweepSpec::row_of(const SweepConfig& c) const {
    for (const auto& r : rows)
        if (r.name == c.row) return r;
    return rows.front();
}

namespace {

// The JSON library's message without its "[json.exception.parse_error.101] " prefix.
std::string json_words(const nlohmann::json::exception& e) {
    std::string w = e.what();
    if (auto close = w.find("] "); w.rfind("[json.exception.", 0) == 0 && close != std::string::npos) w = w.substr(close + 2);
    return w;
}

// Parses text, refusing a key given twice in one object (the library would keep the
// last one silently, so a spec could say two things and mean one).
nlohmann::json parse_strict(const std::string& text) {
    std::vector<std::set<std::string>> open;  // keys seen in each enclosing object
    std::vector<std::string> path;            // the key that opened each level, for the message
    std::string last_key;
    nlohmann::json::parser_callback_t cb = [&](int, nlohmann::json::parse_event_t ev, nlohmann::json& v) {
        using E = nlohmann::json::parse_event_t;
        if (ev == E::object_start) {
            open.emplace_back();
            path.push_back(last_key);
        } else if (ev == E::object_end) {
            if (!open.empty()) open.pop_back();
            if (!path.empty()) path.pop_back();
        } else if (ev == E::key) {
            last_key = v.get<std::string>();
            if (!open.empty() && !open.back().insert(last_key).second) {
                std::string where = path.empty() || path.back().empty() ? "the top level" : "object '" + path.back() + "'";
                throw SpecError("key '" + last_key + "' appears twice in " + where + "; give each key once");
            }
        }
        return true;
    };
    return nlohmann::json::parse(text, cb);
}

}  // namespace

SweepSpec parse_spec_text(const std::string& text, const std::string& origin) {
    nlohmann::json j;
    try {
        j = parse_strict(text);
    } catch (const SpecError& e) {
        throw SpecError(origin + ": " + e.what());
    } catch (const nlohmann::json::parse_error& e) {
        throw SpecError(origin + ": not valid JSON at byte " + std::to_string(e.byte) + ": " + json_words(e));
    } catch (const nlohmann::json::out_of_range& e) {
        // e.g. 1e400: not representable as a double.
        throw SpecError(origin + ": a number is out of range of a JSON double (" + json_words(e) + ")");
    } catch (const nlohmann::json::exception& e) {
        throw SpecError(origin + ": not valid JSON: " + json_words(e));
    }
    try {
        return parse_spec(j);
    } catch (const SpecError& e) {
        throw SpecError(origin + ": " + e.what());
    } catch (const nlohmann::json::exception& e) {
        // A value of the wrong type the checks above did not name (a bug to fix there).
        throw SpecError(origin + ": a value has the wrong type: " + json_words(e));
    } catch (const std::out_of_range& e) {
        throw SpecError(origin + ": a number is out of range");
    }
}

SweepSpec load_spec_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw SpecError("cannot read spec file '" + path + "'");
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_spec_text(ss.str(), path);
}

SweepSpec load_preset(const std::string& name) {
    auto text = preset_text(name);
    if (!text) throw SpecError("unknown preset '" + name + "'; valid presets: " + join(preset_names()));
    auto spec = parse_spec_text(*text, "preset " + name);
    spec.name = name;
    return spec;
}

void override_placement(SweepSpec& spec, const std::string& placement) {
    const config::Field* a = find_axis("placement");
    auto v = parse_value(*a, nlohmann::json(placement), "--placement");
    for (auto& r : spec.rows) r.axes["placement"] = {v};
}

// ---------------------------------------------------------------------------
// Pruning
// ---------------------------------------------------------------------------
// The table's rules (what the engine refuses and what is pointless), in field names;
// then the spec's own: unsafe barriers outside an allow_unsafe row, exclusions.
std::string prune_reason(const SweepConfig& c, const Row& row, const std::vector<Exclusion>& ex) {
    if (auto p = config::prune(c.run)) return config::render(p.message, config::Spelling::field);
    // Seed 004: a UP guest's smp notify-check is a compiler barrier; with a side that sleeps it loses wake-ups.
    if (!row.allow_unsafe && c.run.guest_barriers == GuestBarriers::up && c.run.barrier == "smp" &&
        (c.run.wait != WaitMode::spin || c.run.call_path == CallPath::irqfd))
        return "barrier smp in a UP guest (guest_barriers up) loses wake-ups when a side sleeps: only with wait spin "
               "and call poll, or in a row with \"allow_unsafe\": true";
    if (!row.allow_unsafe && is_unsafe_barrier(c.run.barrier))
        return "barrier " + c.run.barrier + " is unsafe on this architecture: only in a row with \"allow_unsafe\": true";
    for (const auto& e : ex) {
        bool all = true;
        for (const auto& [k, v] : e.match)
            if (c.at(k) != v) { all = false; break; }
        if (all) return e.reason;
    }
    return "";
}

// ---------------------------------------------------------------------------
// Expansion
// ---------------------------------------------------------------------------
void shuffle_configs(std::vector<SweepConfig>& v, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (std::size_t i = v.size(); i > 1; --i) {
        std::size_t j = static_cast<std::size_t>(rng() % i);
        std::swap(v[i - 1], v[j]);
    }
}

std::uint64_t count_combinations(const SweepSpec& spec) {
    std::uint64_t total = 0;
    // "all" fans out into at most every relation the placement axis names.
    const std::uint64_t all_width = config::placement_values().size() - 2;
    for (const auto& row : spec.rows) {
        std::uint64_t n = 1;
        for (const auto& [name, vals] : row.axes) {
            std::uint64_t width = 0;
            for (const auto& v : vals) width += (name == "placement" && v.text == kPlacementAll) ? all_width : 1;
            if (width && n > UINT64_MAX / width) return UINT64_MAX;
            n *= width;
        }
        if (total > UINT64_MAX - n) return UINT64_MAX;
        total += n;
    }
    return total;
}

Expansion expand(const SweepSpec& spec, std::uint64_t seed, const PlacementChoices* placements) {
    Expansion out;
    out.seed = seed;
    std::set<std::string> seen;
    const auto ax = axes();
    for (const auto& row : spec.rows) {
        // Odometer over the axes: index[i] picks row.axes[ax[i]].
        std::vector<std::size_t> idx(ax.size(), 0);
        while (true) {
            SweepConfig c;
            c.row = row.name;
            for (std::size_t i = 0; i < ax.size(); ++i) {
                const AxisValue& v = row.axes.at(ax[i]->name)[idx[i]];
                if (ax[i]->copy) ax[i]->copy(c.run, v.value);
                else c.placement = v.text;  // placement: no RunConfig member
            }
            // "all" fans out into this machine's relations before pruning.
            std::vector<SweepConfig> points;
            if (placements && c.placement == kPlacementAll) {
                for (const auto& rel : placements->available) {
                    points.push_back(c);
                    points.back().placement = rel;
                }
                if (points.empty()) out.pruned.push_back({c, "placement all: this machine has no pair of distinct CPUs"});
            } else {
                points.push_back(c);
            }
            for (auto& p : points) {
                ++out.combinations;
                auto reason = prune_reason(p, row, spec.exclusions);
                const auto& pl = p.placement;
                if (reason.empty() && placements && pl != kPlacementAuto && pl != kPlacementAll &&
                    std::find(placements->available.begin(), placements->available.end(), pl) ==
                        placements->available.end())
                    reason = "placement " + pl + ": no CPU pair with that relation on this machine (it has: " +
                             (placements->available.empty() ? std::string("none") : join(placements->available)) + ")";
                if (!reason.empty()) out.pruned.push_back({p, reason});
                else if (!seen.insert(p.benchmark_name()).second) ++out.duplicates;
                else out.configs.push_back(std::move(p));
            }
            std::size_t i = 0;
            for (; i < ax.size(); ++i) {
                if (++idx[i] < row.axes.at(ax[i]->name).size()) break;
                idx[i] = 0;
            }
            if (i == ax.size()) break;
        }
    }
    shuffle_configs(out.configs, seed);
    return out;
}

double estimate_seconds(const SweepConfig& c, const SweepSettings& s) {
    // A deliberately rough model of one run on a current two-core machine:
    // a poll-mode buffer costs ~150 ns, a notification-mode buffer ~2 us plus
    // the kick cost amortised over the batch, sleeping waits ~8 us (futex/eventfd wake-ups).
    const double batch = double(c.run.batch);
    double ns = 150;
    if (c.run.notify != ringsim::NotifyMode::poll) ns += 2000.0 / batch + double(c.run.kick_cost_ns) / batch;
    if (c.run.wait != WaitMode::spin) ns += 8000.0 / batch;
    ns *= double(c.run.submitters);
    if (c.run.host == HostKind::kvm) ns += 20000.0 / batch;  // nested KVM: tens of us per exit and wake-up
    double run = s.duration_s > 0 ? s.duration_s : s.min_time > 0 ? s.min_time * 1.5 : double(s.buffers) * ns * 1e-9;
    const double overhead = c.run.host == HostKind::kvm ? 0.3 : 0.05;  // threads, pinning, automatic warm-up (a VM: its set-up and exitcost)
    return double(s.repetitions) * (run * 1.3 + overhead);
}

std::string estimate_text(double s) {
    auto t = static_cast<long>(s + 0.5);
    char buf[32];
    if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", t / 3600, (t / 60) % 60, t % 60);
    else if (t >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else std::snprintf(buf, sizeof buf, "%.1fs", s);
    return buf;
}

}  // namespace ringlab::sweep
