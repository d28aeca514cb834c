// A fault-injection hook for the one write path (core/atomic_file), so tests can make any
// file shiftrec writes fail the way a full disk, a file-size limit or a read-only folder does.
//
//   SHIFTREC_WRITE_FAULT="ENOSPC:4096:model.pt"
//
// makes writes to files whose final path contains "model.pt" (or any of a comma-separated
// list of names) fail with ENOSPC once 4096 bytes
// have been written to such files in this process (counted over all of them, so a byte count
// past the first epoch's train_state.pt fails the second one). The reason is one of ENOSPC,
// EFBIG, EROFS or EIO; the name part is optional (every file). A file created when the count is
// already reached fails at creation, as a read-only folder would (EROFS:0 fails every create).
// Unset, the hook costs one branch per write.
#pragma once

#include <cstddef>
#include <string>

namespace shiftrec {

// Replaces the environment's fault ("" clears it) and restarts the byte count: for tests
// that run in one process. Throws UserError when `spec` is malformed.
void set_write_fault(const std::string& spec);

// 0 when `final_path` may be created, else the errno the injected fault fails it with.
int injected_create_error(const std::string& final_path);

// How many of `wanted` bytes may go to `final_path` now; sets `error` to the injected errno
// when fewer than `wanted` are allowed (0 otherwise). Counts the bytes it allows.
size_t bytes_allowed_by_fault(const std::string& final_path, size_t wanted, int& error);

}  // namespace shiftrec
