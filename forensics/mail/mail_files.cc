#include "forensics/mail/mail_files.h"

#include "forensics/app/file_emit.h"

namespace netcap::app::mail {

namespace {

class MailFileObserver : public MailObserver {
 public:
  MailFileObserver(AppContext& ctx, FileDirection direction) : ctx_(ctx), direction_(direction) {}

  void on_message(const netcap::Mail& record, std::string_view raw,
                  const std::vector<DecodedPart>& parts) override {
    const int64_t ts = record.timestamp();
    const bool complete = !record.truncated();
    FileOrigin o;
    o.protocol = record.protocol();
    o.direction = direction_;
    o.host = record.from();
    o.context = record.subject();
    o.message_id = record.messageid();
    o.ts_ns = ts;
    {
      FileOrigin m = o;
      m.name = (record.subject().empty() ? std::string("message") : record.subject()) + ".eml";
      m.declared_type = "message/rfc822";
      m.declared_size = record.size();
      store(m, raw, complete, ts);
    }
    for (const DecodedPart& p : parts) {
      if (p.content.empty()) continue;
      FileOrigin m = o;
      m.name = p.info.filename().empty() ? "part-" + p.info.path() : p.info.filename();
      m.declared_type = p.info.contenttype();
      store(m, p.content, complete, ts);
    }
  }

 private:
  void store(const FileOrigin& o, std::string_view content, bool complete, int64_t ts) {
    std::unique_ptr<FileWriter> w = ctx_.files()->open(o);
    w->write(0, {reinterpret_cast<const uint8_t*>(content.data()), content.size()}, ts);
    if (!complete) w->truncated("message incomplete or over the mail size limit");
    close_and_emit(ctx_, *w, sender_of(direction_), complete, complete ? "" : "message cut", ts);
  }

  AppContext& ctx_;
  FileDirection direction_;
};

class ObservedSession : public AppSession {
 public:
  ObservedSession(std::unique_ptr<MailObserver> observer,
                  const std::function<std::unique_ptr<AppSession>(MailObserver*)>& make)
      : observer_(std::move(observer)), session_(make(observer_.get())) {}
  void on_data(StreamDirection dir, Bytes data, int64_t ts_ns) override {
    session_->on_data(dir, data, ts_ns);
  }
  void on_gap(StreamDirection dir, uint64_t length, int64_t ts_ns) override {
    session_->on_gap(dir, length, ts_ns);
  }
  void on_datagram(StreamDirection dir, Bytes payload, uint32_t payload_length, int64_t ts_ns,
                   uint64_t frame) override {
    session_->on_datagram(dir, payload, payload_length, ts_ns, frame);
  }
  void on_end(StreamEndReason reason, int64_t ts_ns) override { session_->on_end(reason, ts_ns); }

 private:
  std::unique_ptr<MailObserver> observer_;  // declared first: outlives session_
  std::unique_ptr<AppSession> session_;
};

}  // namespace

std::unique_ptr<MailObserver> make_file_observer(AppContext& ctx, FileDirection direction) {
  if (ctx.files() == nullptr) return nullptr;
  return std::make_unique<MailFileObserver>(ctx, direction);
}

std::unique_ptr<AppSession> with_observer(
    std::unique_ptr<MailObserver> observer,
    const std::function<std::unique_ptr<AppSession>(MailObserver*)>& make) {
  if (!observer) return make(nullptr);
  return std::make_unique<ObservedSession>(std::move(observer), make);
}

}  // namespace netcap::app::mail
