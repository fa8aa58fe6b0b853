#include "forensics/mail/mail.h"

#include <gmime/gmime.h>

#include <atomic>
#include <mutex>

#include "forensics/app/text_util.h"

namespace netcap::app::mail {

namespace {

// GMime keeps charset tables and default options in process-wide state set up by g_mime_init;
// after that, parsing with per-call parser options is thread-safe. Never shut down: other
// threads may still be parsing when the process ends.
void ensure_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Owns one GObject reference.
struct Unref {
  void operator()(gpointer p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, Unref>;

std::string str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

// Takes a g_malloc'ed string.
std::string take(char* s) {
  std::string out = str(s);
  g_free(s);
  return out;
}

std::string address_list(InternetAddressList* list) {
  if (list == nullptr || internet_address_list_length(list) == 0) return {};
  return take(internet_address_list_to_string(list, nullptr, FALSE));
}

std::string mime_type(GMimeObject* object) {
  GMimeContentType* ct = g_mime_object_get_content_type(object);
  if (ct == nullptr) return {};
  return to_lower(take(g_mime_content_type_get_mime_type(ct)));
}

class Walker {
 public:
  Walker(const Limits& limits, netcap::Mail& record, std::vector<DecodedPart>* out,
         ParseNotes& notes)
      : limits_(limits), record_(record), out_(out), notes_(notes) {}

  // `path` is the IMAP section of `object` ("" for the top level of a message).
  void walk(GMimeObject* object, const std::string& path, int depth) {
    // Nesting is bounded by GMime's parser too; this keeps our recursion shallow regardless.
    if (object == nullptr || depth > kMaxDepth) return;
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* mp = GMIME_MULTIPART(object);
      const int n = g_mime_multipart_get_count(mp);
      for (int i = 0; i < n; ++i) {
        const std::string child =
            path.empty() ? std::to_string(i + 1) : path + "." + std::to_string(i + 1);
        walk(g_mime_multipart_get_part(mp, i), child, depth + 1);
      }
      return;
    }
    const std::string here = path.empty() ? "1" : path;
    if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      std::string content;
      if (inner != nullptr) {
        GPtr<GMimeStream> mem(g_mime_stream_mem_new());
        g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, mem.get());
        GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
        content.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
      }
      add(object, here, std::string(), content.size(), std::move(content), "");
      if (inner != nullptr) {
        walk(g_mime_message_get_mime_part(inner), here, depth + 1);
      }
      return;
    }
    if (GMIME_IS_PART(object)) {
      GMimePart* part = GMIME_PART(object);
      std::string content;
      uint64_t encoded = 0;
      GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
      if (wrapper != nullptr) {
        GMimeStream* raw = g_mime_data_wrapper_get_stream(wrapper);
        if (raw != nullptr) {
          const gint64 len = g_mime_stream_length(raw);
          encoded = len > 0 ? static_cast<uint64_t>(len) : 0;
        }
        GPtr<GMimeStream> mem(g_mime_stream_mem_new());
        g_mime_data_wrapper_write_to_stream(wrapper, mem.get());
        GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
        size_t n = bytes->len;
        if (n > limits_.max_decoded_body_bytes) {
          n = limits_.max_decoded_body_bytes;
          notes_.decode_limit = true;
        }
        content.assign(reinterpret_cast<const char*>(bytes->data), n);
      }
      const char* enc = g_mime_content_encoding_to_string(g_mime_part_get_content_encoding(part));
      add(object, here, str(g_mime_part_get_filename(part)), encoded, std::move(content), str(enc));
      return;
    }
  }

 private:
  static constexpr int kMaxDepth = 64;  // MIME nesting followed; real mail nests a few levels

  void add(GMimeObject* object, const std::string& path, std::string file_name, uint64_t encoded,
           std::string content, std::string encoding) {
    if (static_cast<size_t>(record_.parts_size()) >= limits_.max_items_per_message) {
      notes_.too_many_parts = true;
      return;
    }
    netcap::MailPart* p = record_.add_parts();
    p->set_partindex(record_.parts_size() - 1);
    p->set_path(path);
    p->set_contenttype(mime_type(object));
    p->set_charset(str(g_mime_object_get_content_type_parameter(object, "charset")));
    if (file_name.empty()) {
      // A message/rfc822 part may still be named (GMime only looks for names on leaf parts).
      GMimeContentDisposition* cd = g_mime_object_get_content_disposition(object);
      if (cd != nullptr) file_name = str(g_mime_content_disposition_get_parameter(cd, "filename"));
      if (file_name.empty())
        file_name = str(g_mime_object_get_content_type_parameter(object, "name"));
    }
    p->set_filename(file_name);
    std::string disposition = to_lower(str(g_mime_object_get_disposition(object)));
    p->set_disposition(disposition);
    p->set_transferencoding(to_lower(encoding));
    p->set_encodedsize(static_cast<int64_t>(encoded));
    p->set_decodedsize(static_cast<int64_t>(content.size()));
    p->set_isattachment(disposition == "attachment" || !file_name.empty());
    p->set_contentid(strip_angles(str(g_mime_object_get_content_id(object))));
    p->set_description(str(g_mime_object_get_header(object, "Content-Description")));
    p->set_md5(md5_hex(content));
    p->set_sha256(sha256_hex(as_bytes(content)));
    if (p->isattachment()) record_.set_attachments(record_.attachments() + 1);
    if (out_ != nullptr) out_->push_back(DecodedPart{*p, std::move(content)});
  }

  const Limits& limits_;
  netcap::Mail& record_;
  std::vector<DecodedPart>* out_;
  ParseNotes& notes_;
};

}  // namespace

void MailAccumulator::append(std::string_view bytes) {
  size_ += bytes.size();
  if (data_.size() < max_) {
    data_.append(bytes.substr(0, std::min(bytes.size(), max_ - data_.size())));
  }
}

void MailAccumulator::clear() {
  data_.clear();
  data_.shrink_to_fit();
  size_ = 0;
  truncated_ = false;
}

std::string strip_angles(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') {
    text = text.substr(1, text.size() - 2);
  }
  return std::string(trim(text));
}

ParseNotes parse_mail(std::string_view raw, const Limits& limits, netcap::Mail& record,
                      std::vector<DecodedPart>* parts_out) {
  ensure_gmime();
  ParseNotes notes;
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) {
    notes.no_headers = true;
    return notes;
  }
  GMimeMessage* m = message.get();
  GMimeObject* top = GMIME_OBJECT(m);
  record.set_from(address_list(g_mime_message_get_from(m)));
  record.set_to(address_list(g_mime_message_get_to(m)));
  record.set_cc(address_list(g_mime_message_get_cc(m)));
  record.set_bcc(address_list(g_mime_message_get_bcc(m)));
  record.set_replyto(address_list(g_mime_message_get_reply_to(m)));
  record.set_subject(str(g_mime_message_get_subject(m)));
  record.set_date(std::string(trim(str(g_mime_object_get_header(top, "Date")))));
  if (GDateTime* date = g_mime_message_get_date(m); date != nullptr) {
    record.set_datetimestamp(g_date_time_to_unix(date) * 1'000'000'000LL);
  }
  record.set_messageid(str(g_mime_message_get_message_id(m)));
  record.set_inreplyto(strip_angles(str(g_mime_object_get_header(top, "In-Reply-To"))));
  std::string mailer = str(g_mime_object_get_header(top, "X-Mailer"));
  if (mailer.empty()) mailer = str(g_mime_object_get_header(top, "User-Agent"));
  record.set_xmailer(std::string(trim(mailer)));

  // GMime keeps the Content-* fields of the top level on the body entity: list the message's
  // fields, then those.
  GMimeObject* body = g_mime_message_get_mime_part(m);
  int count = 0;
  for (GMimeObject* holder : {top, body}) {
    GMimeHeaderList* headers = holder == nullptr ? nullptr : g_mime_object_get_header_list(holder);
    const int n = headers == nullptr ? 0 : g_mime_header_list_get_count(headers);
    count += n;
    for (int i = 0; i < n; ++i) {
      if (static_cast<size_t>(record.headers_size()) >= limits.max_header_fields) {
        notes.too_many_headers = true;
        break;
      }
      GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
      netcap::MailHeader* out = record.add_headers();
      out->set_name(str(g_mime_header_get_name(h)));
      out->set_value(std::string(trim(str(g_mime_header_get_value(h)))));
    }
  }
  if (count == 0) notes.no_headers = true;

  if (body != nullptr) {
    record.set_contenttype(mime_type(body));
    Walker walker(limits, record, parts_out, notes);
    walker.walk(body, "", 0);
  }
  return notes;
}

void emit_mail(AppContext& ctx, const MailAccumulator& message, const MailContext& mc,
               int64_t ts_ns, MailObserver* observer) {
  auto record = std::make_unique<netcap::Mail>();
  ctx.stamp(*record, mc.dir, ts_ns);
  record->set_protocol(mc.protocol);
  record->set_mailfrom(mc.mail_from);
  for (const auto& r : mc.rcpt_to) record->add_rcptto(r);
  record->set_source(mc.source);
  record->set_size(static_cast<int64_t>(message.size()));
  record->set_truncated(message.truncated());
  record->set_sha256(sha256_hex(as_bytes(message.data())));
  if (message.over_limit()) {
    ctx.anomaly("mail.too_large",
                "message of " + std::to_string(message.size()) + " bytes cut to " +
                    std::to_string(message.data().size()),
                ts_ns);
  }
  if (message.truncated()) {
    ctx.anomaly("mail.truncated",
                std::string(mc.protocol) +
                    " message incomplete: " + std::to_string(message.data().size()) + " bytes kept",
                ts_ns);
  }
  std::vector<DecodedPart> parts;
  const ParseNotes notes =
      parse_mail(message.data(), ctx.limits(), *record, observer != nullptr ? &parts : nullptr);
  if (notes.too_many_parts) {
    ctx.anomaly("mail.too_many_parts",
                "more than " + std::to_string(ctx.limits().max_items_per_message) + " MIME parts",
                ts_ns);
  }
  if (notes.too_many_headers) {
    ctx.anomaly("mail.too_many_headers",
                "more than " + std::to_string(ctx.limits().max_header_fields) + " header fields",
                ts_ns);
  }
  if (notes.decode_limit) {
    ctx.anomaly("mail.decode_limit",
                "a part decoded past " + std::to_string(ctx.limits().max_decoded_body_bytes) +
                    " bytes was cut",
                ts_ns);
  }
  if (notes.no_headers && !message.data().empty()) {
    ctx.anomaly(
        "mail.no_headers",
        "no RFC 5322 header fields in a " + std::to_string(message.data().size()) + "-byte message",
        ts_ns);
  }
  if (observer != nullptr) observer->on_message(*record, message.data(), parts);
  ctx.emit(std::move(record));
}

}  // namespace netcap::app::mail
