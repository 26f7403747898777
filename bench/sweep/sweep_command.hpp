// sweep_command.hpp: `ringlab sweep`, many configurations under Google Benchmark
// into a results directory (results/SCHEMA.md).
#pragma once

namespace ringlab {

// argv[0] is "sweep".  Exit status: 0 every configuration verified; 1 a
// configuration failed verification or lost notifications; 2 bad input (nothing
// written); 130 interrupted by SIGINT (results.json valid, complete=false).
int sweep_main(int argc, char** argv);

}  // namespace ringlab
