// File extraction for HTTP: an HttpBodyObserver that hands request and response bodies to the
// context's FileSink (forensics/app/file_sink.h).
//
// * Every body is one file, named from Content-Disposition, else from the last segment of the
//   URL path (query removed); uploads (request bodies) and downloads (responses).
// * multipart/form-data request bodies are split: each part with a filename becomes its own
//   file (the body is kept up to kMaxMultipartBytes for that; past it the body is stored whole
//   and marked truncated). Form fields without a filename are not files.
// * 206 responses with "Content-Range: bytes a-b/total" are written at offset a into one file
//   per URL of the flow, closed when the session ends.
#pragma once

#include <memory>

#include "forensics/app/app_protocol.h"
#include "forensics/streams/http/http_body_observer.h"

namespace netcap::app::http {

// A multipart/form-data body kept for splitting.
inline constexpr size_t kMaxMultipartBytes = 64 * 1024 * 1024;

// The observer for one session, or nullptr when ctx.files() is null (extraction off).
std::unique_ptr<HttpBodyObserver> make_file_observer(AppContext& ctx);

}  // namespace netcap::app::http
