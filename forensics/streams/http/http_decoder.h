// Content-Encoding decoding of HTTP bodies (RFC 9110 §8.4.1): gzip, deflate (zlib, with a raw
// DEFLATE fallback as some servers send), br (RFC 7932, libbrotlidec), and chains of them
// ("gzip, br" is decoded br first). Streaming: encoded bytes in, decoded pieces out; nothing
// but the codec state is kept.
//
// Bounds: decoding stops with kBomb when the decoded size passes `max_decoded` or when, past
// kRatioCheckMinBytes of output, decoded/encoded passes `max_ratio` (Limits::
// max_decoded_body_bytes, Limits::max_decompression_ratio).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcap::app::http {

enum class Coding : uint8_t { kGzip, kDeflate, kBrotli };

// Parses a Content-Encoding value into the codings to undo, in the order they were applied.
// "identity" is skipped. Returns false (with the coding in `unsupported`) for anything else
// (compress, zstd, ...).
bool parse_content_codings(std::string_view header, std::vector<Coding>& out,
                           std::string& unsupported);

class CodingStage;

class ContentDecoder {
 public:
  // Output below this size is never called a bomb by ratio: tiny bodies compress extremely
  // well (a few hundred bytes of zeros) without being an attack.
  static constexpr uint64_t kRatioCheckMinBytes = 1024 * 1024;

  enum class Result : uint8_t { kOk, kError, kBomb };

  ContentDecoder(std::vector<Coding> codings, uint64_t max_decoded, double max_ratio);
  ~ContentDecoder();
  ContentDecoder(const ContentDecoder&) = delete;
  ContentDecoder& operator=(const ContentDecoder&) = delete;

  // Decodes `in`; `sink` gets each decoded piece (valid during the call). After kError or
  // kBomb the decoder is dead and further calls return the same result.
  Result feed(std::span<const uint8_t> in,
              const std::function<void(std::span<const uint8_t>)>& sink);

  uint64_t encoded_bytes() const { return encoded_; }
  uint64_t decoded_bytes() const { return decoded_; }
  // All codec streams reached their end marker.
  bool finished() const;
  // Why kError/kBomb.
  const std::string& error() const { return error_; }

 private:
  std::vector<std::unique_ptr<CodingStage>> stages_;  // in decoding order
  uint64_t max_decoded_;
  double max_ratio_;
  uint64_t encoded_ = 0;
  uint64_t decoded_ = 0;
  Result state_ = Result::kOk;
  std::string error_;
};

}  // namespace netcap::app::http
