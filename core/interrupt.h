// Turning SIGINT / SIGTERM into a clean stop.
//
// After install_interrupt_handlers(), the first SIGINT or SIGTERM only sets a flag; long loops
// call throw_if_interrupted() between steps, which throws UserError("interrupted by SIGTERM"),
// so the run ends through the usual error path (run directory moved to *.failed with the
// reason, one line on stderr). A second signal terminates at once.
#pragma once

namespace shiftrec {

void install_interrupt_handlers();
bool interrupted();
void throw_if_interrupted();

}  // namespace shiftrec
