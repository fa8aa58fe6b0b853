#include "forensics/streams/smb/smb_files.h"

#include <map>

#include "forensics/app/file_emit.h"
#include "proto/smb.pb.h"

namespace netcap::app::smb {

namespace {

bool is_pipe_share(const std::string& share) {
  return share.size() >= 4 && share.compare(share.size() - 4, 4, "IPC$") == 0;
}

class SmbFileObserver : public DataObserver {
 public:
  explicit SmbFileObserver(AppContext& ctx) : ctx_(ctx) {}

  ~SmbFileObserver() override {
    // Files without a CLOSE and without the session's end-of-flow close (should not happen).
    for (auto& [id, f] : files_) {
      for (int i = 0; i < 2; ++i) {
        if (f.writer[i])
          close_and_emit(ctx_, *f.writer[i], sender(i == 1), false, "no CLOSE seen", last_ts_);
      }
    }
  }

  void on_data(const FileRef& file, bool write, uint64_t offset, std::span<const uint8_t> data,
               int64_t ts_ns) override {
    last_ts_ = std::max(last_ts_, ts_ns);
    if (is_pipe_share(file.share)) return;
    auto it = files_.find(file.file_id);
    if (it == files_.end()) {
      if (files_.size() >= ctx_.limits().max_pending_transactions) {
        if (!warned_) {
          warned_ = true;
          ctx_.anomaly("smb.too_many_extracted_files",
                       "more than " + std::to_string(ctx_.limits().max_pending_transactions) +
                           " files open at once: " + file.file_name + " not stored",
                       ts_ns);
        }
        return;
      }
      it = files_.emplace(file.file_id, Open()).first;
    }
    std::unique_ptr<FileWriter>& w = it->second.writer[write ? 1 : 0];
    if (!w) {
      FileOrigin o;
      o.protocol = "smb";
      o.name = file.file_name;
      o.direction = write ? FileDirection::kUpload : FileDirection::kDownload;
      o.host = file.share;
      o.context = file.share.empty() ? file.file_name : file.share + "\\" + file.file_name;
      o.message_id = file.file_id;
      o.ts_ns = ts_ns;
      w = ctx_.files()->open(o);
    }
    w->write(offset, data, ts_ns);
  }

  void on_close(const FileRef& file, const SMB2File& record) override {
    auto it = files_.find(file.file_id);
    if (it == files_.end()) return;
    const int64_t ts = record.closetime() != 0 ? record.closetime() : last_ts_;
    for (int i = 0; i < 2; ++i) {
      std::unique_ptr<FileWriter>& w = it->second.writer[i];
      if (!w) continue;
      if (record.endoffile() > 0) w->set_declared_size(static_cast<int64_t>(record.endoffile()));
      close_and_emit(ctx_, *w, sender(i == 1), record.closetime() != 0,
                     record.closetime() != 0 ? "" : "no CLOSE seen", ts);
    }
    files_.erase(it);
  }

 private:
  struct Open {
    std::unique_ptr<FileWriter> writer[2];  // [0] READ data, [1] WRITE data
  };
  static StreamDirection sender(bool write) {
    return write ? StreamDirection::kClientToServer : StreamDirection::kServerToClient;
  }

  AppContext& ctx_;
  std::map<std::string, Open> files_;  // by file id, bounded by max_pending_transactions
  bool warned_ = false;
  int64_t last_ts_ = 0;
};

}  // namespace

std::unique_ptr<DataObserver> make_file_observer(AppContext& ctx) {
  if (ctx.files() == nullptr) return nullptr;
  return std::make_unique<SmbFileObserver>(ctx);
}

}  // namespace netcap::app::smb
