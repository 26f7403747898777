// boundary.hpp: facts about the VM boundary that every guest result carries.
#pragma once

#include <cstdint>
#include <string>

#include "guest/guest.hpp"

namespace ringlab::guest::x86 {

// How this host runs KVM guests, in one sentence (hardware virtualization, nested,
// or PVM, where only the guest's ring 3 runs natively).
std::string boundary_sentence();

TscCheck tsc_check(const std::int64_t offset[2], const std::uint64_t rtt[2], double hz);

}  // namespace ringlab::guest::x86
