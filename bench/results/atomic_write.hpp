// atomic_write.hpp: how and where ringlab writes a file of the results contract.
//
// Every output (--json, results.json, histograms.json, spec.json) is written
// through a temporary name and rename(2).  A rename replaces whatever the name
// pointed at: a character device (/dev/null, /dev/full), a FIFO, a symlink.  So
// an output name must be either new or an existing regular file, and its
// directory must exist and be writable; this is checked before any measurement.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace ringlab::results {

// "" if path may be written; otherwise one sentence (without the option name)
// saying why not, e.g. "is a character device, not a regular file".
std::string output_path_problem(const std::string& path);

// "" if dir can hold outputs (exists as a writable directory, or can be created
// under a writable existing parent); otherwise why not.
std::string output_dir_problem(const std::string& dir);

// Replaces every non-finite number anywhere in j by null (a last line of defence;
// callers record reasons before this).  Returns how many it replaced.
std::size_t scrub_non_finite(nlohmann::json& j);

// Writes j to path through a temporary file in the same directory, then rename(2),
// so a reader (or a crash) never sees half a file.  Refuses (std::runtime_error) a
// path output_path_problem() rejects.  Throws std::runtime_error.
void write_json_atomically(const std::string& path, const nlohmann::json& j, int indent = 2);

}  // namespace ringlab::results
