#include "core/interrupt.h"

#include <csignal>
#include <ctime>
#include <string>

#include "core/error.h"

namespace shiftrec {
namespace {

volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_first_second = 0;  // monotonic second of the first signal

long monotonic_seconds() {  // clock_gettime is async-signal-safe
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long>(now.tv_sec);
}

// The first signal asks for a clean stop. A repeat within about a second is the same request
// delivered twice (`timeout` signals the process and then its process group); a later one
// means "now": the default action.
extern "C" void on_signal(int signal) {
  if (g_signal != 0) {
    if (monotonic_seconds() - g_first_second <= 1) return;
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  g_first_second = static_cast<std::sig_atomic_t>(monotonic_seconds());
  g_signal = signal;
}

}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGXFSZ, SIG_IGN);
}

bool interrupted() { return g_signal != 0; }

void throw_if_interrupted() {
  if (g_signal == 0) return;
  throw UserError(std::string("interrupted by ") + (g_signal == SIGINT ? "SIGINT" : "SIGTERM"));
}

}  // namespace shiftrec
