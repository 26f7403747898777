#include "cli/run_options.hpp"

#include <algorithm>

#include "config/axes.hpp"
#include "engine/engine.hpp"

namespace ringlab::cli {

namespace {

std::string flags(const std::string& message) { return config::render(message, config::Spelling::flag); }

// "M      poll | flags | event-idx: how a side asks to be notified (default poll)"
std::string help_of(const config::Field& f) {
    std::string h = f.metavar;
    h.resize(std::max<std::size_t>(h.size() + 1, 7), ' ');
    if (f.kind == config::Kind::word) {
        std::string w;
        for (const auto& v : f.words) w += (w.empty() ? "" : " | ") + v;
        h += w + ": " + f.help;
    } else {
        h += f.help + "; " + f.range;
    }
    if (!f.unset_default && !f.default_text().empty()) h += " (default " + f.default_text() + ")";
    return h;
}

}  // namespace

std::vector<OptionSpec> run_option_specs() {
    std::vector<OptionSpec> specs;
    for (const auto& f : config::fields()) {
        if (!f.flag.empty()) specs.push_back({f.flag, true, help_of(f)});
        for (const auto& s : f.switches) specs.push_back({s.flag, false, "       " + s.help});
    }
    return specs;
}

std::pair<int, int> parse_cpu_pair(const std::string& option, const std::string& value) {
    int a = -1, b = -1;
    if (std::string err = config::parse_cpu_pair(value, a, b); !err.empty()) {
        // The option may be another command's (--cpus of answer, exitcost): its own spelling.
        const std::string mark = "{cpus}";
        if (auto at = err.find(mark); at != std::string::npos) err.replace(at, mark.size(), "--" + option);
        throw UsageError(err);
    }
    return {a, b};
}

ValidConfig check_run_config(const RunConfig& c) {
    try {
        return ValidConfig::check(c, config::Spelling::flag);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
}

RunConfig run_config_from(const Args& a) {
    RunConfig c;
    for (const auto& f : config::fields()) {
        if (!f.flag.empty())
            if (auto v = a.str(f.flag))
                if (std::string err = config::parse_field(f, c, *v); !err.empty()) throw UsageError(flags(err));
        const config::Switch* given = nullptr;
        for (const auto& s : f.switches) {
            if (!a.has(s.flag)) continue;
            if (given) throw UsageError("--" + given->flag + " and --" + s.flag + " exclude each other");
            given = &s;
        }
        if (given) (void)config::parse_field(f, c, given->value);
    }
    return c;
}

}  // namespace ringlab::cli
