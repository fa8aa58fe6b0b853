#include "forensics/streams/dns/dns_parser.h"

#include <arpa/inet.h>

#include <cstdio>

#include "forensics/app/text_util.h"

namespace netcap::app::dns {

namespace {

void append_label(std::string& out, Bytes label) {
  for (uint8_t b : label) {
    if (b == '.' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
    } else if (b < 0x20 || b == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03u", unsigned{b});
      out += buf;
    } else {
      out += static_cast<char>(b);
    }
  }
}

std::string address_text(Bytes b) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (b.size() == 4) {
    inet_ntop(AF_INET, b.data(), buf, sizeof buf);
  } else if (b.size() == 16) {
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  } else {
    return {};
  }
  return buf;
}

std::string name_error_problem(NameError e) {
  switch (e) {
    case NameError::kTruncated:
      return "dns.truncated_message";
    case NameError::kBadLabel:
      return "dns.bad_label";
    case NameError::kTooLong:
      return "dns.bad_label";
    case NameError::kLoop:
      return "dns.compression_loop";
    case NameError::kBadPointer:
      return "dns.bad_pointer";
    case NameError::kNone:
      break;
  }
  return {};
}

std::string name_error_text(NameError e) {
  switch (e) {
    case NameError::kTruncated:
      return "name runs past the end of the message";
    case NameError::kBadLabel:
      return "label type 0x40/0x80 (extended label types are not in use)";
    case NameError::kTooLong:
      return "name longer than 255 bytes";
    case NameError::kLoop:
      return "more than " + std::to_string(kMaxCompressionPointers) + " compression pointers";
    case NameError::kBadPointer:
      return "compression pointer past the end of the message";
    case NameError::kNone:
      break;
  }
  return {};
}

// JSON string quoting as jq's tojson does it (the oracle quotes TXT strings this way).
std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", unsigned{c});
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string edns_option_name(uint16_t code) {
  switch (code) {
    case 3:
      return "NSID";
    case 5:
      return "DAU";
    case 6:
      return "DHU";
    case 7:
      return "N3U";
    case 8:
      return "ClientSubnet";
    case 9:
      return "Expire";
    case 10:
      return "Cookie";
    case 11:
      return "TcpKeepalive";
    case 12:
      return "Padding";
    case 13:
      return "Chain";
    case 14:
      return "KeyTag";
    case 15:
      return "ExtendedDNSError";
    default:
      return "OPT" + std::to_string(code);
  }
}

std::string svc_key_name(uint16_t key) {
  switch (key) {
    case 0:
      return "mandatory";
    case 1:
      return "alpn";
    case 2:
      return "no-default-alpn";
    case 3:
      return "port";
    case 4:
      return "ipv4hint";
    case 5:
      return "ech";
    case 6:
      return "ipv6hint";
    case 7:
      return "dohpath";
    case 8:
      return "ohttp";
    default:
      return "key" + std::to_string(key);
  }
}

// RFC 4034 Appendix B (algorithm 1, RSA/MD5, uses another method; it is obsolete).
int key_tag(Bytes rdata) {
  uint32_t ac = 0;
  for (size_t i = 0; i < rdata.size(); ++i) ac += (i & 1) ? rdata[i] : uint32_t{rdata[i]} << 8;
  ac += (ac >> 16) & 0xFFFF;
  return static_cast<int>(ac & 0xFFFF);
}

// Reads RDATA fields: fixed fields through a cursor over the RDATA, names through the whole
// message (compression pointers may point anywhere before).
class RdataReader {
 public:
  RdataReader(Bytes msg, size_t start, size_t length)
      : msg_(msg), start_(start), c_(msg.subspan(start, length)) {}

  ByteCursor& c() { return c_; }
  bool ok() const { return c_.ok() && name_error_ == NameError::kNone; }
  NameError name_error() const { return name_error_; }

  std::string name() {
    if (!ok()) return {};
    size_t abs = start_ + c_.offset();
    std::string out;
    NameError e = read_name(msg_, abs, out);
    if (e != NameError::kNone) {
      name_error_ = e;
      return {};
    }
    c_.skip(abs - (start_ + c_.offset()));  // fails when the name ran past the RDATA
    return out;
  }
  // One <character-string> (RFC 1035 §3.3).
  std::string character_string() {
    uint8_t n = c_.u8();
    return std::string(c_.chars(n));
  }

 private:
  Bytes msg_;
  size_t start_;
  ByteCursor c_;
  NameError name_error_ = NameError::kNone;
};

// Decodes the RDATA of `rr`; returns an empty string on success, else what was wrong.
std::string decode_rdata(Bytes msg, size_t start, size_t length, DNSResourceRecord& rr) {
  RdataReader r(msg, start, length);
  ByteCursor& c = r.c();
  const auto type = static_cast<uint16_t>(rr.type());
  bool exact = true;  // the decoder must consume all of the RDATA
  switch (type) {
    case 1:     // A
    case 28: {  // AAAA
      const size_t n = type == 1 ? 4 : 16;
      if (length != n) return "address of " + std::to_string(length) + " bytes";
      rr.set_ip(address_text(c.bytes(n)));
      break;
    }
    case 2:
      rr.set_ns(r.name());
      break;
    case 5:
    case 39:
      rr.set_cname(r.name());
      break;  // CNAME, DNAME (RFC 6672)
    case 12:
      rr.set_ptr(r.name());
      break;
    case 6: {  // SOA
      DNSSOA* soa = rr.mutable_soa();
      soa->set_mname(r.name());
      soa->set_rname(r.name());
      soa->set_serial(c.u32be());
      soa->set_refresh(c.u32be());
      soa->set_retry(c.u32be());
      soa->set_expire(c.u32be());
      soa->set_minimum(c.u32be());
      break;
    }
    case 15: {  // MX
      DNSMX* mx = rr.mutable_mx();
      mx->set_preference(c.u16be());
      mx->set_name(r.name());
      break;
    }
    case 16:
    case 99:  // TXT, SPF: one or more <character-string>s
      while (c.ok() && !c.empty()) rr.add_txts(r.character_string());
      break;
    case 13: {  // HINFO
      DNSHINFO* h = rr.mutable_hinfo();
      h->set_cpu(r.character_string());
      h->set_os(r.character_string());
      break;
    }
    case 33: {  // SRV (RFC 2782)
      DNSSRV* srv = rr.mutable_srv();
      srv->set_priority(c.u16be());
      srv->set_weight(c.u16be());
      srv->set_port(c.u16be());
      srv->set_name(r.name());
      break;
    }
    case 257: {  // CAA (RFC 8659 §4.1)
      DNSCAA* caa = rr.mutable_caa();
      caa->set_flags(c.u8());
      const uint8_t tag_len = c.u8();
      if (c.ok() && tag_len == 0) return "CAA tag of length 0";
      caa->set_tag(std::string(c.chars(tag_len)));
      caa->set_value(std::string(as_text(c.take_rest())));
      break;
    }
    case 64:
    case 65: {  // SVCB, HTTPS (RFC 9460 §2.2)
      DNSSVCB* s = rr.mutable_svcb();
      s->set_priority(c.u16be());
      s->set_target(r.name());
      while (r.ok() && !c.empty()) {
        const uint16_t key = c.u16be();
        const uint16_t len = c.u16be();
        ByteCursor v = c.sub(len);
        if (!c.ok()) break;
        DNSSvcParam* p = s->add_params();
        p->set_key(key);
        p->set_keyname(svc_key_name(key));
        std::string value;
        switch (key) {
          case 0:  // mandatory: list of keys
            while (v.ok() && !v.empty()) {
              if (!value.empty()) value += ',';
              value += svc_key_name(v.u16be());
            }
            break;
          case 1:  // alpn: length-prefixed protocol ids
            while (v.ok() && !v.empty()) {
              const uint8_t n = v.u8();
              std::string id(v.chars(n));
              if (!v.ok()) break;
              if (!value.empty()) value += ',';
              value += id;
              s->add_alpn(id);
            }
            break;
          case 3:
            value = std::to_string(v.u16be());
            break;
          case 4:
          case 6: {
            const size_t n = key == 4 ? 4 : 16;
            if (len == 0 || len % n != 0)
              return "svc param " + svc_key_name(key) + " of " + std::to_string(len) + " bytes";
            while (!v.empty()) {
              if (!value.empty()) value += ',';
              value += address_text(v.bytes(n));
            }
            break;
          }
          case 7:
            value = std::string(as_text(v.take_rest()));
            break;
          default:
            value = hex(v.take_rest());
            break;  // ech and unknown keys
        }
        if (!v.ok() || !v.empty()) return "svc param " + svc_key_name(key) + " malformed";
        p->set_value(std::move(value));
      }
      break;
    }
    case 43:
    case 59: {  // DS, CDS (RFC 4034 §5.1, RFC 7344)
      DNSDS* ds = rr.mutable_ds();
      ds->set_keytag(c.u16be());
      ds->set_algorithm(c.u8());
      ds->set_digesttype(c.u8());
      ds->set_digest(hex(c.take_rest()));
      break;
    }
    case 48:
    case 60: {  // DNSKEY, CDNSKEY (RFC 4034 §2.1)
      DNSDNSKEY* k = rr.mutable_dnskey();
      k->set_flags(c.u16be());
      k->set_protocol(c.u8());
      k->set_algorithm(c.u8());
      k->set_publickey(base64_encode(c.take_rest()));
      if (c.ok()) k->set_keytag(key_tag(msg.subspan(start, length)));
      break;
    }
    case 46: {  // RRSIG (RFC 4034 §3.1)
      DNSRRSIG* s = rr.mutable_rrsig();
      const uint16_t covered = c.u16be();
      s->set_typecovered(covered);
      s->set_typecoveredname(type_name(covered));
      s->set_algorithm(c.u8());
      s->set_labels(c.u8());
      s->set_originalttl(c.u32be());
      s->set_expiration(c.u32be());
      s->set_inception(c.u32be());
      s->set_keytag(c.u16be());
      s->set_signername(r.name());
      s->set_signature(base64_encode(c.take_rest()));
      break;
    }
    case 47: {  // NSEC (RFC 4034 §4.1)
      DNSNSEC* n = rr.mutable_nsec();
      n->set_nextdomain(r.name());
      // Type bit maps: window, length (1..32), bitmap; windows ascending (§4.1.2).
      while (r.ok() && !c.empty()) {
        const uint8_t window = c.u8();
        const uint8_t len = c.u8();
        if (c.ok() && (len == 0 || len > 32)) return "NSEC bitmap length " + std::to_string(len);
        Bytes bits = c.bytes(len);
        for (size_t i = 0; i < bits.size(); ++i) {
          for (int b = 0; b < 8; ++b) {
            if (bits[i] & (0x80 >> b)) {
              n->add_types(type_name(static_cast<uint16_t>(window * 256 + i * 8 + b)));
            }
          }
        }
      }
      break;
    }
    case 41: {  // OPT (RFC 6891 §6.1.2)
      DNSOPT* o = rr.mutable_opt();
      while (c.ok() && !c.empty()) {
        const uint16_t code = c.u16be();
        const uint16_t len = c.u16be();
        ByteCursor v = c.sub(len);
        if (!c.ok()) break;
        DNSEDNSOption* op = o->add_options();
        op->set_code(code);
        op->set_name(edns_option_name(code));
        if (code != 12) op->set_data(hex(v.rest()));
        if (code == 8) {  // Client subnet (RFC 7871 §6)
          const uint16_t family = v.u16be();
          const uint8_t source = v.u8();
          const uint8_t scope = v.u8();
          Bytes addr = v.take_rest();
          const size_t full = family == 1 ? 4 : family == 2 ? 16 : 0;
          if (!v.ok() || full == 0 || addr.size() > full || addr.size() != (source + 7u) / 8u) {
            return "client subnet option malformed (family " + std::to_string(family) + ", " +
                   std::to_string(addr.size()) + " address bytes for prefix " +
                   std::to_string(source) + ")";
          }
          op->set_subnetfamily(family);
          op->set_sourceprefix(source);
          op->set_scopeprefix(scope);
          uint8_t padded[16] = {};
          for (size_t i = 0; i < addr.size(); ++i) padded[i] = addr[i];
          op->set_subnetaddress(address_text(Bytes(padded, full)));
        } else if (code == 10) {  // Cookie (RFC 7873 §4): 8-byte client, 8..32-byte server
          if (len != 8 && (len < 16 || len > 40))
            return "cookie option of " + std::to_string(len) + " bytes";
          op->set_clientcookie(hex(v.bytes(8)));
          op->set_servercookie(hex(v.take_rest()));
        }
      }
      break;
    }
    default:
      rr.set_rdata(hex(c.take_rest()));
      exact = false;
      break;
  }
  if (r.name_error() != NameError::kNone) return "name: " + name_error_text(r.name_error());
  if (!c.ok()) return "RDATA shorter than its fields";
  if (exact && !c.empty()) return std::to_string(c.remaining()) + " bytes after the fields";
  return {};
}

// RFC 6891 §6.1.3: an OPT record's CLASS is the UDP payload size, its TTL holds the extended
// RCODE, the version and the flags.
void set_opt_header(DNSOPT& o, uint16_t cls, uint32_t ttl) {
  o.set_udpsize(cls);
  o.set_extendedrcode(static_cast<int>(ttl >> 24));
  o.set_version(static_cast<int>((ttl >> 16) & 0xff));
  o.set_do_(ttl & 0x8000);
  o.set_z(static_cast<int>(ttl & 0x7fff));
}

struct Parser {
  Bytes msg;
  const ParseOptions& options;
  DNS& out;
  ParseResult result;
  size_t pos = kHeaderBytes;
  size_t items = 0;
  bool stopped = false;
  bool seen_opt = false;

  void problem(std::string name, std::string detail) {
    result.problems.push_back({std::move(name), std::move(detail)});
  }
  void stop(std::string name, std::string detail) {
    problem(std::move(name), std::move(detail));
    stopped = true;
  }
  bool count_item() {
    if (items >= options.max_records) {
      stop("dns.too_many_records",
           "more than " + std::to_string(options.max_records) +
               " questions and records in one message (limit max_items_per_message)");
      return false;
    }
    ++items;
    return true;
  }
  bool name(std::string& s, const char* where) {
    NameError e = read_name(msg, pos, s);
    if (e != NameError::kNone) {
      stop(name_error_problem(e), std::string(where) + " name at offset " + std::to_string(pos) +
                                      ": " + name_error_text(e));
      return false;
    }
    return true;
  }

  void question() {
    if (!count_item()) return;
    std::string n;
    if (!name(n, "question")) return;
    if (pos + 4 > msg.size()) {
      stop("dns.truncated_message", "question type/class cut at offset " + std::to_string(pos));
      return;
    }
    ByteCursor c(msg.subspan(pos, 4));
    pos += 4;
    const uint16_t type = c.u16be();
    uint16_t cls = c.u16be();
    DNSQuestion* q = out.add_questions();
    q->set_name(std::move(n));
    q->set_type(type);
    q->set_typename_(type_name(type));
    if (options.flavor == Flavor::kMdns) {
      q->set_unicastresponse(cls & 0x8000);
      cls &= 0x7fff;
    }
    q->set_class_(cls);
  }

  void record(google::protobuf::RepeatedPtrField<DNSResourceRecord>* section, bool additional) {
    if (!count_item()) return;
    std::string owner;
    const size_t rr_start = pos;
    if (!name(owner, "record owner")) return;
    if (pos + 10 > msg.size()) {
      stop("dns.truncated_message", "record header cut at offset " + std::to_string(pos));
      return;
    }
    ByteCursor c(msg.subspan(pos, 10));
    pos += 10;
    const uint16_t type = c.u16be();
    uint16_t cls = c.u16be();
    const uint32_t ttl = c.u32be();
    const uint16_t rdlen = c.u16be();
    DNSResourceRecord* rr = section->Add();
    rr->set_name(std::move(owner));
    rr->set_type(type);
    rr->set_typename_(type_name(type));
    if (options.flavor == Flavor::kMdns && type != 41) {
      rr->set_cacheflush(cls & 0x8000);
      cls &= 0x7fff;
    }
    rr->set_class_(cls);
    rr->set_ttl(ttl);
    rr->set_datalength(rdlen);
    if (pos + rdlen > msg.size()) {
      rr->set_rdata(hex(msg.subspan(pos)));
      stop("dns.truncated_message", "RDATA of " + std::to_string(rdlen) + " bytes at offset " +
                                        std::to_string(pos) + " but only " +
                                        std::to_string(msg.size() - pos) + " left");
      return;
    }
    if (type == 41) {
      if (!additional || seen_opt || rr->name() != "<Root>") {
        problem("dns.bad_opt", std::string("OPT record ") +
                                   (!additional ? "outside the additional section"
                                    : seen_opt  ? "repeated"
                                                : "with a non-root owner") +
                                   " at offset " + std::to_string(rr_start));
      }
      set_opt_header(*rr->mutable_opt(), cls, ttl);
      if (additional && !seen_opt) {
        // RFC 6891 §6.1.3: the OPT's upper 8 bits extend the header's 4-bit RCODE.
        out.set_responsecode(static_cast<int>((ttl >> 24) << 4) | out.responsecode());
      }
      seen_opt = true;
    }
    std::string bad = decode_rdata(msg, pos, rdlen, *rr);
    if (!bad.empty()) {
      problem("dns.bad_rdata",
              type_name(type) + " record at offset " + std::to_string(rr_start) + ": " + bad);
      // Keep the raw bytes instead of a half-decoded structure.
      const std::string owner_name = rr->name();
      rr->Clear();
      rr->set_name(owner_name);
      rr->set_type(type);
      rr->set_typename_(type_name(type));
      rr->set_class_(cls);
      rr->set_ttl(ttl);
      rr->set_datalength(rdlen);
      rr->set_rdata(hex(msg.subspan(pos, rdlen)));
      if (type == 41) {  // the OPT header fields live outside the RDATA: keep them
        set_opt_header(*rr->mutable_opt(), cls, ttl);
      }
    }
    pos += rdlen;
    rr->set_answer(answer_summary(*rr));
  }
};

}  // namespace

NameError read_name(Bytes msg, size_t& offset, std::string& out) {
  out.clear();
  size_t pos = offset;
  size_t resume = 0;  // where the caller continues: after the first pointer
  bool jumped = false;
  int pointers = 0;
  size_t wire = 0;
  for (;;) {
    if (pos >= msg.size()) return NameError::kTruncated;
    const uint8_t len = msg[pos];
    if ((len & 0xC0) == 0xC0) {  // RFC 1035 §4.1.4 compression pointer
      if (pos + 1 >= msg.size()) return NameError::kTruncated;
      const size_t target = (size_t{len & 0x3Fu} << 8) | msg[pos + 1];
      if (!jumped) resume = pos + 2;
      jumped = true;
      if (++pointers > kMaxCompressionPointers || target == pos) return NameError::kLoop;
      if (target >= msg.size()) return NameError::kBadPointer;
      pos = target;
      continue;
    }
    if ((len & 0xC0) != 0) return NameError::kBadLabel;
    wire += len + 1u;
    if (wire > kMaxNameWireBytes) return NameError::kTooLong;
    if (len == 0) break;
    if (pos + 1 + len > msg.size()) return NameError::kTruncated;
    if (!out.empty()) out += '.';
    append_label(out, msg.subspan(pos + 1, len));
    pos += 1u + len;
  }
  offset = jumped ? resume : pos + 1;
  if (out.empty()) out = "<Root>";
  return NameError::kNone;
}

std::string type_name(uint16_t type) {
  switch (type) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 3:
      return "MD";
    case 4:
      return "MF";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 7:
      return "MB";
    case 8:
      return "MG";
    case 9:
      return "MR";
    case 10:
      return "NULL";
    case 11:
      return "WKS";
    case 12:
      return "PTR";
    case 13:
      return "HINFO";
    case 14:
      return "MINFO";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 17:
      return "RP";
    case 18:
      return "AFSDB";
    case 24:
      return "SIG";
    case 25:
      return "KEY";
    case 28:
      return "AAAA";
    case 29:
      return "LOC";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 36:
      return "KX";
    case 37:
      return "CERT";
    case 39:
      return "DNAME";
    case 41:
      return "OPT";
    case 42:
      return "APL";
    case 43:
      return "DS";
    case 44:
      return "SSHFP";
    case 45:
      return "IPSECKEY";
    case 46:
      return "RRSIG";
    case 47:
      return "NSEC";
    case 48:
      return "DNSKEY";
    case 49:
      return "DHCID";
    case 50:
      return "NSEC3";
    case 51:
      return "NSEC3PARAM";
    case 52:
      return "TLSA";
    case 53:
      return "SMIMEA";
    case 55:
      return "HIP";
    case 59:
      return "CDS";
    case 60:
      return "CDNSKEY";
    case 61:
      return "OPENPGPKEY";
    case 62:
      return "CSYNC";
    case 63:
      return "ZONEMD";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 99:
      return "SPF";
    case 108:
      return "EUI48";
    case 109:
      return "EUI64";
    case 249:
      return "TKEY";
    case 250:
      return "TSIG";
    case 251:
      return "IXFR";
    case 252:
      return "AXFR";
    case 253:
      return "MAILB";
    case 254:
      return "MAILA";
    case 255:
      return "ANY";
    case 256:
      return "URI";
    case 257:
      return "CAA";
    default:
      return "TYPE" + std::to_string(type);
  }
}

std::string rcode_name(int rcode) {
  static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                           "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                           "NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI"};
  if (rcode >= 0 && rcode < 12) return kNames[rcode];
  switch (rcode) {
    case 16:
      return "BADVERS";
    case 17:
      return "BADKEY";
    case 18:
      return "BADTIME";
    case 19:
      return "BADMODE";
    case 20:
      return "BADNAME";
    case 21:
      return "BADALG";
    case 22:
      return "BADTRUNC";
    case 23:
      return "BADCOOKIE";
    default:
      return "RCODE" + std::to_string(rcode);
  }
}

std::string answer_summary(const DNSResourceRecord& rr) {
  std::string out = rr.name() + " " + rr.typename_();
  std::string data;
  if (!rr.rdata().empty() && rr.type() != 1 && rr.type() != 28) return out;  // not decoded
  switch (rr.type()) {
    case 1:
    case 28:
      data = rr.ip();
      break;
    case 2:
      data = rr.ns();
      break;
    case 5:
      data = rr.cname();
      break;
    case 12:
      data = rr.ptr();
      break;
    case 15:
      data = std::to_string(rr.mx().preference()) + " " + rr.mx().name();
      break;
    case 16:
    case 99:
      for (const std::string& t : rr.txts()) {
        if (!data.empty()) data += ' ';
        data += json_quote(t);
      }
      break;
    case 6: {
      const DNSSOA& s = rr.soa();
      data = s.mname() + " " + s.rname() + " " + std::to_string(s.serial()) + " " +
             std::to_string(s.refresh()) + " " + std::to_string(s.retry()) + " " +
             std::to_string(s.expire()) + " " + std::to_string(s.minimum());
      break;
    }
    case 33: {
      const DNSSRV& s = rr.srv();
      data = std::to_string(s.priority()) + " " + std::to_string(s.weight()) + " " +
             std::to_string(s.port()) + " " + s.name();
      break;
    }
    case 13:
      data = rr.hinfo().cpu() + " " + rr.hinfo().os();
      break;
    case 257:
      data = std::to_string(rr.caa().flags()) + " " + rr.caa().tag() + " " + rr.caa().value();
      break;
    default:
      break;
  }
  if (!data.empty()) out += " " + data;
  return out;
}

ParseResult parse_message(Bytes msg, const ParseOptions& options, DNS& out) {
  Parser p{msg, options, out, {}};
  out.set_size(static_cast<int32_t>(msg.size()));
  if (msg.size() < kHeaderBytes) {
    p.problem("dns.truncated_message", std::to_string(msg.size()) + " bytes, the header needs 12");
    return std::move(p.result);
  }
  ByteCursor h(msg.first(kHeaderBytes));
  out.set_id(h.u16be());
  const uint16_t flags = h.u16be();
  const int qd = h.u16be(), an = h.u16be(), ns = h.u16be(), ar = h.u16be();
  out.set_qr(flags & 0x8000);
  out.set_isresponse(flags & 0x8000);
  out.set_opcode((flags >> 11) & 0xF);
  out.set_aa(flags & 0x0400);
  out.set_tc(flags & 0x0200);
  out.set_rd(flags & 0x0100);
  out.set_ra(flags & 0x0080);
  out.set_z(flags & 0x0040);
  out.set_ad(flags & 0x0020);
  out.set_cd(flags & 0x0010);
  out.set_responsecode(flags & 0xF);
  out.set_qdcount(qd);
  out.set_ancount(an);
  out.set_nscount(ns);
  out.set_arcount(ar);
  p.result.header_ok = true;

  for (int i = 0; i < qd && !p.stopped; ++i) p.question();
  for (int i = 0; i < an && !p.stopped; ++i) p.record(out.mutable_answers(), false);
  for (int i = 0; i < ns && !p.stopped; ++i) p.record(out.mutable_authorities(), false);
  for (int i = 0; i < ar && !p.stopped; ++i) p.record(out.mutable_additionals(), true);
  out.set_responsecodename(rcode_name(out.responsecode()));
  if (out.questions_size() > 0) {
    out.set_queryname(out.questions(0).name());
    out.set_querytype(out.questions(0).typename_());
  }
  p.result.consumed = p.pos;
  p.result.complete = !p.stopped;
  if (!p.stopped && p.pos < msg.size()) {
    p.problem("dns.trailing_data",
              std::to_string(msg.size() - p.pos) + " bytes after the last section");
  }
  out.set_complete(p.result.complete);
  return std::move(p.result);
}

int plausible_message(Bytes msg, Flavor flavor, bool strict, bool partial) {
  if (msg.size() < kHeaderBytes) return partial ? -1 : 0;
  ByteCursor h(msg.first(kHeaderBytes));
  h.skip(2);
  const uint16_t flags = h.u16be();
  const unsigned qd = h.u16be(), an = h.u16be(), ns = h.u16be(), ar = h.u16be();
  const bool qr = flags & 0x8000;
  const unsigned opcode = (flags >> 11) & 0xF, rcode = flags & 0xF;
  if (flavor == Flavor::kDns) {
    // 0 query, 1 inverse query, 2 status, 4 notify, 5 update, 6 DSO (RFC 8490).
    if (opcode == 3 || opcode > 6) return 0;
    if (!(qd == 1 || (qd == 0 && qr && rcode != 0) || (qd == 0 && opcode == 6))) return 0;
    if (!qr && (rcode != 0 || (opcode == 0 && (an != 0 || ns != 0 || ar > 2)))) return 0;
    if (strict && (flags & 0x0040)) return 0;  // Z must be zero (RFC 1035 §4.1.1)
  } else if (flavor == Flavor::kLlmnr) {
    if (opcode != 0 || qd != 1) return 0;  // RFC 4795 §2.1.1
    if (!qr && (an != 0 || ns != 0 || rcode != 0)) return 0;
  } else {
    if (opcode != 0 || rcode != 0) return 0;  // RFC 6762 §18.3, §18.11
    if (qd + an + ns + ar == 0) return 0;
  }
  if (!partial && kHeaderBytes + 5 * size_t{qd} + 11 * (size_t{an} + ns + ar) > msg.size())
    return 0;
  size_t pos = kHeaderBytes;
  std::string first;
  NameError e = read_name(msg, pos, first);
  if (e == NameError::kTruncated && partial) return -1;
  if (qd + an + ns + ar == 0) return 1;  // an error response without sections
  if (e != NameError::kNone) return 0;
  if (pos + 4 > msg.size()) return partial ? -1 : 0;
  const uint16_t type = static_cast<uint16_t>((msg[pos] << 8) | msg[pos + 1]);
  uint16_t cls = static_cast<uint16_t>((msg[pos + 2] << 8) | msg[pos + 3]);
  if (flavor == Flavor::kMdns) cls &= 0x7fff;
  if (type == 0) return 0;
  // IN, CH, HS, NONE (updates), ANY.
  if (cls != 1 && cls != 3 && cls != 4 && cls != 254 && cls != 255) return 0;
  if (flavor == Flavor::kDns && msg[kHeaderBytes] == 32) {
    // NetBIOS name service (RFC 1002 §4.1) shares the format; its names are one 32-byte label
    // of the letters A..P. Not DNS.
    bool netbios = msg.size() >= kHeaderBytes + 33;
    for (size_t i = kHeaderBytes + 1; netbios && i < kHeaderBytes + 33; ++i) {
      netbios = msg[i] >= 'A' && msg[i] <= 'P';
    }
    if (netbios) return 0;
  }
  if (strict) {
    DNS scratch;
    ParseResult r = parse_message(msg, ParseOptions{flavor, 4096}, scratch);
    if (!r.complete) {
      const bool cut = !r.problems.empty() && r.problems.back().name == "dns.truncated_message";
      return partial && cut ? -1 : 0;
    }
    if (!r.problems.empty()) return 0;
  }
  return 1;
}

}  // namespace netcap::app::dns
