// schema.hpp: the versions of the results contract and where it is written down.
//
// The contract (what every field of results.json, histograms.json and a `ringlab run
// --json` file means, which may be null and why) is results/SCHEMA.md; the machine-
// checkable form is results/schema/results-v1.schema.json.  Everything in bench/results
// writes that contract and nothing outside bench/results writes a field of it.
//
// The contract may gain fields without a new version.  Changing or removing a field
// bumps kSchemaVersion, adds results/schema/results-vN.schema.json, and the analysis
// (analysis/ringlab_analysis/load.py) keeps reading the older versions.
#pragma once

namespace ringlab::results {

// context.ringlab.schema_version and histograms.json's schema_version.
inline constexpr int kSchemaVersion = 1;

// Google Benchmark's own JSON format version (context.json_schema_version), which GB 1.8.4
// and later write.  ringlab writes that format itself, whatever GB is installed, and the
// version is the one of the format it writes: 1.
inline constexpr int kGbJsonSchemaVersion = 1;

// Where the contract is described, relative to the repository (and to share/ringlab/
// once installed).
inline constexpr const char* kSchemaDocument = "results/SCHEMA.md";
inline constexpr const char* kJsonSchema = "results/schema/results-v1.schema.json";

}  // namespace ringlab::results
