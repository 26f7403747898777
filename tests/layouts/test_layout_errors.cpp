// Bad and duplicate ids from the device, and bad constructor arguments.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "harness.hpp"

using namespace ringtest;
using ringsim::NotifyMode;
using ringsim::ReapStatus;

template <class L>
class LayoutErrors : public ::testing::Test {};
TYPED_TEST_SUITE(LayoutErrors, AllLayouts, LayoutName);

TYPED_TEST(LayoutErrors, IdOutOfRangeIsBadId) {
    for (std::uint16_t bad : {std::uint16_t{8}, std::uint16_t{11}, std::uint16_t{0xffff}}) {
        Harness<TypeParam> h(opts(8));
        h.add(2);
        h.ring.driver_publish();
        h.pop(2);
        h.ring.device_push(bad, 1);
        h.ring.device_publish();
        std::uint32_t tok, len;
        EXPECT_EQ(h.ring.driver_reap(tok, len), ReapStatus::bad_id) << "id " << bad;
    }
}

TYPED_TEST(LayoutErrors, DuplicateCompletionIsNotOutstanding) {
    Harness<TypeParam> h(opts(8));
    h.add(1);
    h.ring.driver_publish();
    std::uint16_t id;
    std::uint64_t addr;
    std::uint32_t len, tok;
    ASSERT_TRUE(h.ring.device_pop(id, addr, len));
    if constexpr (std::string_view(TypeParam::name) == "packed-inorder") {
        GTEST_SKIP() << "packed-inorder: a batch's one used descriptor names only its last buffer, so a "
                        "buffer pushed twice in one batch is indistinguishable from once (covered instead by "
                        "the device's sequence check in the engine)";
    }
    h.ring.device_push(id, len);
    h.ring.device_push(id, len);  // the same buffer completed twice
    h.ring.device_publish();
    EXPECT_EQ(h.ring.driver_reap(tok, len), ReapStatus::ok);
    EXPECT_EQ(h.ring.driver_reap(tok, len), ReapStatus::not_outstanding);
}

TYPED_TEST(LayoutErrors, CompletionOfANeverAddedIdIsNotOutstanding) {
    Harness<TypeParam> h(opts(8));
    h.ring.device_push(3, 1);  // nothing was ever made available
    h.ring.device_publish();
    std::uint32_t tok, len;
    EXPECT_EQ(h.ring.driver_reap(tok, len), ReapStatus::not_outstanding);
}

namespace {

// Overwrites the Buffer ID / used id of the first completion directly in shared memory,
// found through areas(), as a corrupt or malicious device would.
template <class L>
void poke_first_completion_id(const L& ring, std::uint32_t id) {
    const std::string_view name = L::name;
    const bool packed = name.starts_with("packed");
    const char* area = packed ? "desc" : name == "index" ? "comp-entries" : "used";
    for (const auto& a : ring.areas()) {
        if (a.name != area) continue;
        auto* base = static_cast<unsigned char*>(const_cast<void*>(a.addr));
        if (packed) {
            const auto id16 = static_cast<std::uint16_t>(id);
            std::memcpy(base + 12, &id16, 2);  // PackedDesc::id of slot 0
        } else if (name == "index") {
            std::memcpy(base + 12, &id, 4);  // IndexEntry::id of slot 0
        } else {
            std::memcpy(base + 4, &id, 4);  // used->ring[0].id
        }
        return;
    }
    FAIL() << "no area " << area;
}

}  // namespace

TYPED_TEST(LayoutErrors, CorruptedSharedIdIsDetected) {
    for (std::uint32_t poke : {100u, 8u, 5u}) {
        Harness<TypeParam> h(opts(8));
        h.add(1);
        h.ring.driver_publish();
        h.pop(1);
        h.push(1);
        h.ring.device_publish();
        poke_first_completion_id(h.ring, poke);
        std::uint32_t tok, len;
        const auto expect = poke >= 8 ? ReapStatus::bad_id : ReapStatus::not_outstanding;
        EXPECT_EQ(h.ring.driver_reap(tok, len), expect) << "poked id " << poke;
    }
}

namespace {

template <class L>
std::string ctor_error(const ringsim::RingOptions& o) {
    try {
        L ring(o);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TYPED_TEST(LayoutErrors, BadRingSizeThrowsWithTheValidRange) {
    for (std::uint32_t bad : {0u, 1u, 3u, 100u, 32769u, 65536u, 0x80000000u}) {
        const std::string msg = ctor_error<TypeParam>(opts(bad));
        EXPECT_NE(msg.find("ring size " + std::to_string(bad)), std::string::npos) << msg;
        EXPECT_NE(msg.find("power of two from 2 to 32768"), std::string::npos) << msg;
    }
    for (std::uint32_t good : {2u, 32768u}) EXPECT_EQ(ctor_error<TypeParam>(opts(good)), "");
}

TYPED_TEST(LayoutErrors, BadCacheLineThrowsWithTheValidValues) {
    for (std::uint32_t bad : {0u, 32u, 96u, 256u}) {
        const std::string msg = ctor_error<TypeParam>(opts(8, NotifyMode::poll, bad));
        EXPECT_NE(msg.find("cache line " + std::to_string(bad)), std::string::npos) << msg;
        EXPECT_NE(msg.find("64 or 128"), std::string::npos) << msg;
    }
}

TYPED_TEST(LayoutErrors, UnsupportedNotifyModeThrows) {
    for (NotifyMode m : {NotifyMode::poll, NotifyMode::flags, NotifyMode::event_idx}) {
        const std::string msg = ctor_error<TypeParam>(opts(8, m));
        if (TypeParam::supports_notify(m)) {
            EXPECT_EQ(msg, "");
        } else {
            EXPECT_NE(msg.find("event-idx is not supported by the index layout"), std::string::npos) << msg;
            EXPECT_NE(msg.find("poll or flags"), std::string::npos) << msg;
        }
    }
}
