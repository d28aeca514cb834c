// OpenMP worker threads that sleep rather than spin while they wait for work.
//
// LibTorch's and OpenBLAS's OpenMP runtime (libgomp) lets idle worker threads spin for a
// while before they sleep. On cores that other processes share — another run, a sweep's
// --jobs, ctest -j — the spinning threads take the cores from the ones with work: a
// quickstart epoch measured 20x slower with 2 threads on 2 busy cores (102 s vs 5.1 s with
// one thread; 5.6 s with passive waits). libgomp reads OMP_WAIT_POLICY when it loads, before
// main(), so the setting needs a fresh start of the program. The price on idle cores: a
// 2-thread quickstart epoch 1.3 s instead of 0.9 s (spinning threads wake faster).
#pragma once

namespace shiftrec {

// Unless OMP_WAIT_POLICY is set (a user's choice is kept: OMP_WAIT_POLICY=active restores
// spinning), sets it to "passive" and restarts this program with the same arguments (execv:
// same process id). Returns only when no restart happened. Call first thing in main().
void restart_with_passive_openmp_waits(char** argv);

}  // namespace shiftrec
