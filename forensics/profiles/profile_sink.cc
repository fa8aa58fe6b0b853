#include "forensics/profiles/profile_sink.h"

namespace netcap::profiles {

namespace {

class ProfileSink final : public RecordSink {
 public:
  ProfileSink(std::unique_ptr<RecordSink> inner, std::unique_ptr<FieldData> data,
              ProfileSinkOptions options)
      : inner_(std::move(inner)),
        data_(std::move(data)),
        options_(options),
        builder_(data_.get(), options.limits) {}
  ~ProfileSink() override { (void)close(); }

  std::string_view name() const override { return inner_->name(); }

  Status write(const google::protobuf::Message& record) override {
    if (closed_) return Status::error("profiles: write after close");
    if (Status s = inner_->write(record); !s) return s;
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
    if (by_count || by_time) {
      if (Status s = write_changed(); !s) return s;
    }
    return inner_->flush();
  }

  Status set_meta(const std::string& key, const std::string& value) override {
    return inner_->set_meta(key, value);
  }

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    Status result = write_changed();
    if (result) {
      for (const auto& [key, value] : data_->status) {
        if (Status s = inner_->set_meta(key, value); !s && result) result = s;
      }
      const ProfileStats& st = builder_.stats();
      const std::pair<const char*, int64_t> drops[] = {
          {"profiles.dropped_hosts", st.dropped_hosts},
          {"profiles.dropped_devices", st.dropped_devices},
          {"profiles.dropped_services", st.dropped_services},
          {"profiles.dropped_software", st.dropped_software}};
      for (const auto& [key, count] : drops) {
        if (Status s = inner_->set_meta(key, std::to_string(count)); !s && result) result = s;
      }
    }
    Status closing = inner_->close();
    if (!result) return result;
    return closing;
  }

 private:
  Status write_changed() {
    since_snapshot_ = 0;
    last_snapshot_time_ = builder_.latest_time();
    for (const auto& record : builder_.take_changed()) {
      if (Status s = inner_->write(*record); !s) return std::move(s).with_context("profiles");
    }
    return Status::ok();
  }

  std::unique_ptr<RecordSink> inner_;
  std::unique_ptr<FieldData> data_;
  ProfileSinkOptions options_;
  ProfileBuilder builder_;
  int64_t since_snapshot_ = 0;
  int64_t last_snapshot_time_ = 0;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<RecordSink> make_profile_sink(std::unique_ptr<RecordSink> inner,
                                              std::unique_ptr<FieldData> data,
                                              ProfileSinkOptions options) {
  return std::make_unique<ProfileSink>(std::move(inner), std::move(data), options);
}

}  // namespace netcap::profiles
