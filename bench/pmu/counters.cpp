// counters.cpp: per-role groups, opened inside the pinned role thread.
#include "pmu/counters.hpp"

#include <sys/prctl.h>

#include <map>

namespace ringlab::pmu {

namespace {

const std::uint64_t kSoftware[] = {PERF_COUNT_SW_TASK_CLOCK, PERF_COUNT_SW_CONTEXT_SWITCHES,
                                   PERF_COUNT_SW_CPU_MIGRATIONS, PERF_COUNT_SW_PAGE_FAULTS};

}  // namespace

PmuRoleCounters::PmuRoleCounters(Role role, const Capability& cap, bool software)
    : role_(role), want_software_(software) {
    std::map<int, std::vector<std::size_t>> by_group;
    for (const auto& st : cap.events) {
        HardwareReading r;
        r.alias = st.spec.alias;
        r.name = st.encoding ? st.encoding->fqname : st.spec.name;
        r.group = st.spec.group;
        r.reason = st.available ? "not stopped" : st.reason;
        if (st.available) by_group[st.spec.group].push_back(hw_.size());
        hw_.push_back(std::move(r));
    }
    for (auto& [g, idx] : by_group) {
        std::vector<perf_event_attr> attrs;
        for (auto i : idx) {
            const auto& st = cap.events[i];
            attrs.push_back(attr_for(*st.encoding));
        }
        PerfGroup pg;
        pg.open(attrs);
        for (std::size_t k = 0; k < idx.size(); ++k)
            if (pg.members()[k].fd < 0)
                hw_[idx[k]].reason = explain_open_errno(pg.members()[k].open_errno, !cap.events[idx[k]].software);
        groups_.push_back(std::move(pg));
        slots_.push_back(idx);
    }
    if (want_software_) {
        std::vector<perf_event_attr> attrs;
        for (auto c : kSoftware) {
            perf_event_attr a = base_attr(PERF_TYPE_SOFTWARE, c);
            // Software events count what the kernel does for this thread too (context
            // switches happen in the kernel); they need no PMU and no privilege for self.
            a.exclude_kernel = 0;
            a.exclude_hv = 0;
            attrs.push_back(a);
        }
        sw_group_.open(attrs);
        sw_.reason = sw_group_.any_open() ? "not stopped"
                                          : explain_open_errno(sw_group_.members()[0].open_errno, false);
    } else {
        sw_.reason = "software counters not requested";
    }
}

// Both act on every perf event the calling thread created: the groups opened in
// the constructor, which the engine runs in this same thread.
void PmuRoleCounters::start() {
    stopped_ = false;
    prctl(PR_TASK_PERF_EVENTS_ENABLE, 0, 0, 0, 0);
}

void PmuRoleCounters::stop() {
    prctl(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0);
    stopped_ = true;
    read_ = false;
}

const std::vector<HardwareReading>& PmuRoleCounters::hardware() const {
    if (stopped_ && !read_) read_all();
    return hw_;
}

const SoftwareReading& PmuRoleCounters::software() const {
    if (stopped_ && !read_) read_all();
    return sw_;
}

void PmuRoleCounters::read_all() const {
    read_ = true;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        std::vector<PerfGroup::Value> vals;
        const bool ok = groups_[g].read(vals);
        for (std::size_t k = 0; k < slots_[g].size(); ++k) {
            HardwareReading& r = hw_[slots_[g][k]];
            if (groups_[g].members()[k].fd < 0) continue;  // reason set at open
            if (!ok || !vals[k].opened) {
                r.reason = "the group could not be read";
                continue;
            }
            const auto& v = vals[k];
            r.raw = v.raw;
            r.enabled_ns = v.enabled_ns;
            r.running_ns = v.running_ns;
            if (v.running_ns == 0) {
                r.value.reset();
                r.reason = v.enabled_ns == 0 ? "never enabled (start() not called?)"
                                             : "not scheduled: too many events or counter in use";
                continue;
            }
            r.multiplexed = r.scaled = v.running_ns < v.enabled_ns;
            r.value = r.scaled ? static_cast<double>(v.raw) * static_cast<double>(v.enabled_ns) /
                                     static_cast<double>(v.running_ns)
                               : static_cast<double>(v.raw);
            r.reason.clear();
        }
    }
    if (sw_group_.any_open()) {
        std::vector<PerfGroup::Value> vals;
        if (sw_group_.read(vals)) {
            std::optional<std::uint64_t>* dst[] = {&sw_.task_clock_ns, &sw_.context_switches, &sw_.cpu_migrations,
                                                   &sw_.page_faults};
            for (std::size_t k = 0; k < vals.size() && k < 4; ++k)
                if (vals[k].opened) {
                    *dst[k] = vals[k].raw;
                    sw_.enabled_ns = vals[k].enabled_ns;
                    sw_.running_ns = vals[k].running_ns;
                }
            sw_.reason.clear();
        } else {
            sw_.reason = "the software group could not be read";
        }
    }
}

PmuCounterFactory::PmuCounterFactory(Capability cap, bool software) : cap_(std::move(cap)), software_(software) {}

std::unique_ptr<RoleCounters> PmuCounterFactory::open_for_this_thread(Role role) {
    return std::make_unique<PmuRoleCounters>(role, cap_, software_);
}

const PmuRoleCounters* as_pmu(const RoleCounters* c) { return dynamic_cast<const PmuRoleCounters*>(c); }

}  // namespace ringlab::pmu
