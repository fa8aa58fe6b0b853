#include "core/sinks/mailbox_sink.h"

namespace netcap {

Status MailboxSink::write(const google::protobuf::Message& record) {
  if (closed_) return Status::error("write after close");
  return inner_->write(record);
}

Status MailboxSink::flush() {
  if (closed_) return Status::ok();
  if (Status s = deliver(); !s) return s;
  return inner_->flush();
}

Status MailboxSink::set_meta(const std::string& key, const std::string& value) {
  return inner_->set_meta(key, value);
}

Status MailboxSink::close() {
  if (closed_) return Status::ok();
  Status delivered = deliver();
  closed_ = true;
  Status closing = inner_->close();
  return delivered ? closing : delivered;
}

void MailboxSink::post(std::unique_ptr<google::protobuf::Message> record) {
  std::lock_guard<std::mutex> lock(mutex_);
  posted_.push_back(std::move(record));
}

void MailboxSink::post_meta(std::string key, std::string value) {
  std::lock_guard<std::mutex> lock(mutex_);
  posted_meta_.emplace_back(std::move(key), std::move(value));
}

Status MailboxSink::deliver() {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  std::vector<std::pair<std::string, std::string>> meta;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    records.swap(posted_);
    meta.swap(posted_meta_);
  }
  for (const auto& record : records) {
    if (Status s = inner_->write(*record); !s) return s;
  }
  for (const auto& [key, value] : meta) {
    if (Status s = inner_->set_meta(key, value); !s) return s;
  }
  return Status::ok();
}

}  // namespace netcap
