// One-thread protocol tests of the chain face (--sg, --indirect, --completion,
// packed-inorder): a driver and a device stepped by hand over one ring, with a model of
// every chain (its segments, where it lives, its completion).  Shared memory is read
// directly where the spec fixes a layout (flags, Buffer IDs, indirect tables).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.hpp"
#include "ringsim/virtio_defs.hpp"

using namespace ringtest;
namespace v = ringsim::virtio;
using ringsim::PoppedChain;
using ringsim::ReapStatus;
using ringsim::Segment;

namespace {

ringsim::RingOptions chain_opts(std::uint32_t size, std::uint32_t max_chain, bool indirect) {
    ringsim::RingOptions o = opts(size);
    o.max_chain = max_chain;
    o.indirect = indirect;
    o.chains = true;
    return o;
}

// Segment s of submission seq: address, length and direction derived from (seq, s) alone.
Segment seg_of(std::uint64_t seq, std::uint32_t s, std::uint32_t n) {
    return Segment{0x2000'0000'0000ull + seq * 1024 + s * 64, static_cast<std::uint32_t>((seq * 7 + s) % 1000 + 1),
                   n > 1 && s + 1 == n};
}

enum class Order { in_order, reverse, random };

template <class L>
class ChainHarness {
public:
    ChainHarness(std::uint32_t size, std::uint32_t max_chain, bool indirect, std::uint64_t seed = 1)
        : ring(chain_opts(size, max_chain, indirect)), n(size), rng(seed), sub_(size) {
        for (std::uint32_t t = 0; t < n; ++t) free_.push_back(n - 1 - t);
    }

    struct Sub {
        std::uint64_t seq;
        std::uint32_t nseg;
        bool indirect;
        bool live;
    };
    struct Held {
        std::uint16_t id, ring_descs;
        std::uint32_t len;
        std::uint64_t seq;
        PoppedChain chain;
    };

    L ring;
    const std::uint32_t n;
    std::mt19937_64 rng;
    std::uint64_t submitted = 0, popped = 0, completed = 0;
    std::deque<Held> held;  // popped, not yet pushed
    std::vector<std::uint64_t> order_seen;

    // Driver: one chain; false (and nothing changed) if the ring refuses it.
    bool add(std::uint32_t nseg, bool indirect) {
        if (free_.empty()) return false;
        Segment segs[ringsim::kMaxChain];
        for (std::uint32_t s = 0; s < nseg; ++s) segs[s] = seg_of(submitted, s, nseg);
        const std::uint32_t room = ring.driver_chain_room(nseg, indirect);
        const bool ok = ring.driver_add_chain(free_.back(), segs, nseg, indirect);
        EXPECT_EQ(ok, room > 0) << "driver_chain_room and driver_add_chain disagree";
        if (!ok) return false;
        const std::uint32_t tok = free_.back();
        free_.pop_back();
        sub_[tok] = Sub{submitted, nseg, indirect, true};
        by_seq_.push_back(tok);
        ++submitted;
        return true;
    }

    // Device: pop up to k chains; each must be the next submission, segment for segment.
    std::uint32_t pop(std::uint32_t k) {
        std::uint32_t got = 0;
        PoppedChain c;
        while (got < k && ring.device_pop_chain(c)) {
            EXPECT_FALSE(c.malformed) << "chain " << popped;
            const Sub& s = sub_[by_seq_.at(popped)];
            EXPECT_EQ(c.count, s.nseg) << "chain length, chain " << popped;
            EXPECT_EQ(c.indirect, s.indirect);
            EXPECT_EQ(c.ring_descs, s.indirect ? 1u : s.nseg);
            for (std::uint32_t i = 0; i < c.count && i < s.nseg; ++i) {
                const Segment e = seg_of(s.seq, i, s.nseg);
                EXPECT_EQ(c.seg[i].addr, e.addr) << "chain " << popped << " segment " << i;
                EXPECT_EQ(c.seg[i].len, e.len);
                EXPECT_EQ(c.seg[i].device_writes, e.device_writes);
            }
            held.push_back(Held{c.id, c.ring_descs, ringsim::chain_used_len(c.seg, c.count), popped, c});
            ++popped;
            ++got;
        }
        return got;
    }

    // Device: complete up to k held chains in the given order.
    std::uint32_t push(std::uint32_t k, Order o = Order::in_order) {
        k = std::min<std::uint32_t>(k, static_cast<std::uint32_t>(held.size()));
        std::vector<Held> batch(held.begin(), held.begin() + k);
        held.erase(held.begin(), held.begin() + k);
        if (o == Order::reverse) std::reverse(batch.begin(), batch.end());
        if (o == Order::random) std::shuffle(batch.begin(), batch.end(), rng);
        for (const Held& h : batch) {
            ring.device_push_chain(h.id, h.ring_descs, h.len);
            order_seen.push_back(h.seq);
        }
        return k;
    }

    // Driver: reap everything completed; each token must be outstanding, its length its own.
    std::uint32_t reap() {
        std::uint32_t got = 0, tok = 0, len = 0;
        for (;;) {
            const ReapStatus st = ring.driver_reap_chain(tok, len);
            if (st == ReapStatus::empty) break;
            EXPECT_EQ(st, ReapStatus::ok);
            if (st != ReapStatus::ok || tok >= n) return got;
            Sub& s = sub_[tok];
            EXPECT_TRUE(s.live) << "token completed twice";
            EXPECT_EQ(s.seq, order_seen.at(completed)) << "completion " << completed << " maps to the wrong buffer";
            Segment segs[ringsim::kMaxChain];
            for (std::uint32_t i = 0; i < s.nseg; ++i) segs[i] = seg_of(s.seq, i, s.nseg);
            EXPECT_EQ(len, ringsim::chain_used_len(segs, s.nseg));
            s.live = false;
            free_.push_back(tok);
            ++completed;
            ++got;
        }
        return got;
    }

    // One full step: add up to `adds` chains, publish, pop, push in order o, publish, reap.
    void cycle(std::uint32_t adds, std::uint32_t nseg, bool indirect, Order o) {
        for (std::uint32_t i = 0; i < adds && add(nseg, indirect); ++i) {
        }
        ring.driver_publish();
        pop(~0u);
        push(~0u, o);
        ring.device_publish();
        reap();
    }

    std::uint64_t outstanding() const { return submitted - completed; }

private:
    std::vector<Sub> sub_;
    std::vector<std::uint32_t> free_;
    std::vector<std::uint32_t> by_seq_;
};

template <class L>
class LayoutChains : public ::testing::Test {};

template <class L> struct IsPacked : std::false_type {};
template <class B> struct IsPacked<ringsim::PackedRing<B>> : std::true_type {};
template <class B> struct IsPacked<ringsim::PackedInOrderRing<B>> : std::true_type {};

using ChainLayouts =
    ::testing::Types<ringsim::SplitRing<SeqCstBarrier>, ringsim::SplitInOrderRing<SeqCstBarrier>,
                     ringsim::PackedRing<SeqCstBarrier>, ringsim::PackedInOrderRing<SeqCstBarrier>>;
TYPED_TEST_SUITE(LayoutChains, ChainLayouts, LayoutName);

static_assert(ringsim::ChainLayout<ringsim::SplitRing<SeqCstBarrier>>);
static_assert(ringsim::ChainLayout<ringsim::SplitInOrderRing<SeqCstBarrier>>);
static_assert(ringsim::ChainLayout<ringsim::PackedRing<SeqCstBarrier>>);
static_assert(ringsim::ChainLayout<ringsim::PackedInOrderRing<SeqCstBarrier>>);
static_assert(!ringsim::ChainLayout<ringsim::IndexRing<SeqCstBarrier>>, "the index ring has no descriptors");

}  // namespace

// Many laps with chain lengths that do not divide the ring, so chains cross the ring's
// end at every offset; every batch size from 1 up.
TYPED_TEST(LayoutChains, DirectChainsWrapAcrossTheRingEnd) {
    for (std::uint32_t nseg : {2u, 3u, 5u, 7u}) {
        for (std::uint32_t batch : {1u, 2u, 3u}) {
            ChainHarness<TypeParam> h(16, 8, false);
            for (int i = 0; i < 200; ++i) h.cycle(batch, nseg, false, Order::in_order);
            ASSERT_EQ(h.completed, h.submitted) << "nseg " << nseg << " batch " << batch;
            ASSERT_GE(h.completed, 200u);
        }
    }
}

// Chains of different lengths mixed in one ring, partly in flight across cycles.
TYPED_TEST(LayoutChains, MixedLengthsAndIndirectInOneRing) {
    ChainHarness<TypeParam> h(32, 16, true);
    std::mt19937 r(5);
    for (int i = 0; i < 2000; ++i) {
        const std::uint32_t nseg = 1 + r() % 16;
        const bool ind = (r() & 1) != 0;
        h.add(nseg, ind);
        h.ring.driver_publish();
        if (r() % 3 == 0) {
            h.pop(1 + r() % 4);
            h.push(1 + r() % 4);
            h.ring.device_publish();
            h.reap();
        }
    }
    h.ring.driver_publish();
    h.pop(~0u);
    h.push(~0u);
    h.ring.device_publish();
    h.reap();
    EXPECT_EQ(h.completed, h.submitted);
    EXPECT_GT(h.completed, 500u);
}

// A chain as long as the ring takes every descriptor: it fits once, and then nothing else
// does, not even a chain of one.
TYPED_TEST(LayoutChains, AChainExactlyFillingTheRing) {
    ChainHarness<TypeParam> h(8, 8, false);
    for (int lap = 0; lap < 5; ++lap) {
        ASSERT_EQ(h.ring.driver_chain_room(8, false), 1u);
        ASSERT_TRUE(h.add(8, false));
        EXPECT_EQ(h.ring.driver_chain_room(1, false), 0u);
        EXPECT_FALSE(h.add(1, false));
        h.ring.driver_publish();
        ASSERT_EQ(h.pop(~0u), 1u);
        h.push(1);
        h.ring.device_publish();
        ASSERT_EQ(h.reap(), 1u);
        // Shift the next full chain's head by 3 slots, so later laps start mid-ring.
        if (lap == 1) {
            for (int i = 0; i < 3; ++i) h.cycle(1, 1, false, Order::in_order);
        }
    }
    EXPECT_EQ(h.completed, h.submitted);
}

// A full ring refuses a chain that does not fit, and writes nothing: the device sees
// exactly the chains that fitted.
TYPED_TEST(LayoutChains, AFullRingRefusesAChainThatDoesNotFit) {
    ChainHarness<TypeParam> h(8, 4, false);
    ASSERT_TRUE(h.add(3, false));
    ASSERT_TRUE(h.add(3, false));
    EXPECT_EQ(h.ring.driver_chain_room(3, false), 0u);
    EXPECT_EQ(h.ring.driver_chain_room(2, false), 1u);
    EXPECT_FALSE(h.add(3, false));
    EXPECT_FALSE(h.add(16, true)) << "no indirect tables were allocated";
    h.ring.driver_publish();
    EXPECT_EQ(h.pop(~0u), 2u);
    PoppedChain none;
    EXPECT_FALSE(h.ring.device_pop_chain(none)) << "a refused chain must leave nothing behind";
    h.push(~0u);
    h.ring.device_publish();
    EXPECT_EQ(h.reap(), 2u);
    EXPECT_EQ(h.ring.driver_chain_room(4, false), 2u);
}

// Indirect with N = 1 and N = 16: one ring descriptor with INDIRECT, and the table holds
// exactly the chain -- chained through next for split, a plain array with WRITE as its
// only flag (and no Buffer ID) for packed.
TYPED_TEST(LayoutChains, IndirectTablesWithOneAndSixteenEntries) {
    for (std::uint32_t nseg : {1u, 16u}) {
        ChainHarness<TypeParam> h(4, 16, true);
        const void* desc = area(h.ring, "desc");
        const void* tables = area(h.ring, "indirect");
        ASSERT_NE(tables, nullptr);
        for (int i = 0; i < 12; ++i) {  // three laps of a ring of 4
            ASSERT_TRUE(h.add(nseg, true));
            h.ring.driver_publish();
            ASSERT_EQ(h.pop(1), 1u);
            const auto& held = h.held.back();
            const std::uint32_t slot = static_cast<std::uint32_t>(i % 4);
            const std::uint64_t table = reinterpret_cast<std::uint64_t>(tables) + std::uint64_t(held.id) * 16 * 16;
            if constexpr (IsPacked<TypeParam>::value) {
                const auto d = peek<v::PackedDesc>(desc, slot * 16);
                EXPECT_TRUE(d.flags & v::kDescFIndirect);
                EXPECT_FALSE(d.flags & (v::kDescFNext | v::kDescFWrite));
                EXPECT_EQ(d.addr, table);
                EXPECT_EQ(d.len, nseg * 16);
                EXPECT_EQ(d.id, held.id);
                for (std::uint32_t s = 0; s < nseg; ++s) {
                    const auto e = peek<v::PackedIndirectDesc>(reinterpret_cast<const void*>(table), s * 16);
                    EXPECT_EQ(e.flags, seg_of(held.seq, s, nseg).device_writes ? v::kDescFWrite : 0) << s;
                    EXPECT_EQ(e.id, 0u) << "Buffer ID is reserved in an indirect table";
                    EXPECT_EQ(e.addr, seg_of(held.seq, s, nseg).addr);
                }
            } else {
                const auto d = peek<v::SplitDesc>(desc, held.id * 16);
                EXPECT_EQ(d.flags, v::kDescFIndirect);
                EXPECT_EQ(d.addr, table);
                EXPECT_EQ(d.len, nseg * 16);
                for (std::uint32_t s = 0; s < nseg; ++s) {
                    const auto e = peek<v::SplitIndirectDesc>(reinterpret_cast<const void*>(table), s * 16);
                    const bool more = s + 1 < nseg;
                    EXPECT_EQ(e.flags, (more ? v::kDescFNext : 0) |
                                           (seg_of(held.seq, s, nseg).device_writes ? v::kDescFWrite : 0));
                    if (more) {
                        EXPECT_EQ(e.next, s + 1);
                    }
                }
            }
            h.push(1);
            h.ring.device_publish();
            ASSERT_EQ(h.reap(), 1u);
        }
    }
}

// Direct chains on the packed ring: NEXT on all but the last, the Buffer ID in the last
// only, every descriptor with its own position's wrap encoding -- and the head's flags are
// the last thing written: before driver_publish the head still reads as not available.
TEST(PackedChains, NextFlagsBufferIdInTheLastAndHeadFlagsWrittenLast) {
    ChainHarness<ringsim::PackedRing<SeqCstBarrier>> h(8, 4, false);
    const void* desc = area(h.ring, "desc");
    // Move to slot 5, and keep one buffer (Buffer ID 0) in flight at slot 5, so the chain of
    // 4 gets Buffer ID 1 (telling "in the last only" from "in every one") and crosses the
    // ring's end (slots 6, 7 | 0, 1).
    for (int i = 0; i < 5; ++i) h.cycle(1, 1, false, Order::in_order);
    ASSERT_TRUE(h.add(1, false));
    ASSERT_TRUE(h.add(4, false));
    // The batch's first head (slot 5) gets its flags only from driver_publish's publish
    // store, after every other field of the batch, this chain's included.
    const auto head_before = peek<v::PackedDesc>(desc, 5 * 16);
    EXPECT_NE(head_before.flags & (v::kPackedDescFAvail | v::kPackedDescFUsed), v::kPackedDescFAvail)
        << "the batch head must not look available before publish";
    EXPECT_EQ(peek<v::PackedDesc>(desc, 7 * 16).flags & (v::kPackedDescFAvail | v::kPackedDescFUsed),
              v::kPackedDescFAvail)
        << "the tail is written before the head";
    h.ring.driver_publish();
    const std::uint32_t slots[] = {6, 7, 0, 1};
    for (int i = 0; i < 4; ++i) {
        const auto d = peek<v::PackedDesc>(desc, slots[i] * 16);
        const bool lap0 = i < 2;  // driver wrap counter 1 before the end, 0 after
        EXPECT_EQ(d.flags & (v::kPackedDescFAvail | v::kPackedDescFUsed),
                  lap0 ? v::kPackedDescFAvail : v::kPackedDescFUsed)
            << i;
        EXPECT_EQ((d.flags & v::kDescFNext) != 0, i < 3) << i;
        EXPECT_EQ((d.flags & v::kDescFWrite) != 0, i == 3) << i;
        if (i < 3) {
            EXPECT_EQ(d.id, 0u) << "the Buffer ID belongs in the last descriptor only";
        }
    }
    ASSERT_EQ(h.pop(2), 2u);
    EXPECT_EQ(h.held.back().id, 1u);
    EXPECT_EQ(peek<v::PackedDesc>(desc, 1 * 16).id, 1u);
    h.push(2);
    h.ring.device_publish();
    EXPECT_EQ(h.reap(), 2u);
    // The used descriptor sits where the chain's head was; the next one after the skip.
    EXPECT_EQ(h.ring.snapshot().driver_seen, 2u) << "last_used skipped the chain's 4 descriptors, lap 1";
}

// packed-inorder: a batch of chains comes back as ONE used descriptor (the last buffer's
// id, at the batch's first slot); the other descriptors are never marked used, and the
// driver still hands back every buffer, in order, skipping their descriptors.
TEST(PackedInOrder, OneUsedDescriptorPerBatchTheRestSkippedInOrder) {
    for (std::uint32_t nseg : {1u, 2u, 3u}) {
        ChainHarness<ringsim::PackedInOrderRing<SeqCstBarrier>> h(16, 4, false);
        const void* desc = area(h.ring, "desc");
        std::uint32_t pos = 0;  // driver's slot, lap parity in `lap`
        bool lap0 = true;
        for (int round = 0; round < 40; ++round) {
            const std::uint32_t batch = 1 + round % 4;
            std::uint32_t added = 0;
            while (added < batch && h.add(nseg, false)) ++added;
            h.ring.driver_publish();
            ASSERT_EQ(h.pop(~0u), added);
            const std::uint16_t last_id = h.held.back().id;
            h.push(~0u);
            h.ring.device_publish();
            const std::uint16_t used = lap0 ? (v::kPackedDescFAvail | v::kPackedDescFUsed) : 0;
            const auto first = peek<v::PackedDesc>(desc, pos * 16);
            ASSERT_EQ(first.flags & (v::kPackedDescFAvail | v::kPackedDescFUsed), used) << "round " << round;
            EXPECT_EQ(first.id, last_id) << "the used descriptor carries the batch's last Buffer ID";
            for (std::uint32_t k = 1; k < added * nseg; ++k) {
                const std::uint32_t slot = (pos + k) % 16;
                const bool slot_lap0 = (pos + k < 16) == lap0;
                const auto d = peek<v::PackedDesc>(desc, slot * 16);
                EXPECT_EQ(d.flags & (v::kPackedDescFAvail | v::kPackedDescFUsed),
                          slot_lap0 ? v::kPackedDescFAvail : v::kPackedDescFUsed)
                    << "a skipped descriptor was written as used, round " << round << " k " << k;
            }
            ASSERT_EQ(h.reap(), added);
            pos += added * nseg;
            if (pos >= 16) {
                pos -= 16;
                lap0 = !lap0;
            }
        }
        EXPECT_EQ(h.completed, h.submitted);
    }
}

// Out-of-order completion with many seeds: the split ring's free list and the packed
// ring's Buffer IDs map every completion to its own buffer, chains and tables included.
TEST(OutOfOrderCompletion, RandomOrderManySeedsSplitAndPacked) {
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
        std::mt19937 r(static_cast<std::uint32_t>(seed));
        const std::uint32_t nseg = 1 + seed % 5;
        const bool ind = seed % 3 == 0;
        ChainHarness<ringsim::SplitRing<SeqCstBarrier>> s(16, 8, true, seed);
        ChainHarness<ringsim::PackedRing<SeqCstBarrier>> p(16, 8, true, seed);
        for (int i = 0; i < 150; ++i) {
            const std::uint32_t adds = 1 + r() % 6;
            s.cycle(adds, nseg, ind, Order::random);
            p.cycle(adds, nseg, ind, Order::random);
        }
        ASSERT_EQ(s.completed, s.submitted) << "split seed " << seed;
        ASSERT_EQ(p.completed, p.submitted) << "packed seed " << seed;
        ASSERT_FALSE(HasFailure()) << "seed " << seed;
    }
}

// Keeping chains in flight across cycles and completing a random subset each time: an
// indirect table is rewritten only after its buffer came back used.  Every held chain's
// table is re-read just before its completion and must still describe that chain.
TEST(IndirectTables, NeverReusedBeforeTheirBufferIsUsed) {
    auto run = [](auto& h) {
        std::mt19937 r(9);
        for (int i = 0; i < 3000; ++i) {
            const std::uint32_t nseg = 1 + r() % 16;
            h.add(nseg, true);
            h.ring.driver_publish();
            h.pop(r() % 3);
            // Before completing anything, every held chain's table is intact.
            for (const auto& held : h.held) {
                const PoppedChain& again = held.chain;
                const auto* t = reinterpret_cast<const unsigned char*>(area(h.ring, "indirect")) +
                                std::size_t(held.id) * 16 * 16;
                for (std::uint32_t s = 0; s < again.count; ++s) {
                    std::uint64_t addr;
                    std::memcpy(&addr, t + s * 16, 8);
                    ASSERT_EQ(addr, held.chain.seg[s].addr) << "table of id " << held.id << " rewritten in flight";
                }
            }
            if (r() % 2) {
                const std::uint32_t k = r() % (static_cast<std::uint32_t>(h.held.size()) + 1);
                // Complete a random subset: rotate a random prefix to the front first.
                if (!h.held.empty()) std::rotate(h.held.begin(), h.held.begin() + r() % h.held.size(), h.held.end());
                h.push(k, Order::random);
                h.ring.device_publish();
                h.reap();
            }
        }
    };
    ChainHarness<ringsim::SplitRing<SeqCstBarrier>> s(16, 16, true, 3);
    ChainHarness<ringsim::PackedRing<SeqCstBarrier>> p(16, 16, true, 3);
    run(s);
    run(p);
    EXPECT_GT(s.completed, 1000u);
    EXPECT_GT(p.completed, 1000u);
}

// The device's walk is bounded: a loop in a split chain, or a chain with INDIRECT inside,
// comes back malformed rather than hanging or reading outside the ring.
TEST(SplitChains, ALoopOrNestedIndirectIsMalformed) {
    ChainHarness<ringsim::SplitRing<SeqCstBarrier>> h(8, 4, false);
    ASSERT_TRUE(h.add(2, false));
    auto* desc = const_cast<v::SplitDesc*>(static_cast<const v::SplitDesc*>(area(h.ring, "desc")));
    h.ring.driver_publish();
    // The head is descriptor 0 (a fresh free list hands out 0, 1, ...); point its tail back at it.
    ASSERT_TRUE(desc[0].flags & v::kDescFNext);
    const std::uint16_t tail = desc[0].next;
    desc[tail].flags = v::kDescFNext;
    desc[tail].next = 0;
    PoppedChain c;
    ASSERT_TRUE(h.ring.device_pop_chain(c));
    EXPECT_TRUE(c.malformed);
    EXPECT_LE(c.count, ringsim::kMaxChain);

    ChainHarness<ringsim::SplitRing<SeqCstBarrier>> g(8, 4, false);
    ASSERT_TRUE(g.add(2, false));
    auto* gd = const_cast<v::SplitDesc*>(static_cast<const v::SplitDesc*>(area(g.ring, "desc")));
    gd[gd[0].next].flags |= v::kDescFIndirect;
    g.ring.driver_publish();
    ASSERT_TRUE(g.ring.device_pop_chain(c));
    EXPECT_TRUE(c.malformed);
}

// A table address that is not the start of one of the ring's own tables is never followed.
TEST(PackedChains, AnIndirectPointerOutsideTheTablesIsMalformed) {
    ChainHarness<ringsim::PackedRing<SeqCstBarrier>> h(8, 4, true);
    ASSERT_TRUE(h.add(3, true));
    auto* desc = const_cast<v::PackedDesc*>(static_cast<const v::PackedDesc*>(area(h.ring, "desc")));
    desc[0].addr += 16;  // the second entry of the table, not a table start
    h.ring.driver_publish();
    PoppedChain c;
    ASSERT_TRUE(h.ring.device_pop_chain(c));
    EXPECT_TRUE(c.malformed);
    EXPECT_EQ(c.count, 0u);
}

// The layouts of the indirect elements are the spec's, byte for byte.
TEST(IndirectLayout, ElementsAreTheRingDescriptors) {
    static_assert(sizeof(v::SplitIndirectDesc) == 16 && sizeof(v::PackedIndirectDesc) == 16);
    EXPECT_EQ(offsetof(v::SplitIndirectDesc, next), 14u);
    EXPECT_EQ(offsetof(v::PackedIndirectDesc, id), 12u);
    EXPECT_EQ(ringsim::detail::indirect_stride(1), 1u);
    EXPECT_EQ(ringsim::detail::indirect_stride(3), 4u);
    EXPECT_EQ(ringsim::detail::indirect_stride(16), 16u);
}

// split-inorder chains use the table in ring order: next = x + 1, and 0 after the table's
// last slot (spec "The Virtqueue Descriptor Table", IN_ORDER), the id is the head slot.
TEST(SplitInOrderChains, NextIsTheFollowingSlotAndZeroAfterTheLast) {
    ChainHarness<ringsim::SplitInOrderRing<SeqCstBarrier>> h(8, 4, false);
    for (int i = 0; i < 6; ++i) h.cycle(1, 1, false, Order::in_order);  // head at slot 6
    ASSERT_TRUE(h.add(4, false));                                      // slots 6, 7, 0, 1
    h.ring.driver_publish();
    const auto* desc = static_cast<const v::SplitDesc*>(area(h.ring, "desc"));
    EXPECT_EQ(desc[6].next, 7u);
    EXPECT_EQ(desc[7].next, 0u);
    EXPECT_EQ(desc[0].next, 1u);
    EXPECT_FALSE(desc[1].flags & v::kDescFNext);
    EXPECT_TRUE(desc[1].flags & v::kDescFWrite);
    ASSERT_EQ(h.pop(1), 1u);
    EXPECT_EQ(h.held.back().id, 6u);
}
