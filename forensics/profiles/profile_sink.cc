#include "forensics/profiles/profile_sink.h"

namespace netcap::profiles {

namespace {

class ProfileSink final : public RecordSink {
 public:
  ProfileSink(RecordMailbox& out, std::unique_ptr<FieldData> data, ProfileSinkOptions options)
      : out_(out),
        data_(std::move(data)),
        options_(options),
        builder_(data_.get(), options.limits) {}
  ~ProfileSink() override { (void)close(); }

  std::string_view name() const override { return "profiles"; }

  Status write(const google::protobuf::Message& record) override {
    if (closed_) return Status::error("profiles: write after close");
    builder_.observe(record);
    ++since_snapshot_;
    return Status::ok();
  }

  Status flush() override {
    if (closed_) return Status::ok();
    bool by_count =
        options_.snapshot_every_records > 0 && since_snapshot_ >= options_.snapshot_every_records;
    bool by_time = options_.snapshot_every_ns > 0 && since_snapshot_ > 0 &&
                   builder_.latest_time() - last_snapshot_time_ >= options_.snapshot_every_ns;
    if (by_count || by_time) post_changed();
    return Status::ok();
  }

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    post_changed();
    for (const auto& [key, value] : data_->status) out_.post_meta(key, value);
    const ProfileStats& st = builder_.stats();
    const std::pair<const char*, int64_t> drops[] = {
        {"profiles.dropped_hosts", st.dropped_hosts},
        {"profiles.dropped_devices", st.dropped_devices},
        {"profiles.dropped_services", st.dropped_services},
        {"profiles.dropped_software", st.dropped_software}};
    for (const auto& [key, count] : drops) out_.post_meta(key, std::to_string(count));
    return Status::ok();
  }

 private:
  void post_changed() {
    since_snapshot_ = 0;
    last_snapshot_time_ = builder_.latest_time();
    for (auto& record : builder_.take_changed()) out_.post(std::move(record));
  }

  RecordMailbox& out_;
  std::unique_ptr<FieldData> data_;
  ProfileSinkOptions options_;
  ProfileBuilder builder_;
  int64_t since_snapshot_ = 0;
  int64_t last_snapshot_time_ = 0;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<RecordSink> make_profile_sink(RecordMailbox& out, std::unique_ptr<FieldData> data,
                                              ProfileSinkOptions options) {
  return std::make_unique<ProfileSink>(out, std::move(data), options);
}

}  // namespace netcap::profiles
