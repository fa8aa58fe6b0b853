// MailboxSink: a RecordSink decorator that also accepts records from other threads.
//
// A sink is driven by one writer thread (record_sink.h). Some records are made on another
// thread: the profile builder runs on a writer thread of its own and sends its summary records to
// the case index. They are post()ed to the mailbox, which hands them to the wrapped sink on the
// sink's own thread at its next flush() and at close(), in the order they were posted.
//
// Threading: post() and post_meta() may be called from any thread at any time before close();
// write/flush/close follow the RecordSink rule. Posted records are bounded by the poster (the
// profile builder posts only what changed since its last snapshot, a bounded set).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/sinks/record_sink.h"

namespace netcap {

class RecordMailbox {
 public:
  virtual ~RecordMailbox() = default;
  virtual void post(std::unique_ptr<google::protobuf::Message> record) = 0;
  virtual void post_meta(std::string key, std::string value) = 0;
};

class MailboxSink final : public RecordSink, public RecordMailbox {
 public:
  explicit MailboxSink(std::unique_ptr<RecordSink> inner) : inner_(std::move(inner)) {}
  ~MailboxSink() override { (void)close(); }

  std::string_view name() const override { return inner_->name(); }
  Status write(const google::protobuf::Message& record) override;
  Status flush() override;  // delivers what was posted, then flushes the inner sink
  Status set_meta(const std::string& key, const std::string& value) override;
  Status close() override;  // delivers what was posted, then closes the inner sink

  void post(std::unique_ptr<google::protobuf::Message> record) override;
  void post_meta(std::string key, std::string value) override;

 private:
  Status deliver();

  std::unique_ptr<RecordSink> inner_;
  std::mutex mutex_;  // guards posted_, posted_meta_
  std::vector<std::unique_ptr<google::protobuf::Message>> posted_;
  std::vector<std::pair<std::string, std::string>> posted_meta_;
  bool closed_ = false;
};

}  // namespace netcap
