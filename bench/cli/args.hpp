// args.hpp: ringlab's one command-line parser, used by every command (the sweep too).
// Each command declares its options; anything else is an error that lists the valid
// ones.  Errors are UsageError, which the CLI turns into a message and exit code 2.
// Every command also takes -h/--help (the command prints its usage) and --version
// (VersionRequest, which main answers), whether or not it declares them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ringlab::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// --version was given: main prints the version and exits 0.
struct VersionRequest {};

struct OptionSpec {
    std::string name;  // without the leading dashes
    bool takes_value;
    std::string help;  // "VALUE  what it does"
    // May be given more than once; the values join with commas, as a list option reads them
    // (--question a --question b = --question a,b).  Any other option given twice is an error:
    // the last value silently winning made `--question a --question b` answer b alone.
    bool repeatable = false;
};

class Args {
public:
    // argv[first] is the first option; --name value, --name=value and --flag are accepted.
    // Arguments starting with passthrough_prefix (e.g. "--benchmark_") are kept, unparsed,
    // for another parser (Google Benchmark's).
    Args(const std::vector<OptionSpec>& specs, int argc, char** argv, int first,
         const std::string& passthrough_prefix = "");

    bool has(const std::string& name) const { return values_.count(name) != 0; }
    std::optional<std::string> str(const std::string& name) const;
    std::string str_or(const std::string& name, const std::string& def) const;
    // Integer in [lo, hi], or the default; error names the option and the range.
    std::uint64_t uint_or(const std::string& name, std::uint64_t def, std::uint64_t lo, std::uint64_t hi) const;
    double double_or(const std::string& name, double def, double lo, double hi) const;
    // One of the listed words.
    std::string choice_or(const std::string& name, const std::string& def, const std::vector<std::string>& valid) const;
    const std::vector<std::string>& positional() const { return positional_; }
    const std::vector<std::string>& passthrough() const { return passthrough_; }
    // UsageError naming the first stray word, for commands that take no positional arguments.
    void expect_no_positional() const;

    // The options' lines, --help and --version included.
    static std::string usage(const std::vector<OptionSpec>& specs);

private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_, passthrough_;
};

}  // namespace ringlab::cli
