// Shared by the guest tests: skip with the reason where KVM is not usable here.
#pragma once

#include <dirent.h>

#include <gtest/gtest.h>

#include "guest/kvm_access.hpp"

#define RINGLAB_NEED_KVM()                                                      \
    do {                                                                        \
        auto probe_ = ringlab::guest::probe_kvm();                              \
        if (!probe_.usable) GTEST_SKIP() << "KVM not usable: " << probe_.reason; \
    } while (0)

inline int open_fd_count() {
    int n = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
        while (readdir(d)) ++n;
        closedir(d);
    }
    return n;
}
