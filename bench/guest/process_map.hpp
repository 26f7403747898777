// process_map.hpp: the host mappings a guest shares.
//
// ringlab's guest runs the host binary's own code on the host's own memory: every
// ordinary mapping of this process (text, data, heap, stacks, libraries) becomes a
// KVM memory slot, and the guest's page tables map each at its host virtual address.
// A pointer therefore means the same thing in the guest and on the host, so the
// ring, the buffers and the driver's state are one object seen from both sides, as
// a vhost device sees guest memory through its own mapping.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringlab::guest {

struct HostRegion {
    std::uint64_t start = 0, end = 0;  // [start, end), page aligned
    std::string name;                  // the path or [heap]/[stack], for messages
};

// Parses maps text (the format of /proc/self/maps).  Kept: readable mappings of
// ordinary files and anonymous memory.  Dropped: inaccessible guard pages,
// [vvar]/[vdso]/[vsyscall] (kernel pages a memory slot cannot take), device and
// anon_inode mappings (/dev/kvm's own run areas, perf buffers).  Adjacent kept
// mappings are merged.  `skip` ranges are left out (the guest's own system area).
std::vector<HostRegion> parse_shareable(const std::string& maps_text,
                                        const std::vector<HostRegion>& skip = {});
std::vector<HostRegion> shareable_regions(const std::vector<HostRegion>& skip = {});

}  // namespace ringlab::guest
