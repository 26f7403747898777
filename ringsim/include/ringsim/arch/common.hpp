// arch/common.hpp: what every architecture shares, included by each arch/<arch>.hpp
// before its own primitives: the architecture enum and names, and the compiler barrier
// (an empty asm with a memory clobber is the same on every target).
// Include "ringsim/arch.hpp", not this file.
#pragma once

#include <array>
#include <string_view>

namespace ringsim {

// The architectures ringsim has a port for (the barrier table has rows for each).
enum class Arch : unsigned char { x86_64, aarch64, ppc64le };
inline constexpr std::array<Arch, 3> kArchs{Arch::x86_64, Arch::aarch64, Arch::ppc64le};

// As `ringlab list`, the environment record and the results spell it.
constexpr std::string_view to_string(Arch a) {
    switch (a) {
        case Arch::x86_64: return "x86_64";
        case Arch::aarch64: return "aarch64";
        case Arch::ppc64le: return "ppc64le";
    }
    return "?";
}

namespace arch {

[[gnu::always_inline]] inline void compiler_barrier() { asm volatile("" ::: "memory"); }

// A full barrier `ringlab-micro` times, named by what it emits.
struct NamedFence {
    const char* name;
    void (*fence)();
};

}  // namespace arch
}  // namespace ringsim
