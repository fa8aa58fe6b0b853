#include "transforms/case_index_pool.h"

#include <sys/stat.h>

#include <filesystem>

namespace netcap {

namespace {

// The identity of CASE_DIR/index.db now; false when it cannot be read.
bool index_identity(const std::string& case_dir, dev_t& dev, ino_t& ino) {
  struct stat st {};
  const std::string path = (std::filesystem::path(case_dir) / "index.db").string();
  if (::stat(path.c_str(), &st) != 0) return false;
  dev = st.st_dev;
  ino = st.st_ino;
  return true;
}

}  // namespace

CaseIndexPool::Lease::~Lease() {
  if (pool_ != nullptr && index_.db() != nullptr) {
    pool_->give_back(case_dir_, std::move(index_), dev_, ino_);
  }
}

Expected<CaseIndexPool::Lease> CaseIndexPool::acquire(const std::string& case_dir) {
  dev_t dev = 0;
  ino_t ino = 0;
  const bool known = index_identity(case_dir, dev, ino);
  if (known) {
    std::vector<CaseIndex> stale;  // closed outside the lock
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = idle_.find(case_dir);
    while (it != idle_.end() && !it->second.empty()) {
      Idle entry = std::move(it->second.back());
      it->second.pop_back();
      if (entry.dev == dev && entry.ino == ino) {
        return Lease(this, case_dir, std::move(entry.index), dev, ino);
      }
      stale.push_back(std::move(entry.index));  // index.db was replaced
    }
  }
  Expected<CaseIndex> opened = CaseIndex::open_read_only(case_dir);
  if (!opened) return opened.status();
  // Without a readable identity the connection is used once and not pooled.
  return Lease(known ? this : nullptr, case_dir, std::move(opened.value()), dev, ino);
}

void CaseIndexPool::give_back(const std::string& case_dir, CaseIndex index, dev_t dev, ino_t ino) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Idle>& list = idle_[case_dir];
  if (list.size() >= max_idle_per_case_) return;  // `index` closes here
  list.push_back(Idle{std::move(index), dev, ino});
}

size_t CaseIndexPool::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& [dir, list] : idle_) n += list.size();
  return n;
}

}  // namespace netcap
