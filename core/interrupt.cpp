#include "core/interrupt.h"

#include <csignal>
#include <string>

#include "core/error.h"

namespace shiftrec {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signal) {
  if (g_signal != 0) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
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
