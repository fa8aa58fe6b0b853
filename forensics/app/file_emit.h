// Helpers for protocols that hand files to a FileSink (file_sink.h): closing a writer and
// emitting its File record stamped with the flow, and reading a file name out of a
// Content-Disposition value.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "forensics/app/app_protocol.h"
#include "forensics/app/file_sink.h"
#include "proto/file.pb.h"

namespace netcap::app {

// Closes `writer` (see FileWriter::close) and emits the File record with the flow fields of
// `ctx`; `sender` is the direction that carried the file (Src* = its sender).
inline void close_and_emit(AppContext& ctx, FileWriter& writer, StreamDirection sender,
                           bool complete, std::string_view why, int64_t ts_ns) {
  std::unique_ptr<netcap::File> rec = writer.close(complete, why, ts_ns);
  if (!rec) return;
  const int64_t first = rec->timestamp();
  ctx.stamp(*rec, sender, first);
  ctx.emit(std::move(rec));
}

// The direction of the flow that carries a file sent by the server (download) or the client.
inline StreamDirection sender_of(FileDirection d) {
  return d == FileDirection::kDownload ? StreamDirection::kServerToClient
                                       : StreamDirection::kClientToServer;
}

// The file name of a Content-Disposition value (RFC 6266): filename*=UTF-8''... (percent-
// decoded) before filename="..." (quotes and backslash escapes removed); empty when absent.
// The result is only a label: it may hold any byte, including '/'.
std::string disposition_filename(std::string_view value);

// A parameter of a header value ("boundary" of Content-Type), unquoted; empty when absent.
std::string header_parameter(std::string_view value, std::string_view name);

}  // namespace netcap::app
