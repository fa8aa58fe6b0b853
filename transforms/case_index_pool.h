// CaseIndexPool: read-only connections to case indexes, kept open between transforms.
//
// Opening a case index costs a schema parse, and a new connection starts with nothing cached:
// on a 445 MB index the first query of a connection takes 30-50 ms where the same query on a
// connection that ran before takes 2-10 ms (docs/performance.md). The transform server
// therefore borrows a connection per request from this pool and gives it back afterwards.
//
// A pooled connection is dropped when its index.db was replaced (another device or inode: a
// capture with --force wrote a new case) so that answers never come from a deleted file; a
// capture appending to the same file is seen by every connection (WAL, one read transaction per
// statement).
//
// Limits: at most `max_idle_per_case` idle connections per case (the rest are closed when given
// back). Thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/sinks/case_index.h"
#include "core/util/status.h"

namespace netcap {

class CaseIndexPool {
 public:
  explicit CaseIndexPool(size_t max_idle_per_case = 16) : max_idle_per_case_(max_idle_per_case) {}

  // A borrowed connection; given back to the pool when destroyed.
  class Lease {
   public:
    Lease(CaseIndexPool* pool, std::string case_dir, CaseIndex index, dev_t dev, ino_t ino)
        : pool_(pool),
          case_dir_(std::move(case_dir)),
          index_(std::move(index)),
          dev_(dev),
          ino_(ino) {}
    Lease(Lease&&) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    CaseIndex& index() { return index_; }

   private:
    CaseIndexPool* pool_;
    std::string case_dir_;
    CaseIndex index_;
    dev_t dev_;
    ino_t ino_;
  };

  // An open connection to CASE_DIR/index.db: a pooled one when its file is still the current
  // index.db, else a new one (CaseIndex::open_read_only's errors).
  Expected<Lease> acquire(const std::string& case_dir);

  // Idle connections held now (tests).
  size_t idle() const;

 private:
  struct Idle {
    CaseIndex index;
    dev_t dev;
    ino_t ino;
  };
  void give_back(const std::string& case_dir, CaseIndex index, dev_t dev, ino_t ino);

  size_t max_idle_per_case_;
  mutable std::mutex mutex_;  // guards idle_
  std::map<std::string, std::vector<Idle>> idle_;
};

}  // namespace netcap
