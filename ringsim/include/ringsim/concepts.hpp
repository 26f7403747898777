// ringsim/concepts.hpp: the two seams every ring protocol in ringsim goes through.
//
// A *barrier policy* maps the three barrier site kinds of a ring protocol
// (docs/protocol.md, "Barrier sites") to instructions.  A *ring layout* is a small type with
// the same narrow face for every layout, so the engine never knows which
// layout it drives.  Both are template parameters of the engine: no indirect
// call sits in the hot loop unless the policy itself is the indirect call
// (the `ops` policy, whose cost is what seed 000 asks about: docs/questions.md).
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringsim {

// ---------------------------------------------------------------------------
// Barrier policies
// ---------------------------------------------------------------------------
// publish_store(p, v): every store program-ordered before it is visible before *p == v
//                      (store->store; the "publish" site, e.g. avail->idx, packed head flags).
// consume_load(p):     loads program-ordered after it do not see older data than *p
//                      (load->load; the "consume" site, e.g. used->idx, packed flags).
// notify_check():      a store before it is ordered before a load after it (store->load;
//                      the "notify-check" site: publish, then read the suppression word).
// A policy that cannot give an order says so with safe_publish / safe_consume / safe_notify.
template <class P>
concept BarrierPolicy = requires(std::uint16_t* p16, const std::uint16_t* cp16) {
    { P::name } -> std::convertible_to<std::string_view>;
    { P::safe_publish } -> std::convertible_to<bool>;
    { P::safe_consume } -> std::convertible_to<bool>;
    { P::safe_notify } -> std::convertible_to<bool>;
    P::publish_store(p16, std::uint16_t{0});
    { P::consume_load(cp16) } -> std::same_as<std::uint16_t>;
    P::notify_check();
};

// ---------------------------------------------------------------------------
// Notification modes (the seam for the notification issue)
// ---------------------------------------------------------------------------
enum class NotifyMode : std::uint8_t { poll, flags, event_idx };

// As the command line and the results files spell it.
constexpr std::string_view notify_mode_name(NotifyMode m) {
    switch (m) {
        case NotifyMode::poll: return "poll";
        case NotifyMode::flags: return "flags";
        case NotifyMode::event_idx: return "event-idx";
    }
    return "unknown";
}

// ---------------------------------------------------------------------------
// Ring layouts
// ---------------------------------------------------------------------------
struct RingOptions {
    std::uint32_t size = 256;        // queue size N: power of two, 2..32768
    std::uint32_t cache_line = 64;   // alignment of every shared area and private state block
    NotifyMode notify = NotifyMode::poll;
    // Chains (chain.hpp): the longest chain the driver will add (1..kMaxChain), and whether
    // per-id indirect tables are preallocated.  The defaults add no memory to a ring.
    std::uint32_t max_chain = 1;
    bool indirect = false;
    bool chains = false;             // allocate the chain bookkeeping even for chains of one
};

// Result of driver_reap: one completed buffer, or why not.
enum class ReapStatus : std::uint8_t {
    empty,            // nothing completed
    ok,               // token/len filled in
    bad_id,           // the device returned an id outside 0..N-1
    not_outstanding,  // the device returned an id the driver never made available (or twice)
};

// One shared or private memory area, for --verbose and for tests of alignment.
struct Area {
    std::string name;          // e.g. "desc", "avail", "used", "driver-private"
    const void* addr;
    std::size_t bytes;
    bool shared;               // written by one role and read by the other
};

// Indices and event words, read racily, for the watchdog and error reports.
struct RingSnapshot {
    std::uint32_t driver_published;   // split: avail->idx; packed: driver next index | wrap<<15
    std::uint32_t device_seen;        // device's private "next to consume" index (wrap in bit 15 for packed)
    std::uint32_t device_published;   // split: used->idx; packed: device next used index | wrap<<15
    std::uint32_t driver_seen;        // driver's private "last reaped" index
    std::uint16_t avail_flags_or_driver_event_flags;
    std::uint16_t used_flags_or_device_event_flags;
    std::uint16_t used_event_or_driver_off_wrap;
    std::uint16_t avail_event_or_device_off_wrap;
};

// L is one instantiated layout, e.g. SplitRing<SmpBarrier>.
// Tokens are the engine's buffer numbers (0..N-1); the layout maps them to
// descriptor ids privately, as Linux keeps desc_state[head].data.
//
// Driver side (one thread):
//   driver_free()          descriptors the driver may still add (N - outstanding - added-unpublished)
//   driver_add(tok,a,l)    write one single-descriptor buffer; not visible until driver_publish
//   driver_publish()       make every added buffer visible (publish site)
//   driver_kick_needed()   after publish: notify-check + suppression decision; poll mode: false
//   driver_reap(tok,l)     next completion (consume site when it reads the device's index/flags)
//   driver_disable_calls() tell the device not to call (driver polls)
//   driver_enable_calls()  ask for a call on the next completion; full barrier; returns true
//                          if completions are already pending (do not sleep then)
// Device side (one other thread):
//   device_pop(id,a,l)     next available buffer (consume site), false if none
//   device_push(id,l)      write its completion; not visible until device_publish
//   device_publish()       make completions visible (publish site)
//   device_call_needed()   after publish: notify-check + suppression decision; poll mode: false
//   device_disable_kicks() / device_enable_kicks(): as above, for kicks
// Both / neither:
//   pending_for_device() / pending_for_driver(): racy peeks for the watchdog
//   snapshot(), areas(): diagnostics
template <class L>
concept RingLayout = requires(L& r, const L& cr, std::uint32_t tok, std::uint64_t addr,
                              std::uint32_t len, std::uint16_t id, std::uint32_t& rtok,
                              std::uint32_t& rlen, std::uint16_t& rid, std::uint64_t& raddr) {
    { L::name } -> std::convertible_to<std::string_view>;
    { cr.size() } -> std::same_as<std::uint32_t>;
    { cr.driver_free() } -> std::same_as<std::uint32_t>;
    r.driver_add(tok, addr, len);
    r.driver_publish();
    { r.driver_kick_needed() } -> std::same_as<bool>;
    { r.driver_reap(rtok, rlen) } -> std::same_as<ReapStatus>;
    r.driver_disable_calls();
    { r.driver_enable_calls() } -> std::same_as<bool>;
    { r.device_pop(rid, raddr, rlen) } -> std::same_as<bool>;
    r.device_push(id, len);
    r.device_publish();
    { r.device_call_needed() } -> std::same_as<bool>;
    r.device_disable_kicks();
    { r.device_enable_kicks() } -> std::same_as<bool>;
    { cr.pending_for_device() } -> std::same_as<bool>;
    { cr.pending_for_driver() } -> std::same_as<bool>;
    { cr.snapshot() } -> std::same_as<RingSnapshot>;
    { cr.areas() } -> std::same_as<std::vector<Area>>;
};

// ---------------------------------------------------------------------------
// Descriptor chains (the chain face; see ChainLayout below)
// ---------------------------------------------------------------------------
// The longest chain ringsim builds: a block request's header, data pages and status, as
// `--sg` offers it.  Indirect tables are preallocated for this many entries per id.
inline constexpr std::uint32_t kMaxChain = 16;

// One element of a scatter-gather list: device-readable, or device-writable (VIRTQ_DESC_F_WRITE).
struct Segment {
    std::uint64_t addr = 0;
    std::uint32_t len = 0;
    bool device_writes = false;
};

// What the device found behind one available entry.
struct PoppedChain {
    std::uint16_t id = 0;          // what the device returns in the used element / descriptor
    std::uint16_t ring_descs = 0;  // ring descriptors the chain took (1 when indirect)
    std::uint32_t count = 0;       // segments found
    bool indirect = false;
    bool malformed = false;        // a loop, too long, a table that is not ours, forbidden flags
    Segment seg[kMaxChain];
};

// The used length of a chain: the bytes the device may write (its device-writable
// segments), or, for a chain with none (one descriptor answered in place, as the
// single-descriptor path does), its whole length.
inline std::uint32_t chain_used_len(const Segment* s, std::uint32_t n) {
    std::uint32_t w = 0, all = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        all += s[i].len;
        if (s[i].device_writes) w += s[i].len;
    }
    return w ? w : all;
}

// The chain face, on top of RingLayout (split, split-inorder, packed, packed-inorder):
//   driver_chain_room(n, ind)   how many chains of n segments fit now (ring descriptors
//                               and ids), direct or indirect
//   driver_add_chain(t,s,n,ind) write one chain; false (nothing written) if it does not fit
//   driver_reap_chain(t,l)      as driver_reap, freeing every descriptor of the chain
//   device_pop_chain(c)         the next available chain, walked and bounds-checked
//   device_push_chain(id,d,l)   its completion (d: the chain's ring descriptors)
template <class L>
concept ChainLayout = RingLayout<L> && requires(L& r, const L& cr, std::uint32_t tok, const Segment* s,
                                                std::uint32_t n, bool ind, std::uint32_t& rtok,
                                                std::uint32_t& rlen, PoppedChain& c, std::uint16_t id) {
    { cr.driver_chain_room(n, ind) } -> std::same_as<std::uint32_t>;
    { r.driver_add_chain(tok, s, n, ind) } -> std::same_as<bool>;
    { r.driver_reap_chain(rtok, rlen) } -> std::same_as<ReapStatus>;
    { r.device_pop_chain(c) } -> std::same_as<bool>;
    r.device_push_chain(id, id, n);
};

// The driver's own notify-checks (sites E and H in the layouts) go through this, so that a
// policy can give the driver another fence than the device at the same site: a uniprocessor
// guest's smp_mb() is a compiler barrier while the SMP host keeps its own (seed 004;
// bench/guest's --guest-barriers up).  No policy in barriers.hpp has a driver_notify_check:
// for them this compiles to what notify_check() does.
namespace detail {
template <class B>
[[gnu::always_inline]] inline void driver_notify_check() {
    if constexpr (requires { B::driver_notify_check(); }) B::driver_notify_check();
    else B::notify_check();
}
}  // namespace detail

}  // namespace ringsim
