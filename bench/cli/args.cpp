#include "cli/args.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace ringlab::cli {

namespace {

// Every command's: appended to its own options where it does not declare them.
std::vector<OptionSpec> with_common(const std::vector<OptionSpec>& specs) {
    std::vector<OptionSpec> all = specs;
    auto has = [&](const char* n) {
        for (const auto& s : specs)
            if (s.name == n) return true;
        return false;
    };
    if (!has("help")) all.push_back({"help", false, "       this text (also -h)"});
    if (!has("version")) all.push_back({"version", false, "       ringlab's version, git revision and compiler"});
    return all;
}

}  // namespace

Args::Args(const std::vector<OptionSpec>& declared, int argc, char** argv, int first,
           const std::string& passthrough_prefix) {
    const std::vector<OptionSpec> specs = with_common(declared);
    for (int i = first; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h") a = "--help";
        if (!passthrough_prefix.empty() && a.rfind(passthrough_prefix, 0) == 0) {
            passthrough_.push_back(a);
            continue;
        }
        if (a.rfind("--", 0) != 0) {
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        bool inline_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        auto it = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
        if (it == specs.end()) {
            std::string valid;
            for (const auto& s : specs) valid += (valid.empty() ? "--" : ", --") + s.name;
            if (!passthrough_prefix.empty()) valid += ", " + passthrough_prefix + "*";
            throw UsageError("unknown option --" + name + " (valid options: " + valid + ")");
        }
        if (it->takes_value && !inline_value) {
            if (i + 1 >= argc) throw UsageError("option --" + name + " needs a value");
            value = argv[++i];
        } else if (!it->takes_value && inline_value) {
            throw UsageError("option --" + name + " takes no value");
        }
        if (auto seen = values_.find(name); seen != values_.end()) {
            if (!it->repeatable)
                throw UsageError("option --" + name + " given more than once (give it once)");
            seen->second += "," + value;
        } else {
            values_[name] = value;
        }
    }
    // --help wins over --version; a command that declares "version" itself answers it.
    if (values_.count("version") && !values_.count("help") &&
        std::none_of(declared.begin(), declared.end(), [](const OptionSpec& s) { return s.name == "version"; }))
        throw VersionRequest{};
}

void Args::expect_no_positional() const {
    if (!positional_.empty())
        throw UsageError("unexpected argument '" + positional_.front() + "' (options start with --; see --help)");
}

std::optional<std::string> Args::str(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::str_or(const std::string& name, const std::string& def) const {
    auto v = str(name);
    return v ? *v : def;
}

std::uint64_t Args::uint_or(const std::string& name, std::uint64_t def, std::uint64_t lo, std::uint64_t hi) const {
    auto v = str(name);
    if (!v) return def;
    const std::string range = " (an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ")";
    if (v->empty() || !std::all_of(v->begin(), v->end(), ::isdigit))
        throw UsageError("--" + name + " '" + *v + "' is not valid" + range);
    errno = 0;
    unsigned long long x = std::strtoull(v->c_str(), nullptr, 10);
    if (errno == ERANGE || x < lo || x > hi) throw UsageError("--" + name + " " + *v + " is out of range" + range);
    return x;
}

double Args::double_or(const std::string& name, double def, double lo, double hi) const {
    auto v = str(name);
    if (!v) return def;
    char* end = nullptr;
    double x = std::strtod(v->c_str(), &end);
    std::ostringstream range;
    range << " (a number from " << lo << " to " << hi << ")";
    if (v->empty() || *end != '\0' || !std::isfinite(x)) throw UsageError("--" + name + " '" + *v + "' is not valid" + range.str());
    if (x < lo || x > hi) throw UsageError("--" + name + " " + *v + " is out of range" + range.str());
    return x;
}

std::string Args::choice_or(const std::string& name, const std::string& def, const std::vector<std::string>& valid) const {
    auto v = str(name);
    if (!v) return def;
    if (std::find(valid.begin(), valid.end(), *v) != valid.end()) return *v;
    std::string list;
    for (const auto& s : valid) list += (list.empty() ? "" : ", ") + s;
    throw UsageError("--" + name + " '" + *v + "' is not valid (valid: " + list + ")");
}

std::string Args::usage(const std::vector<OptionSpec>& declared) {
    std::ostringstream o;
    for (const auto& s : with_common(declared)) {
        std::string left = "  --" + s.name;
        o << left;
        for (std::size_t i = left.size(); i < 24; ++i) o << ' ';
        o << s.help << "\n";
    }
    return o.str();
}

}  // namespace ringlab::cli
