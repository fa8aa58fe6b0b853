#include "forensics/streams/http/http_decoder.h"

#include <brotli/decode.h>
#include <zlib.h>

#include <array>

#include "forensics/app/text_util.h"

namespace netcap::app::http {

using Bytes = std::span<const uint8_t>;
using Out = std::function<bool(Bytes)>;

// One coding to undo. feed() returns false on a codec error (reason in error_) or when `out`
// asked to stop.
class CodingStage {
 public:
  virtual ~CodingStage() = default;
  virtual bool feed(Bytes in, const Out& out) = 0;
  virtual bool finished() const = 0;
  std::string error_;
  bool stopped_ = false;  // `out` returned false
};

namespace {

constexpr size_t kOutChunk = 16 * 1024;  // decoded bytes produced per codec call

class ZlibStage : public CodingStage {
 public:
  explicit ZlibStage(bool gzip) : gzip_(gzip) {
    if (gzip_) init(32 + MAX_WBITS);  // gzip or zlib header, detected (some servers mislabel)
  }
  ~ZlibStage() override {
    if (initialised_) inflateEnd(&z_);
  }

  bool feed(Bytes in, const Out& out) override {
    if (!initialised_) {
      // deflate (RFC 9110 §8.4.1.2) is the zlib format, but some servers send raw DEFLATE:
      // decide on the zlib header (RFC 1950 §2.2: CM = 8, CINFO <= 7, FCHECK).
      while (header_len_ < 2 && !in.empty()) {
        header_[header_len_++] = in.front();
        in = in.subspan(1);
      }
      if (header_len_ < 2) return true;
      const unsigned b0 = header_[0], b1 = header_[1];
      const bool zlib = (b0 & 0x0f) == 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 == 0;
      init(zlib ? MAX_WBITS : -MAX_WBITS);
      if (!run(Bytes(header_.data(), 2), out)) return false;
    }
    return run(in, out);
  }

  bool finished() const override { return done_; }

 private:
  void init(int window_bits) {
    z_ = z_stream{};
    initialised_ = inflateInit2(&z_, window_bits) == Z_OK;
  }

  bool run(Bytes in, const Out& out) {
    if (!initialised_) {
      error_ = "zlib initialisation failed";
      return false;
    }
    z_.next_in = const_cast<Bytef*>(in.data());
    z_.avail_in = static_cast<uInt>(in.size());
    while (z_.avail_in > 0) {
      if (done_) {
        // A gzip body may hold several members (RFC 1952 §2.2); anything else after the end
        // is trailing garbage some servers add: ignored.
        if (gzip_ && *z_.next_in == 0x1f) {
          inflateReset(&z_);
          done_ = false;
        } else {
          return true;
        }
      }
      z_.next_out = buf_.data();
      z_.avail_out = static_cast<uInt>(buf_.size());
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const size_t produced = buf_.size() - z_.avail_out;
      if (produced > 0 && !out(Bytes(buf_.data(), produced))) {
        stopped_ = true;
        return false;
      }
      if (rc == Z_STREAM_END) {
        done_ = true;
        continue;
      }
      if (rc == Z_BUF_ERROR && produced == 0) return true;  // needs more input
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        error_ = std::string(gzip_ ? "gzip" : "deflate") + ": " +
                 (z_.msg != nullptr ? z_.msg : "zlib error " + std::to_string(rc));
        return false;
      }
    }
    return true;
  }

  bool gzip_;
  bool initialised_ = false;
  bool done_ = false;
  z_stream z_{};
  std::array<uint8_t, 2> header_{};
  size_t header_len_ = 0;
  std::array<uint8_t, kOutChunk> buf_{};
};

class BrotliStage : public CodingStage {
 public:
  BrotliStage() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
  ~BrotliStage() override {
    if (state_ != nullptr) BrotliDecoderDestroyInstance(state_);
  }

  bool feed(Bytes in, const Out& out) override {
    if (state_ == nullptr) {
      error_ = "brotli initialisation failed";
      return false;
    }
    size_t avail_in = in.size();
    const uint8_t* next_in = in.data();
    while (!done_) {
      size_t avail_out = buf_.size();
      uint8_t* next_out = buf_.data();
      const BrotliDecoderResult rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in,
                                                                   &avail_out, &next_out, nullptr);
      const size_t produced = buf_.size() - avail_out;
      if (produced > 0 && !out(Bytes(buf_.data(), produced))) {
        stopped_ = true;
        return false;
      }
      if (rc == BROTLI_DECODER_RESULT_ERROR) {
        error_ = std::string("br: ") + BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_));
        return false;
      }
      if (rc == BROTLI_DECODER_RESULT_SUCCESS) done_ = true;
      if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) break;
    }
    return true;  // bytes after the end of a brotli stream are ignored
  }

  bool finished() const override { return done_; }

 private:
  BrotliDecoderState* state_;
  bool done_ = false;
  std::array<uint8_t, kOutChunk> buf_{};
};

}  // namespace

bool parse_content_codings(std::string_view header, std::vector<Coding>& out,
                           std::string& unsupported) {
  out.clear();
  for (std::string_view part : split(header, ',')) {
    const std::string name = to_lower(trim(part));
    if (name.empty() || name == "identity") continue;
    if (name == "gzip" || name == "x-gzip") {
      out.push_back(Coding::kGzip);
    } else if (name == "deflate") {
      out.push_back(Coding::kDeflate);
    } else if (name == "br") {
      out.push_back(Coding::kBrotli);
    } else {
      unsupported = name;
      return false;
    }
  }
  return true;
}

ContentDecoder::ContentDecoder(std::vector<Coding> codings, uint64_t max_decoded, double max_ratio)
    : max_decoded_(max_decoded), max_ratio_(max_ratio) {
  // Codings are listed in the order applied (RFC 9110 §8.4): undo the last first.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    if (*it == Coding::kBrotli) {
      stages_.push_back(std::make_unique<BrotliStage>());
    } else {
      stages_.push_back(std::make_unique<ZlibStage>(*it == Coding::kGzip));
    }
  }
}

ContentDecoder::~ContentDecoder() = default;

bool ContentDecoder::finished() const {
  for (const auto& s : stages_) {
    if (!s->finished()) return false;
  }
  return true;
}

ContentDecoder::Result ContentDecoder::feed(Bytes in, const std::function<void(Bytes)>& sink) {
  if (state_ != Result::kOk) return state_;
  encoded_ += in.size();
  if (stages_.empty()) {
    decoded_ += in.size();
    if (!in.empty()) sink(in);
    return state_;
  }
  // Stage i's output is stage i+1's input; the last stage's output goes to the sink, counted.
  std::function<bool(size_t, Bytes)> push = [&](size_t i, Bytes piece) -> bool {
    if (i == stages_.size()) {
      decoded_ += piece.size();
      if (decoded_ > max_decoded_) {
        state_ = Result::kBomb;
        error_ = "decoded size passed " + std::to_string(max_decoded_) + " bytes (from " +
                 std::to_string(encoded_) + " encoded bytes)";
        return false;
      }
      if (decoded_ > kRatioCheckMinBytes &&
          static_cast<double>(decoded_) > max_ratio_ * static_cast<double>(encoded_)) {
        state_ = Result::kBomb;
        error_ = "decompression ratio above " + std::to_string(static_cast<int64_t>(max_ratio_)) +
                 ": " + std::to_string(decoded_) + " bytes from " + std::to_string(encoded_);
        return false;
      }
      sink(piece);
      return true;
    }
    CodingStage& stage = *stages_[i];
    if (!stage.feed(piece, [&](Bytes out) { return push(i + 1, out); })) {
      if (!stage.stopped_ && state_ == Result::kOk) {
        state_ = Result::kError;
        error_ = stage.error_;
      }
      return false;
    }
    return true;
  };
  push(0, in);
  return state_;
}

}  // namespace netcap::app::http
