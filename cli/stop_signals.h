// StopSignalsBlocked: blocks SIGINT and SIGTERM in the calling thread for its lifetime (restoring
// the previous mask after). Threads started meanwhile inherit the mask, so the signals reach only
// a thread that waits for them (wait() here, or the capture's signal watcher) and never kill the
// process while a server thread happens to run.
#pragma once

#include <pthread.h>
#include <signal.h>

namespace netcap::cli {

class StopSignalsBlocked {
 public:
  StopSignalsBlocked() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &old_mask_);
  }
  ~StopSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr); }
  StopSignalsBlocked(const StopSignalsBlocked&) = delete;
  StopSignalsBlocked& operator=(const StopSignalsBlocked&) = delete;

  // Waits for SIGINT or SIGTERM; returns the signal number.
  int wait() const {
    int signal_number = 0;
    sigwait(&signals_, &signal_number);
    return signal_number;
  }

 private:
  sigset_t signals_{};
  sigset_t old_mask_{};
};

}  // namespace netcap::cli
