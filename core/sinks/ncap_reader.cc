#include "core/sinks/ncap_reader.h"

#include "core/sinks/record_catalog.h"

namespace netcap {

namespace pb = google::protobuf;

Expected<NcapReader> NcapReader::open(const std::string& path) {
  NcapReader reader;
  reader.path_ = path;
  reader.file_.reset(gzopen(path.c_str(), "rb"));
  if (reader.file_ == nullptr) return Status::error("cannot open " + path);
  gzbuffer(reader.file_.get(), 1 << 17);
  auto got = reader.read_raw();
  if (!got) return got.status();
  if (!*got) return Status::error(path + ": empty file (no netcap Header)");
  if (!reader.header_.ParseFromString(reader.buffer_) || reader.header_.type().empty()) {
    return Status::error(path + ": not a netcap .ncap.gz file (bad Header)");
  }
  const std::string& type = reader.header_.type();
  if (const RecordType* record = record_catalog().find(type)) {
    reader.descriptor_ = record->descriptor;
    reader.prototype_ = record->prototype;
  } else if (const pb::Descriptor* descriptor =
                 pb::DescriptorPool::generated_pool()->FindMessageTypeByName("netcap." + type)) {
    reader.descriptor_ = descriptor;
    reader.prototype_ = pb::MessageFactory::generated_factory()->GetPrototype(descriptor);
  }
  if (reader.descriptor_ == nullptr || reader.prototype_ == nullptr) {
    return Status::error(path + ": unknown record type '" + type + "' (written by netcap " +
                         reader.header_.version() + ")");
  }
  return reader;
}

std::unique_ptr<pb::Message> NcapReader::new_record() const {
  return std::unique_ptr<pb::Message>(prototype_->New());
}

Expected<bool> NcapReader::read_raw() {
  gzFile file = file_.get();
  auto truncated = [&](const std::string& what) {
    int errnum = Z_OK;
    const char* zmessage = gzerror(file, &errnum);
    std::string detail = errnum != Z_OK && zmessage != nullptr && *zmessage != '\0'
                             ? std::string(" (") + zmessage + ")"
                             : "";
    return Status::error(path_ + ": truncated or corrupt file: " + what + " at offset " +
                         std::to_string(offset_) + " after " + std::to_string(records_) +
                         " records" + detail);
  };
  // Varint length prefix (at most 10 bytes).
  uint64_t length = 0;
  int shift = 0;
  for (int i = 0;; ++i) {
    int c = gzgetc(file);
    if (c < 0) {
      int errnum = Z_OK;
      gzerror(file, &errnum);
      if (i == 0 && errnum == Z_OK) return false;  // clean end between records
      return truncated(i == 0 ? "gzip stream ends early" : "length prefix cut");
    }
    ++offset_;
    if (i >= 10) return truncated("length prefix too long");
    length |= static_cast<uint64_t>(c & 0x7F) << shift;
    shift += 7;
    if ((c & 0x80) == 0) break;
  }
  if (length > kMaxRecordBytes) {
    return truncated("record length " + std::to_string(length) + " larger than the limit");
  }
  buffer_.resize(length);
  size_t done = 0;
  while (done < length) {
    int n = gzread(file, buffer_.data() + done, static_cast<unsigned>(length - done));
    if (n <= 0)
      return truncated("record cut (" + std::to_string(done) + " of " + std::to_string(length) +
                       " bytes)");
    done += static_cast<size_t>(n);
    offset_ += static_cast<uint64_t>(n);
  }
  return true;
}

Expected<bool> NcapReader::next(pb::Message& record) {
  if (record.GetDescriptor() != descriptor_) {
    return Status::error(path_ + ": next() given a " + record.GetDescriptor()->name() +
                         " for a file of " + header_.type());
  }
  auto got = read_raw();
  if (!got) return got.status();
  if (!*got) return false;
  if (!record.ParseFromString(buffer_)) {
    return Status::error(path_ + ": record " + std::to_string(records_ + 1) + " ending at offset " +
                         std::to_string(offset_) + " does not parse as " + header_.type());
  }
  ++records_;
  return true;
}

}  // namespace netcap
