// perf_group.cpp: perf_event_open plumbing.
#include "pmu/perf_group.hpp"
#include "pmu/events.hpp"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ringlab::pmu {

namespace {
int perf_event_open(perf_event_attr* attr, int group_fd) {
    return static_cast<int>(syscall(SYS_perf_event_open, attr, 0 /*this thread*/, -1 /*any cpu*/, group_fd, 0));
}
}  // namespace

perf_event_attr base_attr(std::uint32_t type, std::uint64_t config) {
    perf_event_attr a;
    std::memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = type;
    a.config = config;
    a.disabled = 1;
    a.inherit = 0;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID;
    return a;
}

PerfGroup::PerfGroup(PerfGroup&& o) noexcept : members_(std::move(o.members_)), leader_(o.leader_) {
    o.members_.clear();
    o.leader_ = -1;
}

PerfGroup& PerfGroup::operator=(PerfGroup&& o) noexcept {
    if (this != &o) {
        close_all();
        members_ = std::move(o.members_);
        leader_ = o.leader_;
        o.members_.clear();
        o.leader_ = -1;
    }
    return *this;
}

PerfGroup::~PerfGroup() { close_all(); }

void PerfGroup::close_all() {
    for (auto& m : members_)
        if (m.fd >= 0) ::close(m.fd);
    members_.clear();
    leader_ = -1;
}

void PerfGroup::open(std::vector<perf_event_attr> attrs) {
    close_all();
    for (auto& a : attrs) {
        Member m;
        // Only the leader carries disabled=1; members follow the leader's state.
        a.disabled = leader_ < 0 ? 1 : 0;
        m.fd = perf_event_open(&a, leader_);
        if (m.fd < 0) {
            m.open_errno = errno;
        } else {
            if (ioctl(m.fd, PERF_EVENT_IOC_ID, &m.id) != 0) m.id = 0;
            if (leader_ < 0) leader_ = m.fd;
        }
        members_.push_back(m);
    }
}

void PerfGroup::enable() {
    if (leader_ >= 0) ioctl(leader_, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void PerfGroup::disable() {
    if (leader_ >= 0) ioctl(leader_, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}

bool PerfGroup::read(std::vector<Value>& out) const {
    out.assign(members_.size(), Value{});
    if (leader_ < 0) return true;
    // Layout: nr, time_enabled, time_running, then {value, id} per opened member.
    std::vector<std::uint64_t> buf(3 + 2 * members_.size());
    ssize_t n = ::read(leader_, buf.data(), buf.size() * sizeof(std::uint64_t));
    if (n < static_cast<ssize_t>(3 * sizeof(std::uint64_t))) return false;
    const std::uint64_t nr = buf[0];
    for (std::size_t i = 0; i < members_.size(); ++i) {
        if (members_[i].fd < 0) continue;
        for (std::uint64_t k = 0; k < nr && 4 + 2 * k < buf.size(); ++k)
            if (buf[4 + 2 * k] == members_[i].id) {
                out[i] = Value{true, buf[3 + 2 * k], buf[1], buf[2]};
                break;
            }
    }
    return true;
}

int read_perf_event_paranoid() {
    std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
    int v = -100;
    if (!(in >> v)) return -100;
    return v;
}

bool looks_virtualized() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("flags", 0) == 0) return (line + " ").find(" hypervisor ") != std::string::npos;
    std::ifstream dt("/proc/device-tree/hypervisor/compatible");
    return static_cast<bool>(dt);
}

bool nmi_watchdog_on() {
    std::ifstream in("/proc/sys/kernel/nmi_watchdog");
    int v = 0;
    return (in >> v) && v != 0;
}

std::string explain_open_errno(int err, bool hardware) {
    std::ostringstream o;
    const char* name = err == ENOENT       ? "ENOENT"
                       : err == EOPNOTSUPP ? "EOPNOTSUPP"
                       : err == ENODEV     ? "ENODEV"
                       : err == EACCES     ? "EACCES"
                       : err == EPERM      ? "EPERM"
                       : err == EINVAL     ? "EINVAL"
                       : err == EBUSY      ? "EBUSY"
                       : err == ENOSPC     ? "ENOSPC"
                       : err == EMFILE     ? "EMFILE"
                       : err == ENOSYS     ? "ENOSYS"
                                           : "errno";
    o << "perf_event_open failed with " << name << " (" << std::strerror(err) << "): ";
    switch (err) {
        case EACCES:
        case EPERM: {
            const int p = read_perf_event_paranoid();
            o << "not permitted by kernel.perf_event_paranoid";
            if (p != -100) o << "=" << p;
            o << " (/proc/sys/kernel/perf_event_paranoid); unprivileged per-thread counting needs <= 2, or "
                 "CAP_PERFMON";
            break;
        }
        case ENOENT:
        case EOPNOTSUPP:
        case ENODEV:
            if (hardware) {
                o << "no hardware PMU for this event";
                if (looks_virtualized()) o << "; running in a VM without a virtual PMU";
            } else {
                o << "the kernel does not support this event";
            }
            break;
        case EINVAL:
            o << "the kernel rejected the encoding: not an event of this PMU, or it conflicts with another group "
                 "member's counter constraint";
            break;
        case EBUSY:
            o << "the counter is in use (another tool or the NMI watchdog)";
            break;
        case ENOSPC:
            o << "too many events: no counter left for this one";
            break;
        case EMFILE:
            o << "too many open file descriptors";
            break;
        case ENOSYS:
            o << "no perf_event_open system call: a kernel without CONFIG_PERF_EVENTS, or qemu-user, which does "
                 "not emulate it";
            break;
        default:
            break;
    }
    return o.str();
}

perf_event_attr attr_for(const Encoding& e) {
    perf_event_attr a = base_attr(e.type, e.config);
    a.config1 = e.config1;
    a.config2 = e.config2;
    a.exclude_kernel = e.exclude_kernel;
    a.exclude_hv = e.exclude_hv;
    return a;
}

}  // namespace ringlab::pmu
