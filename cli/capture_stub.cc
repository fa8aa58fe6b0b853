// Placeholder until cli/capture_command.cc exists (the lead removes this file).
#include <iostream>

#include "cli/commands.h"

namespace netcap {

int run_capture(int, char**) {
  std::cerr << "capture: not built\n";
  return 1;
}

}  // namespace netcap
