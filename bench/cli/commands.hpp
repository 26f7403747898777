// commands.hpp: one function per `ringlab` subcommand.  Each returns the exit
// code: 0 success, 1 the measurement failed (verification, lost notifications),
// 2 bad input (UsageError is caught in main and also gives 2).
#pragma once

namespace ringlab::cli {

int cmd_run(int argc, char** argv);
int cmd_stress(int argc, char** argv);
int cmd_pingpong(int argc, char** argv);
int cmd_list(int argc, char** argv);
int cmd_topo(int argc, char** argv);
int cmd_env(int argc, char** argv);
int cmd_answer(int argc, char** argv);
int cmd_exitcost(int argc, char** argv);  // cmd_exitcost.cpp: the KVM boundary alone

}  // namespace ringlab::cli
