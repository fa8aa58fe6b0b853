// RecordBatch: the wire format in which `netcap agent` ships records to `netcap collect`.
//
// A batch body is gzip-compressed; decompressed it is a sequence of frames:
//   u16 big-endian   length of the record type name (1..128)
//   bytes            the type name, a record message of the schema ("Connection")
//   u32 big-endian   length of the serialized record (0..max_record_bytes)
//   bytes            the record, protobuf wire format
// Nothing else: the receiver knows the types from its own schema (record_catalog.h), and a type
// it does not know, a record that does not parse or any byte past the last whole frame rejects
// the whole batch (nothing of it is written).
//
// Limits (RecordBatchLimits) bound the decompressed size, the ratio to the compressed size (a
// decompression bomb stops at the limit, it is never inflated in full), the frame count and the
// record size.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace netcap {

struct RecordBatchLimits {
  size_t max_compressed_bytes = 16u << 20;
  size_t max_decompressed_bytes = 64u << 20;
  double max_ratio = 200.0;  // decompressed / compressed
  size_t max_records = 1'000'000;
  size_t max_record_bytes = 16u << 20;
};

// Accumulates records and produces the compressed body.
class RecordBatchWriter {
 public:
  // Appends `record` (a record message of the schema) as one frame.
  void add(const google::protobuf::Message& record);
  size_t records() const { return records_; }
  size_t raw_bytes() const { return raw_.size(); }
  bool empty() const { return records_ == 0; }
  // The gzip body of everything added so far; resets the writer.
  Expected<std::string> finish();

 private:
  std::string raw_;
  size_t records_ = 0;
};

// An agent's name as agent and collector accept it: 1-64 of [A-Za-z0-9._-], not "." or "..";
// it becomes a directory name on the collector, so it can never name a path elsewhere.
bool valid_agent_name(std::string_view name);

// Decodes a body into record messages of the schema, or a one-line error.
Expected<std::vector<std::unique_ptr<google::protobuf::Message>>> decode_record_batch(
    std::string_view body, const RecordBatchLimits& limits = {});

}  // namespace netcap
