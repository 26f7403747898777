#include "guest/kvm_access.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <linux/kvm.h>

#include "ringsim/arch.hpp"

namespace ringlab::guest {

namespace {

// RINGLAB_KVM_DEVICE names another device node: the tests use it to see the
// sentences a machine without a usable /dev/kvm gets.
const char* kvm_device() {
    const char* e = std::getenv("RINGLAB_KVM_DEVICE");
    return e && *e ? e : "/dev/kvm";
}

std::string mode_and_group(const struct stat& st) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    std::string grp = std::to_string(st.st_gid);
    if (const struct group* g = getgrgid(st.st_gid)) grp = g->gr_name;
    return std::string("mode ") + mode + ", group " + grp;
}

std::string read_first_line(const char* path) {
    std::ifstream f(path);
    std::string s;
    if (f && std::getline(f, s)) return s;
    return "";
}

}  // namespace

KvmProbe probe_kvm() {
    KvmProbe p;
    const char* kDev = kvm_device();
    if (ringsim::arch::kArch != ringsim::Arch::x86_64)
        p.arch_supported = "ringlab's KVM guest is built for x86_64 only so far (bench/guest/<arch>/; see the README for aarch64)";
    if (auto bit = ringsim::arch::hypervisor_bit()) p.hypervisor_bit = *bit;
    for (const char* param : {"/sys/module/kvm_amd/parameters/nested", "/sys/module/kvm_intel/parameters/nested"}) {
        std::string v = read_first_line(param);
        if (!v.empty()) p.nested_param = std::string(param) + "=" + v;
    }
    // A machine that has the hypervisor bit and KVM is a guest offering KVM to its own guests.
    struct stat st {};
    if (stat(kDev, &st) != 0) {
        p.reason = std::string(kDev) + " does not exist (" + std::strerror(errno) +
                   "): load kvm_intel or kvm_amd, or enable nested virtualization on the VM host";
        p.nested = "unknown";
        return p;
    }
    p.present = true;
    int fd = open(kDev, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        p.reason = std::string(kDev) + " cannot be opened read-write (" + std::strerror(e) + "; " + mode_and_group(st) +
                   "): add this user to the kvm group or run as root";
        p.nested = p.hypervisor_bit ? "nested" : "unknown";
        return p;
    }
    int api = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    if (api != KVM_API_VERSION) {
        p.reason = std::string(kDev) + " answers KVM API version " + std::to_string(api) + ", ringlab needs " +
                   std::to_string(KVM_API_VERSION);
        return p;
    }
    p.usable = p.arch_supported.empty();
    if (!p.usable) p.reason = p.arch_supported;
    p.nested = p.hypervisor_bit ? "nested" : "bare";
    return p;
}

int open_kvm_or_throw() {
    const char* kDev = kvm_device();
    KvmProbe p = probe_kvm();
    if (!p.usable) throw GuestUnavailable(p.reason);
    int fd = open(kDev, O_RDWR | O_CLOEXEC);
    if (fd < 0) throw GuestUnavailable(std::string(kDev) + ": " + std::strerror(errno));
    return fd;
}

}  // namespace ringlab::guest
