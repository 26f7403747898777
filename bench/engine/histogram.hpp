// histogram.hpp: a log-linear latency histogram (HDR-style), so latency mode
// records every round trip in O(1) without keeping a sorted array of samples.
//
// Values below 2^kSubBits land in exact buckets; above that, each power of two
// is split into 2^kSubBits linear sub-buckets, so the relative error of any
// reported percentile is below 2^-kSubBits (< 0.8% with kSubBits = 7).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

namespace ringlab {

class Histogram {
public:
    static constexpr unsigned kSubBits = 7;
    static constexpr unsigned kSub = 1u << kSubBits;
    static constexpr unsigned kGroups = 64 - kSubBits;  // covers all of uint64_t
    static constexpr unsigned kBuckets = kSub + kGroups * (kSub / 2);

    void record(std::uint64_t v) {
        ++counts_[index_of(v)];
        ++count_;
        if (v > max_) max_ = v;
        if (count_ == 1 || v < min_) min_ = v;
    }
    void merge(const Histogram& o) {
        for (unsigned i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
        if (o.count_) {
            if (count_ == 0 || o.min_ < min_) min_ = o.min_;
            max_ = std::max(max_, o.max_);
        }
        count_ += o.count_;
    }
    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    std::uint64_t min() const { return min_; }

    // The smallest recorded-bucket upper bound at or below which a fraction p of samples lie.
    std::uint64_t percentile(double p) const {
        if (count_ == 0) return 0;
        if (p <= 0) return min_;
        auto rank = static_cast<std::uint64_t>(p * double(count_) + 0.5);
        rank = std::clamp<std::uint64_t>(rank, 1, count_);
        std::uint64_t seen = 0;
        for (unsigned i = 0; i < kBuckets; ++i) {
            seen += counts_[i];
            if (seen >= rank) return std::min(upper_of(i), max_);
        }
        return max_;
    }

    // Non-empty buckets as (lower, upper, count), for the histogram side file.
    struct Bucket { std::uint64_t lower, upper, count; };
    std::vector<Bucket> buckets() const {
        std::vector<Bucket> out;
        for (unsigned i = 0; i < kBuckets; ++i)
            if (counts_[i]) out.push_back({lower_of(i), upper_of(i), counts_[i]});
        return out;
    }

    // Scales every recorded value by a factor (e.g. timer ticks -> ns) into a new histogram.
    Histogram scaled(double factor) const {
        Histogram h;
        for (unsigned i = 0; i < kBuckets; ++i) {
            if (!counts_[i]) continue;
            auto mid = (lower_of(i) + upper_of(i)) / 2;
            auto j = index_of(static_cast<std::uint64_t>(double(mid) * factor));
            h.counts_[j] += counts_[i];
        }
        h.count_ = count_;
        h.min_ = static_cast<std::uint64_t>(double(min_) * factor);
        h.max_ = static_cast<std::uint64_t>(double(max_) * factor);
        return h;
    }

    static unsigned index_of(std::uint64_t v) {
        if (v < kSub) return static_cast<unsigned>(v);
        unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(v));  // >= kSubBits
        unsigned group = msb - kSubBits + 1;                               // 1..kGroups
        unsigned sub = static_cast<unsigned>(v >> (msb - kSubBits + 1)) & (kSub / 2 - 1);
        return kSub + (group - 1) * (kSub / 2) + sub;
    }
    static std::uint64_t lower_of(unsigned i) {
        if (i < kSub) return i;
        unsigned group = (i - kSub) / (kSub / 2) + 1;
        unsigned sub = (i - kSub) % (kSub / 2);
        unsigned shift = group;  // bucket width is 2^group
        return (std::uint64_t(kSub / 2 + sub)) << shift;
    }
    static std::uint64_t upper_of(unsigned i) {
        if (i < kSub) return i;
        unsigned group = (i - kSub) / (kSub / 2) + 1;
        return lower_of(i) + ((std::uint64_t(1) << group) - 1);
    }

private:
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0, max_ = 0, min_ = 0;
};

}  // namespace ringlab
