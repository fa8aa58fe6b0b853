#include "forensics/streams/sip/sip_parser.h"

#include <algorithm>

#include "forensics/app/text_util.h"

namespace netcap::app::sip {

namespace {

constexpr std::string_view kVersion = "SIP/2.0";
// Longest method token accepted by the start-line check (extension methods are short words).
constexpr size_t kMaxMethodLength = 32;

// RFC 3261 §25.1 token characters.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parameter value without surrounding quotes.
std::string_view unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// Splits "a;b=c;d" style parameters at `sep` outside quotes.
std::vector<std::string_view> split_outside_quotes(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' && (i == 0 || text[i - 1] != '\\')) quoted = !quoted;
    if (c == sep && !quoted) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

// Value of parameter `name` in ";name=value" parameters (case-insensitive name).
std::string param(const std::vector<std::string_view>& params, std::string_view name) {
  for (std::string_view p : params) {
    const size_t eq = p.find('=');
    std::string_view key = trim(p.substr(0, eq));
    if (iequals(key, name))
      return eq == std::string_view::npos ? std::string() : std::string(unquote(p.substr(eq + 1)));
  }
  return {};
}

}  // namespace

std::optional<StartLine> parse_start_line(std::string_view line) {
  StartLine s;
  if (line.substr(0, kVersion.size()) == kVersion) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    if (line.size() < kVersion.size() + 4 || line[kVersion.size()] != ' ') return std::nullopt;
    std::string_view rest = line.substr(kVersion.size() + 1);
    if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]))
      return std::nullopt;
    if (rest.size() > 3 && rest[3] != ' ') return std::nullopt;
    s.status_code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (s.status_code < 100) return std::nullopt;
    s.reason = std::string(rest.size() > 4 ? rest.substr(4) : std::string_view());
    s.version = std::string(kVersion);
    return s;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0 || sp1 > kMaxMethodLength) return std::nullopt;
  std::string_view method = line.substr(0, sp1);
  if (!std::all_of(method.begin(), method.end(), is_token_char)) return std::nullopt;
  const size_t sp2 = line.rfind(' ');
  if (sp2 == sp1) return std::nullopt;
  if (line.substr(sp2 + 1) != kVersion) return std::nullopt;
  std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (uri.empty() || uri.find(' ') != std::string_view::npos ||
      uri.find(':') == std::string_view::npos) {
    return std::nullopt;
  }
  s.is_request = true;
  s.method = std::string(method);
  s.request_uri = std::string(uri);
  s.version = std::string(kVersion);
  return s;
}

StartLineCheck check_start_line(std::string_view text) {
  const size_t nl = text.find('\n');
  if (nl != std::string_view::npos) {
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return parse_start_line(line) ? StartLineCheck::kYes : StartLineCheck::kNo;
  }
  // Incomplete line: a prefix of "SIP/2.0 ", or a method token then a URI with a scheme.
  std::string_view v = kVersion;
  if (text.size() <= v.size()) {
    if (v.substr(0, text.size()) == text) return StartLineCheck::kPrefix;
  } else if (text.substr(0, v.size()) == v) {
    return text[v.size()] == ' ' ? StartLineCheck::kPrefix : StartLineCheck::kNo;
  }
  const size_t sp = text.find(' ');
  std::string_view method = text.substr(0, std::min(sp, text.size()));
  if (method.empty() && sp == 0) return StartLineCheck::kNo;
  if (method.size() > kMaxMethodLength) return StartLineCheck::kNo;
  if (!std::all_of(method.begin(), method.end(), is_token_char)) return StartLineCheck::kNo;
  if (sp == std::string_view::npos) return StartLineCheck::kPrefix;
  // The URI so far must not contain control characters; the line must end within a bound.
  std::string_view rest = text.substr(sp + 1);
  if (rest.size() > 2048) return StartLineCheck::kNo;
  for (char c : rest) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\r') return StartLineCheck::kNo;
  }
  return StartLineCheck::kPrefix;
}

std::optional<HeadEnd> find_head_end(std::string_view text) {
  // The head ends at the first empty line; lines end with LF, optionally preceded by CR.
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return std::nullopt;
    const size_t line_len = nl - pos;
    if (line_len == 0 || (line_len == 1 && text[pos] == '\r')) {
      return HeadEnd{pos > 0 ? pos : 0, nl + 1};
    }
    pos = nl + 1;
  }
  return std::nullopt;
}

std::string canonical_header(std::string_view name) {
  std::string n = to_lower(trim(name));
  if (n.size() != 1) return n;
  switch (n[0]) {
    case 'i':
      return "call-id";
    case 'f':
      return "from";
    case 't':
      return "to";
    case 'v':
      return "via";
    case 'm':
      return "contact";
    case 'l':
      return "content-length";
    case 'c':
      return "content-type";
    case 'e':
      return "content-encoding";
    case 's':
      return "subject";
    case 'k':
      return "supported";
    case 'o':
      return "event";
    case 'r':
      return "refer-to";
    case 'u':
      return "allow-events";
    default:
      return n;
  }
}

std::vector<std::string_view> split_list(std::string_view value) {
  std::vector<std::string_view> out;
  bool quoted = false;
  int angle = 0;
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '"' && (i == 0 || value[i - 1] != '\\')) quoted = !quoted;
    if (quoted) continue;
    if (c == '<') ++angle;
    if (c == '>' && angle > 0) --angle;
    if (c == ',' && angle == 0) {
      std::string_view piece = trim(value.substr(start, i - start));
      if (!piece.empty()) out.push_back(piece);
      start = i + 1;
    }
  }
  std::string_view piece = trim(value.substr(start));
  if (!piece.empty()) out.push_back(piece);
  return out;
}

NameAddr parse_name_addr(std::string_view value) {
  // name-addr = [ display-name ] LAQUOT addr-spec RAQUOT, then ;params (§20.10 / §25.1).
  NameAddr out;
  value = trim(value);
  std::string_view params_text;
  const size_t lt = value.find('<');
  if (lt != std::string_view::npos) {
    const size_t gt = value.find('>', lt);
    out.display_name = std::string(unquote(value.substr(0, lt)));
    if (gt == std::string_view::npos) {
      out.uri = std::string(trim(value.substr(lt + 1)));
    } else {
      out.uri = std::string(trim(value.substr(lt + 1, gt - lt - 1)));
      params_text = value.substr(gt + 1);
    }
  } else {
    // addr-spec: the URI's own parameters cannot be told from header parameters; RFC 3261
    // §20.10 says they are header parameters.
    const size_t semi = value.find(';');
    out.uri = std::string(trim(value.substr(0, semi)));
    if (semi != std::string_view::npos) params_text = value.substr(semi);
  }
  if (!params_text.empty()) out.tag = param(split_outside_quotes(params_text, ';'), "tag");
  return out;
}

Via parse_via(std::string_view value) {
  // via-parm = sent-protocol LWS sent-by *( SEMI via-params ); sent-protocol = "SIP/2.0/UDP".
  Via out;
  value = trim(value);
  const std::vector<std::string_view> parts = split_outside_quotes(value, ';');
  std::string_view first = trim(parts.front());
  const size_t ws = first.find_first_of(" \t");
  std::string_view protocol = first.substr(0, ws);
  const size_t slash = protocol.rfind('/');
  if (slash != std::string_view::npos) out.transport = std::string(protocol.substr(slash + 1));
  if (ws != std::string_view::npos) out.sent_by = std::string(trim(first.substr(ws)));
  std::vector<std::string_view> params(parts.begin() + 1, parts.end());
  out.branch = param(params, "branch");
  out.received = param(params, "received");
  out.rport = param(params, "rport");
  return out;
}

Digest parse_digest(std::string_view header, std::string_view value) {
  // credentials / challenge = auth-scheme LWS auth-param *(COMMA auth-param) (RFC 2617 §1.2).
  Digest d;
  d.header = std::string(header);
  value = trim(value);
  const size_t ws = value.find_first_of(" \t");
  d.scheme = std::string(value.substr(0, ws));
  if (ws == std::string_view::npos) return d;
  const std::vector<std::string_view> params = split_outside_quotes(value.substr(ws + 1), ',');
  d.username = param(params, "username");
  d.realm = param(params, "realm");
  d.nonce = param(params, "nonce");
  d.uri = param(params, "uri");
  d.response = param(params, "response");
  d.algorithm = param(params, "algorithm");
  d.opaque = param(params, "opaque");
  d.qop = param(params, "qop");
  d.nc = param(params, "nc");
  d.cnonce = param(params, "cnonce");
  return d;
}

bool parse_head(std::string_view head, size_t max_fields, Message& out,
                std::vector<Problem>& problems) {
  size_t nl = head.find('\n');
  std::string_view first = head.substr(0, nl);
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  std::optional<StartLine> start = parse_start_line(first);
  if (!start) {
    problems.push_back(
        {"bad_start_line", "start line \"" + std::string(first.substr(0, 120)) + "\""});
    return false;
  }
  out.start = std::move(*start);
  // Header lines; a line starting with SP/HT continues the previous one (§7.3.1 folding).
  std::vector<std::pair<std::string, std::string>> fields;
  bool too_many = false;
  size_t pos = nl == std::string_view::npos ? head.size() : nl + 1;
  while (pos < head.size()) {
    nl = head.find('\n', pos);
    std::string_view line =
        head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      if (!fields.empty()) {
        fields.back().second += ' ';
        fields.back().second += std::string(trim(line));
      }
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      problems.push_back(
          {"bad_header_line", "header line \"" + std::string(line.substr(0, 120)) + "\""});
      continue;
    }
    if (fields.size() >= max_fields) {
      too_many = true;
      continue;
    }
    fields.emplace_back(std::string(trim(line.substr(0, colon))),
                        std::string(trim(line.substr(colon + 1))));
  }
  if (too_many) {
    problems.push_back(
        {"too_many_headers", "more than " + std::to_string(max_fields) + " header fields"});
  }
  for (const auto& [name, value] : fields) {
    const std::string key = canonical_header(name);
    if (key == "call-id") {
      if (out.call_id.empty()) out.call_id = value;
    } else if (key == "from") {
      out.from = parse_name_addr(value);
    } else if (key == "to") {
      out.to = parse_name_addr(value);
    } else if (key == "cseq") {
      const size_t ws = value.find_first_of(" \t");
      auto number = parse_decimal(trim(value.substr(0, ws)));
      if (!number || *number > 0xFFFFFFFFull) {
        problems.push_back({"bad_cseq", "CSeq \"" + value.substr(0, 120) + "\""});
      } else {
        out.cseq_number = static_cast<uint32_t>(*number);
      }
      if (ws != std::string::npos)
        out.cseq_method = std::string(trim(std::string_view(value).substr(ws)));
    } else if (key == "via") {
      for (std::string_view v : split_list(value)) {
        if (out.via.size() >= max_fields) break;
        out.via.push_back(parse_via(v));
      }
    } else if (key == "contact") {
      for (std::string_view v : split_list(value)) {
        if (out.contact.size() >= max_fields) break;
        if (v == "*") continue;
        out.contact.push_back(parse_name_addr(v));
      }
    } else if (key == "user-agent") {
      out.user_agent = value;
    } else if (key == "server") {
      out.server = value;
    } else if (key == "content-type") {
      out.content_type = value;
    } else if (key == "content-length") {
      auto n = parse_decimal(value);
      if (!n || *n > (uint64_t{1} << 40)) {
        problems.push_back(
            {"bad_content_length", "Content-Length \"" + value.substr(0, 60) + "\""});
      } else {
        out.content_length = static_cast<int64_t>(*n);
      }
    } else if (key == "authorization" || key == "proxy-authorization") {
      out.has_authorization = true;
      if (!out.authorization) {
        out.authorization =
            parse_digest(key == "authorization" ? "Authorization" : "Proxy-Authorization", value);
      }
    } else if (key == "www-authenticate" || key == "proxy-authenticate") {
      out.has_challenge = true;
      if (!out.challenge) {
        out.challenge = parse_digest(
            key == "www-authenticate" ? "WWW-Authenticate" : "Proxy-Authenticate", value);
      }
    }
  }
  out.headers = std::move(fields);
  return true;
}

Sdp parse_sdp(std::string_view body, size_t max_items, std::vector<Problem>& problems) {
  Sdp sdp;
  bool too_many = false;
  auto add_unique = [&](std::vector<std::string>& list, std::string value) {
    if (value.empty() || std::find(list.begin(), list.end(), value) != list.end()) return;
    if (list.size() >= max_items) {
      too_many = true;
      return;
    }
    list.push_back(std::move(value));
  };
  // c=<nettype> <addrtype> <connection-address> (§5.7); the address may carry /ttl.
  auto connection = [](std::string_view v) {
    std::vector<std::string_view> f = split(trim(v), ' ');
    if (f.size() < 3) return std::string();
    std::string_view addr = f[2];
    return std::string(addr.substr(0, addr.find('/')));
  };
  bool bad_line = false;
  for (std::string_view line : split(body, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') {
      bad_line = true;
      continue;
    }
    const char type = line[0];
    std::string_view value = line.substr(2);
    SdpMedia* media = sdp.media.empty() ? nullptr : &sdp.media.back();
    switch (type) {
      case 'o': {  // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
        std::vector<std::string_view> f = split(trim(value), ' ');
        if (f.size() >= 6) {
          sdp.owner_username = std::string(f[0]);
          sdp.session_id = std::string(f[1]);
          sdp.session_version = std::string(f[2]);
          sdp.owner_address = std::string(f[5]);
        } else {
          bad_line = true;
        }
        break;
      }
      case 's':
        sdp.session_name = std::string(value);
        break;
      case 'c': {
        std::string addr = connection(value);
        if (media != nullptr && media->connection_address.empty()) media->connection_address = addr;
        add_unique(sdp.connection_addresses, addr);
        break;
      }
      case 'm': {  // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
        std::vector<std::string_view> f = split(trim(value), ' ');
        if (f.size() < 3) {
          bad_line = true;
          break;
        }
        if (sdp.media.size() >= max_items) {
          too_many = true;
          break;
        }
        SdpMedia m;
        m.media = std::string(f[0]);
        auto port = parse_decimal(f[1].substr(0, f[1].find('/')));
        m.port = port && *port <= 65535 ? static_cast<int>(*port) : 0;
        m.protocol = std::string(f[2]);
        for (size_t i = 3; i < f.size(); ++i) {
          if (f[i].empty()) continue;
          if (m.formats.size() >= max_items) {
            too_many = true;
            break;
          }
          m.formats.emplace_back(f[i]);
        }
        sdp.media.push_back(std::move(m));
        break;
      }
      case 'a': {
        if (media == nullptr) break;
        if (istarts_with(value, "rtpmap:")) {
          // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
          std::string_view v = value.substr(7);
          const size_t sp = v.find(' ');
          auto pt = parse_decimal(v.substr(0, sp));
          if (!pt || sp == std::string_view::npos || *pt > 127) {
            bad_line = true;
            break;
          }
          std::vector<std::string_view> enc = split(trim(v.substr(sp + 1)), '/');
          SdpRtpMap r;
          r.payload_type = static_cast<int>(*pt);
          r.encoding = std::string(enc[0]);
          if (enc.size() > 1) {
            auto rate = parse_decimal(enc[1]);
            r.clock_rate = rate && *rate < (1u << 30) ? static_cast<int>(*rate) : 0;
          }
          if (enc.size() > 2) r.parameters = std::string(enc[2]);
          if (media->rtpmaps.size() >= max_items) {
            too_many = true;
            break;
          }
          add_unique(sdp.codecs, r.encoding + "/" + std::to_string(r.clock_rate));
          media->rtpmaps.push_back(std::move(r));
        } else if (value == "sendrecv" || value == "sendonly" || value == "recvonly" ||
                   value == "inactive") {
          media->direction = std::string(value);
        }
        break;
      }
      default:
        break;
    }
  }
  if (bad_line) problems.push_back({"bad_sdp", "SDP body has malformed lines"});
  if (too_many)
    problems.push_back({"too_many_items", "SDP items past " + std::to_string(max_items)});
  return sdp;
}

}  // namespace netcap::app::sip
