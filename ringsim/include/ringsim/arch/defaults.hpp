// arch/defaults.hpp: the generic layer, as Linux's asm-generic fills what an
// architecture does not define.  arch.hpp includes it after the arch file; each
// default applies only where the arch file did not say it has its own
// (RINGSIM_ARCH_HAS_<THING>).  Include "ringsim/arch.hpp", not this file.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace ringsim::arch {

#ifndef RINGSIM_ARCH_HAS_TIMER
// No cycle counter known: steady_clock, whose ticks are nanoseconds.
inline constexpr const char* kTimerName = "steady_clock";
inline constexpr bool kTimerTicksAreNs = true;
inline std::uint64_t timer_start() {
    return std::uint64_t(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}
inline std::uint64_t timer_end() { return timer_start(); }
#else
inline constexpr bool kTimerTicksAreNs = false;
#endif

#ifndef RINGSIM_ARCH_HAS_TIMER_HZ
// The counter's frequency as the hardware publishes it; 0 = not published (calibrate).
inline std::uint64_t timer_published_hz() { return 0; }
#endif

#ifndef RINGSIM_ARCH_HAS_HYPERVISOR_ID
// No architected way to ask the CPU for a hypervisor: unknown bit, empty signature
// (the environment record then relies on DMI and /sys/hypervisor).
inline std::optional<bool> hypervisor_bit() { return std::nullopt; }
inline std::array<char, 13> hypervisor_signature() { return {}; }
#endif

}  // namespace ringsim::arch
