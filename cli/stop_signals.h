// StopSignalsBlocked: blocks SIGINT and SIGTERM in the calling thread for its lifetime (restoring
// the previous mask after). Threads started meanwhile inherit the mask, so the signals reach only
// a thread that waits for them (wait() here, or the capture's signal watcher) and never kill the
// process while a server thread happens to run.
// StopOnSignal: during a capture, turns SIGINT/SIGTERM into a clean stop of the packet source.
#pragma once

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "core/capture/packet_source.h"

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

// Watches SIGINT/SIGTERM on its own thread (the signals are blocked in every other thread) and
// asks the source to stop: no global state, no work inside a signal handler.
class StopOnSignal {
 public:
  StopOnSignal(PacketSource& source, std::string prefix)
      : source_(source), prefix_(std::move(prefix)) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::thread([this] {
      timespec wait{0, 200'000'000};
      while (!done_.load()) {
        int sig = sigtimedwait(&set_, nullptr, &wait);
        if (sig == SIGINT || sig == SIGTERM) {
          if (interrupted_.exchange(true)) _exit(130);  // second signal: give up at once
          std::fprintf(stderr, "\n%sstopping (press Ctrl-C again to abort)\n", prefix_.c_str());
          source_.request_stop();
        }
      }
    });
  }
  ~StopOnSignal() {
    done_.store(true);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  bool interrupted() const { return interrupted_.load(); }

 private:
  PacketSource& source_;
  std::string prefix_;  // "netcap capture: "
  sigset_t set_{}, old_{};
  std::atomic<bool> done_{false}, interrupted_{false};
  std::thread thread_;
};

}  // namespace netcap::cli
