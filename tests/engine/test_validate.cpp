#include <gtest/gtest.h>

#include "engine/engine.hpp"

using namespace ringlab;

static std::string why(void (*tweak)(RunConfig&)) {
    RunConfig c;
    tweak(c);
    return validate(c);
}

TEST(Validate, DefaultIsValid) { EXPECT_EQ(validate(RunConfig{}), ""); }

TEST(Validate, EachBadInputNamesItsValidRange) {
    EXPECT_NE(why([](RunConfig& c) { c.layout = "ring"; }).find("split, split-inorder, packed, index"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.barrier = "strong"; }).find("mandatory"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.ring_size = 100; }).find("power of two from 2 to 32768"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.ring_size = 65536; }).find("power of two"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.batch = 512; }).find("1 to the ring size"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.outstanding = 300; }).find("exceeds the ring size"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.batch = 8; c.outstanding = 4; }).find("batch <= outstanding"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.payload_bytes = 7; }).find("multiple of 8"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.cache_line = 32; }).find("64 or 128"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.driver_cpu = 4000; }).find("not online"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.driver_cpu = c.device_cpu = 0; }).find("allow_same_cpu"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.wait = WaitMode::sleep; }).find("needs notifications"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.layout = "index"; c.notify = ringsim::NotifyMode::event_idx; })
                  .find("does not support"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.kick_mode = KickMode::unlocked; }).find("submitters 2"), std::string::npos);
    EXPECT_NE(why([](RunConfig& c) { c.drop_kick = 0.5; c.notify = ringsim::NotifyMode::flags; }).find("sleep"),
              std::string::npos);
}

TEST(Validate, RunEngineRefusesWhatValidateRejects) {
    RunConfig c;
    c.ring_size = 3;
    EXPECT_THROW(run_engine(c), std::invalid_argument);
}
