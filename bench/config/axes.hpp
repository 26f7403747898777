// axes.hpp: the one description of ringlab's configuration space.
//
// Every setting of a run is one row of a table (fields()): its name (the RunConfig
// member, the sweep spec's key and the results JSON's key), its type and valid values,
// how it is parsed and printed, its command-line spelling, its help text and, for the
// sweep's axes, its name inside benchmark names.  The combinations that are refused,
// and why, are a second table (rules()), written in field names.
//
// Everything else is derived: the options of `run` and `stress`, the sweep's axes, spec
// parsing and pruning, benchmark names, the config section of the results, validation,
// `ringlab list` and the vocabulary written into a results context.  Adding an axis is
// a row here plus the code that uses the value.
//
// Messages mark field names as {name} (or {name=value}); render() spells them as the
// front end needs: field names for specs, results and the engine, flags for the CLI.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/run_config.hpp"

namespace ringlab::config {

enum class Kind : std::uint8_t {
    word,     // one of `words`
    integer,  // an unsigned integer in a range (`range` says which)
    number,   // a real number in a range
    toggle,   // true or false, set on the command line by a switch
    text,     // a form of its own (auto=K, random:SEED, drop-kick=P, A,B)
};
const char* kind_name(Kind k);

// A command-line switch that sets its field to one value (--kick-unlocked, --no-floor).
struct Switch {
    std::string flag;   // without the dashes
    std::string value;  // as the field's parse() reads it
    std::string help;
};

struct Field {
    std::string name;                 // RunConfig member / spec key / JSON key
    Kind kind = Kind::word;
    std::vector<std::string> words;   // word: the valid values; text: the bare words it also takes
    std::string range;                // the valid values in words, for messages and help
    std::string help;                 // what it means
    // The command line.
    std::string flag;                 // --flag VALUE ("" = no valued option)
    std::string metavar;
    std::vector<Switch> switches;
    // The sweep.
    std::string short_name;           // in benchmark names ("" = not a sweep axis)
    bool always_in_name = false;      // in every name, not only when it differs from the default
    bool in_json = false;             // in entry.ringlab.config
    bool unset_default = false;       // the default means "not given" and is outside the range (duration)
    // Access to RunConfig.  placement is no RunConfig member (the runner chooses CPUs from
    // it): its functions are empty.
    std::function<std::string(RunConfig&, const std::string&)> parse;  // "" or why not, with {name} marks
    std::function<std::string(const RunConfig&)> print;
    std::function<void(RunConfig&, const RunConfig&)> copy;            // this field only
    std::function<nlohmann::json(const RunConfig&)> json;              // its value in the results

    bool is_axis() const { return !short_name.empty(); }
    bool is_member() const { return static_cast<bool>(parse); }
    std::string default_text() const;  // print(RunConfig{}); placement: "auto"
};

// Every field; the sweep's axes first, in the order benchmark names carry them.
const std::vector<Field>& fields();
const Field* find_field(const std::string& name);
const Field* find_flag(const std::string& flag);   // valued option or switch
std::vector<const Field*> axes();                  // the sweep's axes, in name order

// A combination that is refused (invalid) or pointless (the sweep prunes it; run allows it).
struct Rule {
    std::vector<std::string> fields;  // what it relates
    bool invalid = true;
    std::string summary;              // for ringlab list and the vocabulary
    std::function<std::string(const RunConfig&)> check;  // "" or why, with {name} marks
};
const std::vector<Rule>& rules();

// A problem with a configuration, in field terms.
struct Problem {
    std::vector<std::string> fields;
    std::string message;  // with {name} marks: pass through render()
    explicit operator bool() const { return !message.empty(); }
};
// Each field's value, then each invalid combination: the first problem, or none.
// Machine facts (is that CPU online?) are the engine's: see engine validate().
Problem check(const RunConfig& c);
// The first pointless or invalid combination (the sweep's pruning).
Problem prune(const RunConfig& c);

enum class Spelling { field, flag };
// {name} -> "name" or "--flag"; {name=value} -> "name value", "--flag value" or the switch.
std::string render(const std::string& message, Spelling s);

// Parse one field's value from text into c (the CLI's and the spec's values alike).
// "" or a message with {name} marks.
std::string parse_field(const Field& f, RunConfig& c, const std::string& text);

// --cpus A,B: two CPU numbers 0..65535 (driver, device).  "" or why (with {cpus}).
std::string parse_cpu_pair(const std::string& text, int& driver, int& device);

// Enum spellings, one place.
const char* notify_name(ringsim::NotifyMode m);
const char* wait_name(WaitMode m);
const char* kick_mode_name(KickMode m);
const char* device_access_name(DeviceAccess m);
const char* latency_name(LatencyMode m);
const char* verify_name(VerifyMode m);
std::string inject_text(const RunConfig& c);  // drop-kick=P,drop-call=P or ""

// The placement axis's values: "auto", "all" and the CPU-pair relations.
const std::vector<std::string>& placement_values();

// entry.ringlab.config: every field marked in_json, placement given.
nlohmann::json to_json(const RunConfig& c, const std::string& placement);
// ring/layout:L/barrier:B/.../placement:P[/axis:value...]: the axes that are always in
// names, then those that differ from their default.
std::string benchmark_name(const RunConfig& c, const std::string& placement);
// The vocabulary (context.ringlab.vocabulary): fields, their values, defaults and
// rules, so that readers of results need no list of their own.
nlohmann::json vocabulary_json();

}  // namespace ringlab::config
