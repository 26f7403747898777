// ringsim/layouts/index_ring.hpp: a plain single-producer single-consumer ring in each
// direction, the reference row that shows what the transport costs without virtio's
// bookkeeping (no descriptor table, no avail/used indirection, no event index).
//
// Memory (each area line-aligned, none sharing a line):
//   avail-entries  N x {u64 addr; u32 len; u32 id}   written by the driver
//   avail-prod     u32 free-running producer index   written by the driver
//   avail-cons     u32 free-running consumer index   written by the device
//   kick-wakeup    u32 "device needs a kick"         written by the device
//   comp-entries   N x {u64 addr; u32 len; u32 id}   written by the device
//   comp-prod      u32                               written by the device
//   comp-cons      u32                               written by the driver
//   call-wakeup    u32 "driver needs a call"         written by the driver
//   driver-state / driver-tokens / driver-free-ids, device-state: private
// Each side caches its peer's index privately and re-reads the shared one only when the
// cached value says empty (consumer) or full (producer), as DPDK's rte_ring and folly's
// ProducerConsumerQueue avoid touching the peer's line on every operation.
// Invariants:
//   - slot = idx & (N-1); prod - cons <= N in each direction.
//   - outstanding (added - reaped) <= N, which already keeps both rings from filling, so
//     the producers' full checks are defensive (they throw if ever true).  They stay quiet
//     because each consumer index is written (WRITE_ONCE) BEFORE that role's next publish in
//     the other direction, whose barrier carries it: the device stores avail-cons just before
//     publishing comp-prod (C); the driver stores comp-cons in driver_reap, before its next
//     avail-prod publish (A).  A producer that has seen the peer's publish thus sees a
//     consumer index at least as fresh as the completions it has reaped.
//   - the driver's full check first uses what it knows without a load: the device popped an
//     entry before completing it, so avail-cons >= comp-cons (completions reaped).  With the
//     ring full of work (streaming) avail-cons is always within one buffer of "full" by a
//     stale copy, and reading the device's line for it cost a transfer per buffer.
// Notifications: poll, or flags = AF_XDP-style NEED_WAKEUP words (1 = "notify me"); the
// words start at 1, matching the virtio layouts whose zeroed rings start "enabled".
// event_idx has no meaning here and is refused.
//
// Barrier sites and pairings:
//   A  driver_publish:      publish_store(avail-prod)           pairs with B
//   B  device_pop:          consume_load(avail-prod)            pairs with A
//   C  device_publish:      publish_store(comp-prod)            pairs with D
//   D  driver_reap:         consume_load(comp-prod)             pairs with C
//   E  driver_kick_needed:  notify_check, read kick-wakeup      pairs with F
//   F  device_enable_kicks: kick-wakeup = 1, notify_check, re-read avail-prod   pairs with E
//   G  device_call_needed:  notify_check, read call-wakeup      pairs with H
//   H  driver_enable_calls: call-wakeup = 1, notify_check, re-read comp-prod    pairs with G
#pragma once

#include <concepts>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ringsim/concepts.hpp"
#include "ringsim/layouts/common.hpp"
#include "ringsim/shared_area.hpp"

namespace ringsim {

// The index ring publishes 32-bit indices, so its barrier policy must also take u32 words.
template <class B>
concept WideBarrierPolicy = BarrierPolicy<B> && requires(std::uint32_t* p, const std::uint32_t* cp) {
    B::publish_store(p, std::uint32_t{0});
    { B::consume_load(cp) } -> std::same_as<std::uint32_t>;
};

struct IndexEntry {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint32_t id;
};
static_assert(sizeof(IndexEntry) == 16);

template <WideBarrierPolicy B>
class IndexRing {
public:
    static constexpr std::string_view name = "index";
    static constexpr bool supports_notify(NotifyMode m) { return m != NotifyMode::event_idx; }

    explicit IndexRing(const RingOptions& o = {}) : n_(o.size), mask_(o.size - 1), notify_(o.notify), mem_(check(o)) {
        const auto i_aent = mem_.add("avail-entries", sizeof(IndexEntry) * n_, true);
        const auto i_aprod = mem_.add("avail-prod", sizeof(std::uint32_t), true);
        const auto i_acons = mem_.add("avail-cons", sizeof(std::uint32_t), true);
        const auto i_kick = mem_.add("kick-wakeup", sizeof(std::uint32_t), true);
        const auto i_cent = mem_.add("comp-entries", sizeof(IndexEntry) * n_, true);
        const auto i_cprod = mem_.add("comp-prod", sizeof(std::uint32_t), true);
        const auto i_ccons = mem_.add("comp-cons", sizeof(std::uint32_t), true);
        const auto i_call = mem_.add("call-wakeup", sizeof(std::uint32_t), true);
        const auto i_drv = mem_.add("driver-state", sizeof(DriverState), false);
        const auto i_tok = mem_.add("driver-tokens", sizeof(std::uint32_t) * n_, false);
        const auto i_ids = mem_.add("driver-free-ids", sizeof(std::uint16_t) * n_, false);
        const auto i_dev = mem_.add("device-state", sizeof(DeviceState), false);
        mem_.allocate();
        avail_ = mem_.template at<IndexEntry>(i_aent);
        avail_prod_ = mem_.template at<std::uint32_t>(i_aprod);
        avail_cons_ = mem_.template at<std::uint32_t>(i_acons);
        kick_wakeup_ = mem_.template at<std::uint32_t>(i_kick);
        comp_ = mem_.template at<IndexEntry>(i_cent);
        comp_prod_ = mem_.template at<std::uint32_t>(i_cprod);
        comp_cons_ = mem_.template at<std::uint32_t>(i_ccons);
        call_wakeup_ = mem_.template at<std::uint32_t>(i_call);
        drv_ = mem_.template at<DriverState>(i_drv);
        dev_ = mem_.template at<DeviceState>(i_dev);
        ids_ = detail::IdPool(mem_.template at<std::uint16_t>(i_ids), mem_.template at<std::uint32_t>(i_tok),
                              &drv_->num_free, n_);
        if (notify_ == NotifyMode::flags) {
            *kick_wakeup_ = 1;  // before any other thread exists: no race
            *call_wakeup_ = 1;
        }
        drv_->calls_enabled = dev_->kicks_enabled = true;
    }

    std::uint32_t size() const { return n_; }

    // Driver side ---------------------------------------------------------------
    std::uint32_t driver_free() const { return ids_.free(); }

    void driver_add(std::uint32_t token, std::uint64_t addr, std::uint32_t len) {
        if (ids_.free() == 0) [[unlikely]] detail::throw_driver_full(name);
        const std::uint32_t prod = drv_->avail_prod;
        if (prod - drv_->cached_avail_cons == n_) [[unlikely]] {
            // Every reaped completion was popped first: comp-cons bounds avail-cons from below,
            // and while fewer than N are outstanding it is all the check needs.
            drv_->cached_avail_cons = drv_->comp_cons;
        }
        if (prod - drv_->cached_avail_cons == n_) [[unlikely]] {
            drv_->cached_avail_cons = detail::read_once(avail_cons_);
            if (prod - drv_->cached_avail_cons == n_) detail::throw_driver_full(name);
        }
        const std::uint16_t id = ids_.take(token);
        IndexEntry* e = &avail_[prod & mask_];
        detail::write_once(&e->addr, addr);
        detail::write_once(&e->len, len);
        detail::write_once(&e->id, std::uint32_t{id});
        drv_->avail_prod = prod + 1;  // made visible by A
    }

    void driver_publish() {
        if (drv_->avail_prod == drv_->avail_published) return;
        // A: entries before avail-prod.  Pairs with B in device_pop.
        B::publish_store(avail_prod_, drv_->avail_prod);
        drv_->avail_published = drv_->avail_prod;
    }

    bool driver_kick_needed() {
        if (notify_ == NotifyMode::poll) return false;
        // E: avail-prod store (A) before the kick-wakeup load.  Pairs with F.
        detail::driver_notify_check<B>();
        return detail::read_once(kick_wakeup_) != 0;
    }

    ReapStatus driver_reap(std::uint32_t& token, std::uint32_t& len) {
        const std::uint32_t cons = drv_->comp_cons;
        if (cons == drv_->cached_comp_prod) {
            // D: comp-prod before the entry.  Pairs with C in device_publish.
            drv_->cached_comp_prod = B::consume_load(comp_prod_);
            if (cons == drv_->cached_comp_prod) return ReapStatus::empty;
        }
        const IndexEntry* e = &comp_[cons & mask_];
        const std::uint32_t id = detail::read_once(&e->id);
        const std::uint32_t elen = detail::read_once(&e->len);
        detail::write_once(&drv_->comp_cons, cons + 1);
        detail::write_once(comp_cons_, cons + 1);  // carried by the next A, see the header comment
        const ReapStatus st = ids_.give_back(id, token);
        if (st == ReapStatus::ok) len = elen;
        return st;
    }

    void driver_disable_calls() {
        if (notify_ == NotifyMode::poll || !drv_->calls_enabled) return;
        drv_->calls_enabled = false;
        detail::write_once(call_wakeup_, std::uint32_t{0});
    }

    bool driver_enable_calls() {
        if (notify_ != NotifyMode::poll) {
            if (!drv_->calls_enabled) detail::write_once(call_wakeup_, std::uint32_t{1});
            drv_->calls_enabled = true;
            // H: call-wakeup store before the comp-prod re-check.  Pairs with G.
            detail::driver_notify_check<B>();
        }
        drv_->cached_comp_prod = B::consume_load(comp_prod_);  // D (re-check)
        return drv_->cached_comp_prod != drv_->comp_cons;
    }

    // Device side ---------------------------------------------------------------
    bool device_pop(std::uint16_t& id, std::uint64_t& addr, std::uint32_t& len) {
        const std::uint32_t cons = dev_->avail_cons;
        if (cons == dev_->cached_avail_prod) {
            // B: avail-prod before the entry.  Pairs with A in driver_publish.
            dev_->cached_avail_prod = B::consume_load(avail_prod_);
            if (cons == dev_->cached_avail_prod) return false;
        }
        const IndexEntry* e = &avail_[cons & mask_];
        addr = detail::read_once(&e->addr);
        len = detail::read_once(&e->len);
        id = static_cast<std::uint16_t>(detail::read_once(&e->id));
        detail::write_once(&dev_->avail_cons, cons + 1);
        return true;
    }

    void device_push(std::uint16_t id, std::uint32_t len) {
        const std::uint32_t prod = dev_->comp_prod;
        if (prod - dev_->cached_comp_cons == n_) [[unlikely]] {
            dev_->cached_comp_cons = detail::read_once(comp_cons_);
            if (prod - dev_->cached_comp_cons == n_) {
                throw std::logic_error("device_push on a full index completion ring: more completions than buffers");
            }
        }
        IndexEntry* e = &comp_[prod & mask_];
        detail::write_once(&e->addr, std::uint64_t{0});
        detail::write_once(&e->len, len);
        detail::write_once(&e->id, std::uint32_t{id});
        dev_->comp_prod = prod + 1;  // made visible by C
    }

    void device_publish() {
        if (dev_->comp_prod == dev_->comp_published) return;
        // Before C, so that C carries it: a driver that sees these completions also sees a
        // consumer index at least this fresh, and its full check stays quiet.
        detail::write_once(avail_cons_, dev_->avail_cons);
        // C: completion entries (and avail-cons) before comp-prod.  Pairs with D in driver_reap.
        B::publish_store(comp_prod_, dev_->comp_prod);
        dev_->comp_published = dev_->comp_prod;
    }

    bool device_call_needed() {
        if (notify_ == NotifyMode::poll) return false;
        // G: comp-prod store (C) before the call-wakeup load.  Pairs with H.
        B::notify_check();
        return detail::read_once(call_wakeup_) != 0;
    }

    void device_disable_kicks() {
        if (notify_ == NotifyMode::poll || !dev_->kicks_enabled) return;
        dev_->kicks_enabled = false;
        detail::write_once(kick_wakeup_, std::uint32_t{0});
    }

    bool device_enable_kicks() {
        if (notify_ != NotifyMode::poll) {
            if (!dev_->kicks_enabled) detail::write_once(kick_wakeup_, std::uint32_t{1});
            dev_->kicks_enabled = true;
            // F: kick-wakeup store before the avail-prod re-check.  Pairs with E.
            B::notify_check();
        }
        dev_->cached_avail_prod = B::consume_load(avail_prod_);  // B (re-check)
        return dev_->cached_avail_prod != detail::read_once(&dev_->avail_cons);
    }

    // Diagnostics (any thread, racy) ---------------------------------------------
    bool pending_for_device() const {
        return detail::read_once(avail_prod_) != detail::read_once(&dev_->avail_cons);
    }
    bool pending_for_driver() const {
        return detail::read_once(comp_prod_) != detail::read_once(&drv_->comp_cons);
    }

    RingSnapshot snapshot() const {
        RingSnapshot s{};
        s.driver_published = detail::read_once(avail_prod_);
        s.device_seen = detail::read_once(&dev_->avail_cons);
        s.device_published = detail::read_once(comp_prod_);
        s.driver_seen = detail::read_once(&drv_->comp_cons);
        s.avail_flags_or_driver_event_flags = static_cast<std::uint16_t>(detail::read_once(call_wakeup_));
        s.used_flags_or_device_event_flags = static_cast<std::uint16_t>(detail::read_once(kick_wakeup_));
        return s;
    }

    std::vector<Area> areas() const { return mem_.areas(); }

private:
    struct DriverState {
        std::uint32_t avail_prod;         // next avail entry to fill
        std::uint32_t avail_published;    // value last stored to avail-prod
        std::uint32_t cached_avail_cons;  // avail-cons as last read (full check only)
        std::uint32_t comp_cons;          // next completion to reap   [watchdog]
        std::uint32_t cached_comp_prod;   // comp-prod as last read (D)
        std::uint32_t num_free;           // free entry ids (IdPool's count)
        bool calls_enabled;
    };
    struct DeviceState {
        std::uint32_t avail_cons;         // next avail entry to pop   [watchdog]
        std::uint32_t cached_avail_prod;  // avail-prod as last read (B)
        std::uint32_t comp_prod;          // next completion entry to fill
        std::uint32_t comp_published;     // value last stored to comp-prod
        std::uint32_t cached_comp_cons;   // comp-cons as last read (full check only)
        bool kicks_enabled;
    };

    static std::uint32_t check(const RingOptions& o) {
        detail::validate_ring_options(o, name, supports_notify(o.notify), "poll or flags");
        return o.cache_line;
    }

    std::uint32_t n_;
    std::uint32_t mask_;
    NotifyMode notify_;
    AreaSet mem_;
    IndexEntry* avail_ = nullptr;
    std::uint32_t* avail_prod_ = nullptr;
    std::uint32_t* avail_cons_ = nullptr;
    std::uint32_t* kick_wakeup_ = nullptr;
    IndexEntry* comp_ = nullptr;
    std::uint32_t* comp_prod_ = nullptr;
    std::uint32_t* comp_cons_ = nullptr;
    std::uint32_t* call_wakeup_ = nullptr;
    DriverState* drv_ = nullptr;
    DeviceState* dev_ = nullptr;
    detail::IdPool ids_;
};

}  // namespace ringsim
