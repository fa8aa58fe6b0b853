#include "forensics/streams/http/http_files.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "forensics/app/file_emit.h"

namespace netcap::app::http {

namespace {

std::string_view text(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "type/subtype" of a Content-Type value, lower case.
std::string media_type(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return lower(t);
}

// Last segment of the URL path, without query or fragment.
std::string url_name(std::string_view uri) {
  const size_t q = uri.find_first_of("?#");
  std::string_view path = uri.substr(0, q);
  const size_t slash = path.rfind('/');
  if (slash != std::string_view::npos) path = path.substr(slash + 1);
  return std::string(path);
}

// "bytes a-b/total" (RFC 9110 §14.4): first byte and total (-1 when "*").
bool parse_content_range(std::string_view v, uint64_t& first, int64_t& total) {
  if (v.substr(0, 6) != "bytes ") return false;
  v.remove_prefix(6);
  const size_t dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash)
    return false;
  auto number = [](std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 18) return false;
    out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  if (!number(v.substr(0, dash), first)) return false;
  uint64_t t = 0;
  const std::string_view tail = v.substr(slash + 1);
  if (tail == "*") {
    total = -1;
  } else {
    if (!number(tail, t)) return false;
    total = static_cast<int64_t>(t);
  }
  return true;
}

class HttpFileObserver : public HttpBodyObserver {
 public:
  explicit HttpFileObserver(AppContext& ctx) : ctx_(ctx), files_(*ctx.files()) {}

  ~HttpFileObserver() override {
    // Range files stay open across transactions; the session is over now.
    for (auto& [url, r] : ranges_)
      close_and_emit(ctx_, *r.writer, StreamDirection::kServerToClient, r.complete,
                     r.complete ? "" : "range responses do not cover the file", last_ts_);
  }

  void on_body_start(const HttpBodyInfo& info) override {
    last_ts_ = std::max(last_ts_, info.ts_ns);
    Body& b = bodies_[key(info)];
    b = Body();
    const std::string type = media_type(info.content_type);
    if (info.is_request && type == "multipart/form-data") {
      b.boundary = header_parameter(info.content_type, "boundary");
      b.multipart = !b.boundary.empty();
    }
    uint64_t first = 0;
    int64_t total = -1;
    if (!info.is_request && info.status == 206 &&
        parse_content_range(info.content_range, first, total)) {
      b.base = first;
      b.range_url = url(info);
      auto it = ranges_.find(b.range_url);
      if (it == ranges_.end()) {
        if (ranges_.size() >= kMaxRangeFiles) {
          ctx_.anomaly("http.too_many_range_files",
                       "more than " + std::to_string(kMaxRangeFiles) +
                           " ranged URLs in one flow: " + b.range_url + " stored piecewise",
                       info.ts_ns);
          b.range_url.clear();
        } else {
          FileOrigin o = origin(info, type);
          o.declared_size = total;
          ranges_[b.range_url].writer = ctx_.files()->open(o);
        }
      }
      if (!b.range_url.empty()) return;
    }
    if (!b.multipart) b.writer = files_.open(origin(info, type));
  }

  void on_body_data(const HttpBodyInfo& info, std::span<const uint8_t> data,
                    uint64_t offset) override {
    Body* b = find(info);
    if (b == nullptr) return;
    if (b->multipart) {
      if (b->kept.size() + data.size() > kMaxMultipartBytes) {
        // Too large to split: store what is kept as the whole body from here on.
        b->multipart = false;
        FileOrigin o = origin(info, media_type(info.content_type));
        b->writer = files_.open(o);
        b->writer->truncated("multipart body larger than " + std::to_string(kMaxMultipartBytes) +
                             " bytes: not split");
        b->writer->write(0, {reinterpret_cast<const uint8_t*>(b->kept.data()), b->kept.size()},
                         info.ts_ns);
        b->kept = {};
      } else {
        b->kept.append(text(data));
        return;
      }
    }
    if (FileWriter* w = writer(*b)) w->write(b->base + offset, data, info.ts_ns);
  }

  void on_body_gap(const HttpBodyInfo& info, uint64_t length, uint64_t offset) override {
    Body* b = find(info);
    if (b == nullptr) return;
    if (b->multipart) {
      b->multipart_gap = true;
      return;
    }
    if (FileWriter* w = writer(*b)) w->gap(b->base + offset, length, info.ts_ns);
  }

  void on_body_end(const HttpBodyInfo& info, bool complete) override {
    auto it = bodies_.find(key(info));
    if (it == bodies_.end()) return;
    Body b = std::move(it->second);
    bodies_.erase(it);
    const StreamDirection sender =
        info.is_request ? StreamDirection::kClientToServer : StreamDirection::kServerToClient;
    std::string why;
    if (!info.error.empty()) {
      why = info.error;
      if (FileWriter* w = writer(b)) w->truncated("content decoding stopped: " + info.error);
    } else if (!complete) {
      why = "message incomplete";
    }
    if (b.multipart) {
      split_multipart(info, b, complete && !b.multipart_gap);
      return;
    }
    if (!b.range_url.empty()) {
      auto r = ranges_.find(b.range_url);
      if (r != ranges_.end() && !complete) r->second.complete = false;
      return;
    }
    if (b.writer) close_and_emit(ctx_, *b.writer, sender, complete, why, info.ts_ns);
  }

 private:
  // Ranged URLs stitched per flow; more are stored one file per response.
  static constexpr size_t kMaxRangeFiles = 64;

  struct Body {
    std::unique_ptr<FileWriter> writer;
    bool multipart = false;
    bool multipart_gap = false;
    std::string boundary;
    std::string kept;       // multipart body, bounded by kMaxMultipartBytes
    uint64_t base = 0;      // offset of the body in the file (206 ranges)
    std::string range_url;  // set: the writer is ranges_[range_url]
  };
  struct RangeFile {
    std::unique_ptr<FileWriter> writer;
    bool complete = true;
  };

  static std::pair<uint64_t, bool> key(const HttpBodyInfo& info) {
    return {info.transaction, info.is_request};
  }
  Body* find(const HttpBodyInfo& info) {
    auto it = bodies_.find(key(info));
    return it == bodies_.end() ? nullptr : &it->second;
  }
  FileWriter* writer(Body& b) {
    if (!b.range_url.empty()) {
      auto it = ranges_.find(b.range_url);
      return it == ranges_.end() ? nullptr : it->second.writer.get();
    }
    return b.writer.get();
  }

  static std::string url(const HttpBodyInfo& info) {
    if (info.uri.rfind("http://", 0) == 0 || info.uri.rfind("https://", 0) == 0) return info.uri;
    return "http://" + info.host + info.uri;
  }

  FileOrigin origin(const HttpBodyInfo& info, const std::string& type) {
    last_ts_ = std::max(last_ts_, info.ts_ns);
    FileOrigin o;
    o.protocol = "http";
    o.name = disposition_filename(info.content_disposition);
    if (o.name.empty()) o.name = url_name(info.uri);
    o.declared_type = type;
    o.direction = info.is_request ? FileDirection::kUpload : FileDirection::kDownload;
    o.host = info.host;
    o.context = (info.method.empty() ? std::string() : info.method + " ") + url(info);
    o.message_id = std::to_string(info.transaction);
    o.declared_size = info.content_encoding.empty() ? info.content_length : -1;
    o.ts_ns = info.ts_ns;
    return o;
  }

  // RFC 7578: parts separated by "--boundary" lines; each part's head ends at an empty line.
  void split_multipart(const HttpBodyInfo& info, const Body& b, bool complete) {
    const std::string delim = "--" + b.boundary;
    std::string_view body = b.kept;
    size_t pos = body.find(delim);
    int index = 0;
    while (pos != std::string_view::npos) {
      pos += delim.size();
      if (body.substr(pos, 2) == "--") break;  // closing delimiter
      const size_t head_end = body.find("\r\n\r\n", pos);
      if (head_end == std::string_view::npos) break;
      const std::string_view head = body.substr(pos, head_end - pos);
      const size_t content_start = head_end + 4;
      size_t next = body.find("\r\n" + delim, content_start);
      const bool part_complete = next != std::string_view::npos && complete;
      if (next == std::string_view::npos) next = body.size();
      const std::string_view content = body.substr(content_start, next - content_start);
      std::string disposition, type;
      size_t line_start = 0;
      while (line_start <= head.size()) {
        size_t line_end = head.find("\r\n", line_start);
        if (line_end == std::string_view::npos) line_end = head.size();
        const std::string_view line = head.substr(line_start, line_end - line_start);
        const size_t colon = line.find(':');
        if (colon != std::string_view::npos) {
          const std::string name = lower(line.substr(0, colon));
          std::string_view value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
          if (name == "content-disposition") disposition = value;
          if (name == "content-type") type = media_type(value);
        }
        line_start = line_end + 2;
      }
      const std::string filename = disposition_filename(disposition);
      if (!filename.empty()) {
        FileOrigin o = origin(info, type);
        o.name = filename;
        o.declared_size = -1;
        o.message_id = std::to_string(info.transaction) + "/" + std::to_string(index);
        std::unique_ptr<FileWriter> w = files_.open(o);
        w->write(0, {reinterpret_cast<const uint8_t*>(content.data()), content.size()}, info.ts_ns);
        close_and_emit(ctx_, *w, StreamDirection::kClientToServer, part_complete,
                       part_complete ? "" : "multipart body incomplete", info.ts_ns);
      }
      ++index;
      if (next >= body.size()) break;
      pos = body.find(delim, next);
    }
  }

  AppContext& ctx_;
  FileSink& files_;
  std::map<std::pair<uint64_t, bool>, Body> bodies_;  // at most two open (see the observer)
  std::map<std::string, RangeFile> ranges_;
  int64_t last_ts_ = 0;
};

}  // namespace

std::unique_ptr<HttpBodyObserver> make_file_observer(AppContext& ctx) {
  if (ctx.files() == nullptr) return nullptr;
  return std::make_unique<HttpFileObserver>(ctx);
}

}  // namespace netcap::app::http
