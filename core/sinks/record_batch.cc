#include "core/sinks/record_batch.h"

#include <zlib.h>

#include "core/sinks/record_catalog.h"
#include "core/sinks/record_format.h"
#include "core/util/byte_cursor.h"

namespace netcap {

namespace {

constexpr size_t kMaxTypeName = 128;

void put_u16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void put_u32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

// gunzip with a bound: more than `max_out` bytes of output is an error, not an allocation.
Expected<std::string> gunzip_bounded(std::string_view in, size_t max_out) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::error("zlib init failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return Status::error(rc == Z_BUF_ERROR ? "truncated gzip body" : "not a gzip body");
    }
    const size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > max_out) {
      inflateEnd(&z);
      return Status::error("decompressed body larger than " + std::to_string(max_out) + " bytes");
    }
    out.append(chunk, produced);
    if (rc == Z_OK && produced == 0 && z.avail_in == 0) {
      inflateEnd(&z);
      return Status::error("truncated gzip body");
    }
  }
  const bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (trailing) return Status::error("bytes after the gzip body");
  return out;
}

}  // namespace

void RecordBatchWriter::add(const google::protobuf::Message& record) {
  const std::string& name = record.GetDescriptor()->name();
  put_u16(&raw_, static_cast<uint16_t>(name.size()));
  raw_ += name;
  const size_t at = raw_.size();
  put_u32(&raw_, 0);
  const size_t before = raw_.size();
  record.AppendToString(&raw_);
  // proto3 parsers reject invalid UTF-8 in `string` fields, which packet data can put there: the
  // receiver would refuse the whole batch. Sanitise a copy (rare), as the .ncap writer does.
  const auto* wire = reinterpret_cast<const uint8_t*>(raw_.data()) + before;
  if (!serialized_strings_valid(*record.GetDescriptor(), {wire, raw_.size() - before})) {
    std::unique_ptr<google::protobuf::Message> copy(record.New());
    copy->CopyFrom(record);
    sanitize_message_strings(copy.get());
    raw_.resize(before);
    copy->AppendToString(&raw_);
  }
  const uint32_t n = static_cast<uint32_t>(raw_.size() - before);
  for (int i = 0; i < 4; ++i) raw_[at + i] = static_cast<char>((n >> (24 - 8 * i)) & 0xff);
  ++records_;
}

Expected<std::string> RecordBatchWriter::finish() {
  z_stream z{};
  // Level 1: the agent's CPU matters more than the link's bytes (records compress ~5x anyway).
  if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::error("zlib init failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(raw_.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(raw_.data());
  z.avail_in = static_cast<uInt>(raw_.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::error("gzip failed");
  raw_.clear();
  records_ = 0;
  return out;
}

bool valid_agent_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Expected<std::vector<std::unique_ptr<google::protobuf::Message>>> decode_record_batch(
    std::string_view body, const RecordBatchLimits& limits) {
  if (body.size() > limits.max_compressed_bytes) {
    return Status::error("body larger than " + std::to_string(limits.max_compressed_bytes) +
                         " bytes");
  }
  const size_t ratio_cap = static_cast<size_t>(static_cast<double>(body.size()) * limits.max_ratio);
  const size_t cap = std::min(limits.max_decompressed_bytes, std::max<size_t>(ratio_cap, 4096));
  Expected<std::string> raw = gunzip_bounded(body, cap);
  if (!raw) return raw.status();
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  ByteCursor c(Bytes(reinterpret_cast<const uint8_t*>(raw->data()), raw->size()));
  while (!c.empty()) {
    const size_t frame = records.size() + 1;
    if (records.size() >= limits.max_records) {
      return Status::error("more than " + std::to_string(limits.max_records) + " records");
    }
    const uint16_t name_len = c.u16be();
    if (!c.ok() || name_len == 0 || name_len > kMaxTypeName) {
      return Status::error("frame " + std::to_string(frame) + ": bad type name length");
    }
    const std::string_view name = c.chars(name_len);
    const uint32_t record_len = c.u32be();
    if (!c.ok()) return Status::error("frame " + std::to_string(frame) + ": truncated header");
    if (record_len > limits.max_record_bytes) {
      return Status::error("frame " + std::to_string(frame) + ": record of " +
                           std::to_string(record_len) + " bytes");
    }
    const Bytes bytes = c.bytes(record_len);
    if (!c.ok()) return Status::error("frame " + std::to_string(frame) + ": truncated record");
    const RecordType* type = record_catalog().find(name);
    if (type == nullptr) {
      return Status::error("frame " + std::to_string(frame) + ": unknown record type '" +
                           std::string(name.substr(0, 64)) + "'");
    }
    std::unique_ptr<google::protobuf::Message> record(type->prototype->New());
    if (!record->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::error("frame " + std::to_string(frame) + ": " + std::string(name) +
                           " does not parse");
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace netcap
