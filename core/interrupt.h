// Turning SIGINT / SIGTERM into a clean stop.
//
// After install_interrupt_handlers(), the first SIGINT or SIGTERM only sets a flag; long loops
// call throw_if_interrupted() between steps, which throws UserError("interrupted by SIGTERM"),
// so the run ends through the usual error path (run directory moved to *.failed with the
// reason, one line on stderr). A second signal terminates at once — unless it comes within a
// second of the first: that is the same request delivered twice (`timeout` signals the
// process and then its process group), and the clean stop goes on.
//
// They also ignore SIGXFSZ, which a file-size limit (`ulimit -f`) sends on the write that
// crosses it and which kills the process silently by default: ignored, that write fails with
// EFBIG and ends as "cannot write FILE: File too large" like any other failed write.
#pragma once

namespace shiftrec {

void install_interrupt_handlers();
bool interrupted();
void throw_if_interrupted();

}  // namespace shiftrec
