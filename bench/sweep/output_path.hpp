// output_path.hpp: where ringlab may write a file.
//
// Every output (--json, results.json, histograms.json, spec.json) is written
// through a temporary name and rename(2).  A rename replaces whatever the name
// pointed at: a character device (/dev/null, /dev/full), a FIFO, a symlink.  So
// an output name must be either new or an existing regular file, and its
// directory must exist and be writable; this is checked before any measurement.
#pragma once

#include <string>

namespace ringlab::results {

// "" if path may be written; otherwise one sentence (without the option name)
// saying why not, e.g. "is a character device, not a regular file".
std::string output_path_problem(const std::string& path);

// "" if dir can hold outputs (exists as a writable directory, or can be created
// under a writable existing parent); otherwise why not.
std::string output_dir_problem(const std::string& dir);

}  // namespace ringlab::results
