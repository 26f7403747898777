// Default event sets encode through libpfm4's tables.  ctest runs this binary once
// per PMU model with LIBPFM_FORCE_PMU=<model> (read by pfm_initialize), so the
// x86 build checks Intel and AMD models, and the arm64 / ppc64le cross builds
// (under qemu-user) check Neoverse and POWER models.  Without the variable it
// checks the machine's own detected set.
#include <gtest/gtest.h>

#include <linux/perf_event.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "pmu/events.hpp"

using namespace ringlab::pmu;

namespace {
std::string forced() {
    const char* f = std::getenv("LIBPFM_FORCE_PMU");
    return f ? f : "";
}
// Models whose libpfm4 table lacks some events: alias -> must be empty (documented in events.cpp).
const std::map<std::string, std::set<std::string>> kKnownGaps = {
    {"amd64_fam17h_zen1", {"llc-misses", "c2c"}},
    {"amd64_fam17h", {"llc-misses", "c2c"}},
};
std::set<std::string> generic_names() {
    std::set<std::string> out;
    for (const auto& e : default_set_for("no-such-model").events)
        if (!e.name.empty()) out.insert(e.name);
    return out;
}
}  // namespace

// Every perf:: name any table uses is a generic-set name, and (unforced) each encodes.
TEST(Encoding, GenericNamesEncode) {
    ASSERT_EQ(init_libpfm(), "");
    for (const auto& m : models_with_default_sets())
        for (const auto& e : default_set_for(m).events)
            if (e.name.rfind("perf::", 0) == 0) {
                EXPECT_TRUE(generic_names().count(e.name)) << m << ": " << e.name;
            }
    // A forced model is the only active PMU: the generic names encode in the unforced run.
    if (!forced().empty()) return;
    for (const auto& n : generic_names()) {
        auto r = encode_event(n);
        EXPECT_TRUE(r.encoding) << n << ": " << r.error;
    }
}

TEST(Encoding, DefaultSetEncodesEveryEvent) {
    ASSERT_EQ(init_libpfm(), "");
    const std::string model = forced();
    DefaultSet s = default_set();
    std::cout << "model: " << (model.empty() ? "(detected)" : model) << " -> set for " << s.pmu << ": " << s.note
              << "\n";
    if (!model.empty()) {
        // The forced model must be detected and have its own (non-generic) set.
        auto pmus = detected_core_pmus();
        EXPECT_NE(std::find(pmus.begin(), pmus.end(), model), pmus.end()) << model << " not active";
        EXPECT_EQ(s.pmu, model);
        EXPECT_FALSE(s.generic);
    } else {
        EXPECT_FALSE(s.note.empty());
    }
    auto gaps = kKnownGaps.count(s.pmu) ? kKnownGaps.at(s.pmu) : std::set<std::string>{};
    std::set<std::string> aliases;
    for (const auto& e : s.events) {
        aliases.insert(e.alias);
        if (e.name.empty()) {
            EXPECT_TRUE(gaps.count(e.alias) || (s.generic && e.alias == "c2c")) << e.alias << " unexpectedly empty";
            EXPECT_FALSE(e.note.empty());
            continue;
        }
        if (!model.empty() && e.name.rfind("perf::", 0) == 0) {
            // A forced model is the only active PMU, so libpfm4 cannot encode the kernel's
            // generic events here; GenericNamesEncode checks them in the unforced run.
            EXPECT_TRUE(generic_names().count(e.name)) << e.name << " is not one of the generic set's names";
            continue;
        }
        EncodeResult r = encode_event(e.name);
        ASSERT_TRUE(r.encoding.has_value()) << e.alias << " = " << e.name << ": " << r.error;
        EXPECT_FALSE(r.encoding->fqname.empty());
        EXPECT_TRUE(r.encoding->exclude_kernel) << "user-level counting expected";
        if (e.name.rfind("perf::", 0) != 0 && !model.empty()) {
            EXPECT_EQ(r.encoding->fqname.rfind(model + "::", 0), 0u) << r.encoding->fqname;
        }
        std::cout << "  " << e.alias << " = " << r.encoding->fqname << " type " << r.encoding->type << " config 0x"
                  << std::hex << r.encoding->config << std::dec << "\n";
    }
    for (const char* a : {"cycles", "instructions", "branch-misses", "l1d-misses", "llc-misses", "c2c"})
        EXPECT_TRUE(aliases.count(a)) << a;
}

// POWER pins most events to one PMC (bits 16-19 of the event code).  Two events of
// one group on the same PMC can never be scheduled together, so check the tables.
TEST(Encoding, PowerGroupsRespectPmcConstraints) {
    const std::string model = forced();
    if (model.rfind("power", 0) != 0) return;  // the POWER tables encode only with a forced POWER model
    ASSERT_EQ(init_libpfm(), "");
    DefaultSet s = default_set();
    std::map<int, std::map<int, std::string>> used;  // group -> pmc -> alias
    int checked = 0;
    for (const auto& e : s.events) {
        if (e.name.rfind("perf::", 0) == 0) continue;  // generic: the kernel puts it on fixed PMC5/6
        auto r = encode_event(e.name);
        ASSERT_TRUE(r.encoding) << e.name;
        ++checked;
        if (r.encoding->type != PERF_TYPE_RAW) continue;
        const int pmc = static_cast<int>((r.encoding->config >> 16) & 0xf);
        if (pmc == 0) continue;  // any PMC
        auto [it, fresh] = used[e.group].emplace(pmc, e.alias);
        EXPECT_TRUE(fresh) << e.alias << " and " << it->second << " both need PMC" << pmc << " in group " << e.group;
    }
    EXPECT_GE(checked, 4);
}

TEST(Encoding, UnknownNameGivesLibpfmError) {
    auto r = encode_event("RINGLAB_NOT_AN_EVENT");
    EXPECT_FALSE(r.encoding);
    EXPECT_FALSE(r.error.empty());
}
