#include "forensics/streams/ftp/ftp_files.h"

#include "forensics/app/file_emit.h"

namespace netcap::app::ftp {

namespace {

class FtpFileObserver : public DataObserver {
 public:
  explicit FtpFileObserver(AppContext& ctx) : ctx_(ctx) {
    // Passive channels: the FTP server is the data connection's responder (see DataSession).
    if (const Expectation* e = ctx.expectation(); e != nullptr) {
      auto slot = std::static_pointer_cast<ChannelSlot>(e->link);
      passive_ = slot ? slot->passive : e->client.valid();
    }
  }

  void on_begin(const DataTransfer& t, int64_t ts_ns) override {
    if (t.direction == "listing") return;  // not a file
    FileOrigin o;
    o.protocol = "ftp";
    o.name = t.file_name;
    o.direction = t.direction == "upload" ? FileDirection::kUpload : FileDirection::kDownload;
    o.context = t.command.empty() ? std::string() : t.command + " " + t.file_name;
    o.message_id = t.parent_flow_id;
    o.ts_ns = ts_ns;
    // The FTP server sends downloads; it is the responder of passive channels.
    const bool ftp_server_sends = o.direction == FileDirection::kDownload;
    sender_ = ftp_server_sends == passive_ ? StreamDirection::kServerToClient
                                           : StreamDirection::kClientToServer;
    writer_ = ctx_.files()->open(o);
  }

  void on_data(std::span<const uint8_t> bytes, int64_t ts_ns) override {
    if (!writer_) return;
    writer_->write(offset_, bytes, ts_ns);
    offset_ += bytes.size();
  }

  void on_gap(uint64_t length, int64_t ts_ns) override {
    if (!writer_) return;
    writer_->gap(offset_, length, ts_ns);
    offset_ += length;
  }

  void on_end(bool complete, int64_t ts_ns) override {
    if (!writer_) return;
    close_and_emit(ctx_, *writer_, sender_, complete,
                   complete ? "" : "data connection ended without FIN or with missing bytes",
                   ts_ns);
    writer_.reset();
  }

 private:
  AppContext& ctx_;
  bool passive_ = false;
  StreamDirection sender_ = StreamDirection::kServerToClient;
  std::unique_ptr<FileWriter> writer_;
  uint64_t offset_ = 0;
};

}  // namespace

std::unique_ptr<DataObserver> make_file_observer(AppContext& ctx) {
  if (ctx.files() == nullptr) return nullptr;
  return std::make_unique<FtpFileObserver>(ctx);
}

}  // namespace netcap::app::ftp
