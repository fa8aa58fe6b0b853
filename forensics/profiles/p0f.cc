#include "forensics/profiles/p0f.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace netcap::profiles {

namespace {

// p0f 3.09b config.h: the largest TTL distance of an exact match, and the most options read.
constexpr int kMaxDistance = 35;
constexpr size_t kMaxOptions = 24;
// Headers of a minimal IPv4 / IPv6 TCP packet (p0f's MIN_TCP4 / MIN_TCP6).
constexpr int kMinTcp4 = 40, kMinTcp6 = 60;

constexpr std::string_view kQuirkNames[] = {"df",   "id+",  "id-",  "ecn",   "0+",    "flow",
                                            "seq-", "ack+", "ack-", "uptr+", "urgf+", "pushf+",
                                            "ts1-", "ts2+", "opt+", "exws",  "bad"};
constexpr uint32_t kIpv4OnlyQuirks = kP0fDf | kP0fNonZeroId | kP0fZeroId | kP0fMustBeZero;

// Option kinds (RFC 9293 3.2).
constexpr uint8_t kEol = 0, kNop = 1, kMss = 2, kWs = 3, kSackOk = 4, kSack = 5, kTs = 8;

// A read position in one line of text.
struct Text {
  std::string_view s;
  size_t pos = 0;
  char peek(size_t at = 0) const { return pos + at < s.size() ? s[pos + at] : '\0'; }
  bool at_end() const { return pos >= s.size(); }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  bool eat(std::string_view word) {
    if (s.substr(std::min(pos, s.size())).starts_with(word)) {
      pos += word.size();
      return true;
    }
    return false;
  }
  // A decimal number of at most 9 digits (no overflow); nullopt when there is none.
  std::optional<long> number() {
    size_t start = pos;
    long v = 0;
    while (peek() >= '0' && peek() <= '9' && pos - start < 9) v = v * 10 + (s[pos++] - '0');
    if (pos == start || (peek() >= '0' && peek() <= '9')) return std::nullopt;
    return v;
  }
};

Status bad(std::string what) { return Status::error(std::move(what)); }

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_blank(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// p0f's NAME_CHARS (config.h): what a label's name may hold besides letters and digits.
bool is_name_char(char c) {
  return is_alnum(c) || std::string_view(" ./-_!?()").find(c) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// p0f's guess_dist: the hops to the next common initial TTL.
int guess_distance(int ttl) {
  return ttl <= 32 ? 32 - ttl : ttl <= 64 ? 64 - ttl : ttl <= 128 ? 128 - ttl : 255 - ttl;
}

// Sizes of the options p0f reads at a fixed size; SACK and unknown kinds at their minimum.
int option_bytes(const P0fTcpSignature& s) {
  int total = 0;
  for (uint8_t kind : s.layout) {
    switch (kind) {
      case kEol:
        total += 1 + s.eol_padding;
        break;
      case kNop:
        total += 1;
        break;
      case kMss:
        total += 4;
        break;
      case kWs:
        total += 3;
        break;
      case kSackOk:
        total += 2;
        break;
      case kTs:
        total += 10;
        break;
      case kSack:
        total += 10;
        break;
      default:
        total += 2;
        break;
    }
  }
  return total;
}

// p0f's detect_win_multi: is the window a multiple of the MSS (or of a value derived from it),
// or of the MTU? Returns the multiplier and sets `use_mtu`; -1 when it is neither. Window
// scaling is not applied: "neither do TCP stack developers" (p0f).
int window_multiplier(const P0fTcpSignature& s, uint16_t syn_mss, bool* use_mtu) {
  const int win = s.window;
  const int mss = s.mss;
  if (win == 0 || mss < 100 || s.window_type != P0fWindow::kValue) return -1;
  // p0f needs the TCP timestamp value (non-zero) and the headers' total size; the signature
  // has the timestamp option without the ts1- quirk, and the options' sizes (exact unless
  // there are SACK or unknown options).
  const bool has_ts1 = !(s.quirks & kP0fZeroTs1) &&
                       std::find(s.layout.begin(), s.layout.end(), kTs) != s.layout.end();
  const bool v6 = s.ip_version == 6;
  const int total_headers = (v6 ? 40 : 20) + s.ip_options_length + 20 + option_bytes(s);
  struct Candidate {
    int divisor;
    bool mtu;
    bool applies;
  };
  const Candidate candidates[] = {
      {mss, false, true},
      // Some systems subtract 12 bytes when timestamps are in use.
      {mss - 12, false, has_ts1},
      // The MSS of a 1500-byte MTU on another interface.
      {1500 - kMinTcp4, false, true},
      {1500 - kMinTcp4 - 12, false, true},
      {1500 - kMinTcp6, false, v6},
      {1500 - kMinTcp6 - 12, false, v6},
      // The MTU instead of the MSS.
      {mss + kMinTcp4, true, true},
      {mss + total_headers, true, true},
      {mss + kMinTcp6, true, v6},
      {1500, true, true},
      // On SYN+ACKs, a multiple of the peer's MSS.
      {syn_mss, false, syn_mss != 0},
      {syn_mss - 12, false, syn_mss != 0},
  };
  for (const Candidate& c : candidates) {
    if (!c.applies || c.divisor <= 0) continue;
    if (win % c.divisor == 0) {
      *use_mtu = c.mtu;
      return win / c.divisor;
    }
  }
  return -1;
}

}  // namespace

Expected<P0fTcpSignature> parse_p0f_tcp_signature(std::string_view text) {
  P0fTcpSignature sig;
  Text t{text};
  // ver
  if (t.eat('4')) {
    sig.ip_version = 4;
  } else if (t.eat('6')) {
    sig.ip_version = 6;
  } else if (t.eat('*')) {
    sig.ip_version = -1;
  } else {
    return bad("IP version must be 4, 6 or *");
  }
  if (!t.eat(':')) return bad("':' expected after the IP version");
  // ittl: "64", "64-" (random TTL) or "54+10" (observed + distance)
  auto ttl = t.number();
  if (!ttl || *ttl < 1 || *ttl > 255) return bad("initial TTL must be 1 to 255");
  sig.ttl = static_cast<int>(*ttl);
  if (t.eat('-')) {
    sig.random_ttl = true;
  } else if (t.eat('+')) {
    auto add = t.number();
    if (!add || sig.ttl + *add > 255) return bad("TTL + distance must be at most 255");
    sig.ttl += static_cast<int>(*add);
  }
  if (!t.eat(':')) return bad("':' expected after the TTL");
  // olen
  auto olen = t.number();
  if (!olen || *olen > 255) return bad("IP option length must be 0 to 255");
  sig.ip_options_length = static_cast<int>(*olen);
  if (!t.eat(':')) return bad("':' expected after the IP option length");
  // mss
  if (!t.eat('*')) {
    auto mss = t.number();
    if (!mss || *mss > 65535) return bad("MSS must be 0 to 65535 or *");
    sig.mss = static_cast<int>(*mss);
  }
  if (!t.eat(':')) return bad("':' expected after the MSS");
  // wsize
  if (t.eat('*')) {
    sig.window_type = P0fWindow::kAny;
  } else if (t.eat('%')) {
    sig.window_type = P0fWindow::kModulo;
    auto v = t.number();
    if (!v || *v < 2 || *v > 65535) return bad("'%' window divisor must be 2 to 65535");
    sig.window = static_cast<int>(*v);
  } else if (t.eat("mss*") || t.eat("mtu*")) {
    sig.window_type = t.s[t.pos - 3] == 's' ? P0fWindow::kMss : P0fWindow::kMtu;
    auto v = t.number();
    if (!v || *v < 1 || *v > 1000) return bad("MSS/MTU multiplier must be 1 to 1000");
    sig.window = static_cast<int>(*v);
  } else {
    auto v = t.number();
    if (!v || *v > 65535) return bad("window must be 0 to 65535, %N, mss*N, mtu*N or *");
    sig.window = static_cast<int>(*v);
  }
  if (!t.eat(',')) return bad("',' expected after the window");
  // scale
  if (!t.eat('*')) {
    auto v = t.number();
    if (!v || *v > 255) return bad("window scale must be 0 to 255 or *");
    sig.window_scale = static_cast<int>(*v);
  }
  if (!t.eat(':')) return bad("':' expected after the window scale");
  // olayout
  while (!t.eat(':')) {
    if (sig.layout.size() >= kMaxOptions) return bad("more than 24 TCP options");
    if (t.eat("eol+")) {
      auto pad = t.number();
      if (!pad || *pad > 255) return bad("EOL padding must be 0 to 255");
      sig.layout.push_back(kEol);
      sig.eol_padding = static_cast<int>(*pad);
      if (t.peek() != ':') return bad("EOL must be the last option");
      continue;
    }
    if (t.eat("nop")) {
      sig.layout.push_back(kNop);
    } else if (t.eat("mss")) {
      sig.layout.push_back(kMss);
    } else if (t.eat("ws")) {
      sig.layout.push_back(kWs);
    } else if (t.eat("sok")) {
      sig.layout.push_back(kSackOk);
    } else if (t.eat("sack")) {
      sig.layout.push_back(kSack);
    } else if (t.eat("ts")) {
      sig.layout.push_back(kTs);
    } else if (t.eat('?')) {
      auto kind = t.number();
      if (!kind || *kind > 255) return bad("'?' option kind must be 0 to 255");
      sig.layout.push_back(static_cast<uint8_t>(*kind));
    } else {
      return bad("unknown TCP option in the layout");
    }
    if (t.peek() == ':') continue;
    if (!t.eat(',')) return bad("',' or ':' expected after a TCP option");
    if (t.peek() == ':') return bad("empty TCP option");
  }
  // quirks
  while (!t.eat(':')) {
    size_t i = 0;
    for (; i < std::size(kQuirkNames); ++i) {
      if (t.eat(kQuirkNames[i])) break;
    }
    if (i == std::size(kQuirkNames)) return bad("unknown quirk");
    const uint32_t bit = 1u << i;
    if (sig.ip_version == 6 && (bit & kIpv4OnlyQuirks)) {
      return bad("quirk '" + std::string(kQuirkNames[i]) + "' is not valid for IPv6");
    }
    if (sig.ip_version == 4 && bit == kP0fFlow) return bad("quirk 'flow' is not valid for IPv4");
    sig.quirks |= bit;
    if (t.peek() == ':') continue;
    if (!t.eat(',')) return bad("',' or ':' expected after a quirk");
  }
  // pclass
  if (t.eat('*')) {
    sig.payload_class = -1;
  } else if (t.eat('0')) {
    sig.payload_class = 0;
  } else if (t.eat('+')) {
    sig.payload_class = 1;
  } else {
    return bad("payload class must be 0, + or *");
  }
  if (!t.at_end()) return bad("text after the payload class");
  return sig;
}

void P0fDatabase::error(int line, std::string_view what, const P0fLimits& limits) {
  ++error_count_;
  if (errors_.size() < limits.max_errors_kept) {
    errors_.push_back("line " + std::to_string(line) + ": " + std::string(what));
  }
}

P0fDatabase P0fDatabase::parse(std::string_view text, const P0fLimits& limits) {
  P0fDatabase db;
  enum class Section { kNone, kTcpRequest, kTcpResponse, kOther } section = Section::kNone;
  std::vector<std::string> classes;
  // The label signatures attach to (index into labels_); none until a valid label line in
  // this section.
  constexpr size_t kNoLabel = static_cast<size_t>(-1);
  size_t label = kNoLabel;
  bool need_sys = false;  // an application label takes a 'sys' line before its signatures
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (raw.size() > limits.max_line_bytes) {
      db.error(line_no, "longer than " + std::to_string(limits.max_line_bytes) + " bytes", limits);
      continue;
    }
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == ';') continue;
    if (line.front() == '[') {
      label = kNoLabel;
      need_sys = false;
      if (line == "[tcp:request]") {
        section = Section::kTcpRequest;
      } else if (line == "[tcp:response]") {
        section = Section::kTcpResponse;
      } else if (line == "[mtu]" || line == "[http:request]" || line == "[http:response]" ||
                 line == "[ssl:request]" || line == "[ssl:response]") {
        section = Section::kOther;  // p0f's other modules: not OS fingerprints of TCP
      } else {
        section = Section::kOther;
        db.error(line_no, "unknown section " + std::string(line), limits);
      }
      continue;
    }
    // name = value
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      db.error(line_no, "expected 'name = value'", limits);
      continue;
    }
    std::string_view name = trim(line.substr(0, eq));
    std::string_view value = trim(line.substr(eq + 1));
    if (name == "classes") {
      if (section != Section::kNone) {
        db.error(line_no, "'classes' after the first section", limits);
        continue;
      }
      Text t{value};
      while (!t.at_end()) {
        while (is_blank(t.peek()) || t.peek() == ',') ++t.pos;
        size_t start = t.pos;
        while (is_alnum(t.peek())) ++t.pos;
        if (t.pos == start || (!t.at_end() && t.peek() != ',' && !is_blank(t.peek()))) {
          db.error(line_no, "malformed class list", limits);
          break;
        }
        if (classes.size() < 256) classes.emplace_back(value.substr(start, t.pos - start));
      }
      continue;
    }
    if (section != Section::kTcpRequest && section != Section::kTcpResponse) {
      // [mtu] and [http:*] lines (label, sig, sys, ua_os) are p0f's other modules.
      if (section == Section::kNone)
        db.error(line_no, "'" + std::string(name) + "' before any section", limits);
      continue;
    }
    if (name == "label") {
      label = kNoLabel;
      need_sys = false;
      // type:class:name:flavor (p0f's README, "Signature groups").
      P0fLabel l;
      l.line = line_no;
      Text t{value};
      if (t.eat('g')) {
        l.generic = true;
      } else if (!t.eat('s')) {
        db.error(line_no, "label type must be 's' or 'g'", limits);
        continue;
      }
      if (!t.eat(':')) {
        db.error(line_no, "':' expected after the label type", limits);
        continue;
      }
      size_t start = t.pos;
      while (is_alnum(t.peek()) || t.peek() == '!') ++t.pos;
      l.os_class = std::string(value.substr(start, t.pos - start));
      if (l.os_class.empty() || !t.eat(':')) {
        db.error(line_no, "malformed label class", limits);
        continue;
      }
      if (l.os_class != "!") {
        bool known = false;
        for (const std::string& c : classes) known |= iequals(c, l.os_class);
        if (!known) {
          db.error(line_no, "class '" + l.os_class + "' not declared in 'classes'", limits);
          continue;
        }
      }
      start = t.pos;
      while (is_name_char(t.peek())) ++t.pos;
      l.name = std::string(value.substr(start, t.pos - start));
      if (l.name.empty() || !t.eat(':')) {
        db.error(line_no, "malformed label name", limits);
        continue;
      }
      l.flavor = std::string(value.substr(t.pos));
      need_sys = l.application();
      db.labels_.push_back(std::move(l));
      label = db.labels_.size() - 1;
      continue;
    }
    if (name == "sys") {
      if (label == kNoLabel || !need_sys) {
        db.error(line_no, "'sys' not after an application label", limits);
        continue;
      }
      std::vector<std::string> systems;
      bool ok = true;
      Text t{value};
      while (!t.at_end()) {
        while (is_blank(t.peek()) || t.peek() == ',') ++t.pos;
        if (t.at_end()) break;
        size_t start = t.pos;
        const bool is_class = t.eat('@');
        size_t name_start = t.pos;
        while (is_name_char(t.peek())) ++t.pos;
        std::string_view entry = trim(value.substr(name_start, t.pos - name_start));
        if (entry.empty() || (!t.at_end() && t.peek() != ',')) {
          ok = false;
          break;
        }
        if (is_class) {
          bool known = false;
          for (const std::string& c : classes) known |= iequals(c, entry);
          if (!known) {
            ok = false;
            break;
          }
        }
        if (systems.size() < 64) systems.emplace_back(trim(value.substr(start, t.pos - start)));
      }
      if (!ok) {
        db.error(line_no, "malformed 'sys' list (or an undeclared @class)", limits);
        continue;
      }
      db.labels_[label].systems = std::move(systems);
      need_sys = false;
      continue;
    }
    if (name == "sig") {
      if (label == kNoLabel) {
        db.error(line_no, "'sig' without a valid label before it", limits);
        continue;
      }
      if (need_sys) {
        db.error(line_no, "'sig' of an application label before its 'sys' line", limits);
        continue;
      }
      if (db.size() >= limits.max_signatures) {
        db.error(line_no, "more than " + std::to_string(limits.max_signatures) + " signatures",
                 limits);
        continue;
      }
      auto sig = parse_p0f_tcp_signature(value);
      if (!sig) {
        db.error(line_no, sig.status().message(), limits);
        continue;
      }
      const int to_server = section == Section::kTcpRequest ? 1 : 0;
      db.signatures_[to_server].push_back(Entry{std::move(sig.value()), label, line_no});
      continue;
    }
    db.error(line_no, "unknown field '" + std::string(name) + "'", limits);
  }
  return db;
}

Expected<P0fDatabase> P0fDatabase::load(const std::string& path, const P0fLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("cannot open " + path);
  std::string text;
  text.resize(limits.max_file_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > limits.max_file_bytes) {
    return Status::error(path + " is larger than " + std::to_string(limits.max_file_bytes) +
                         " bytes");
  }
  P0fDatabase db = parse(text, limits);
  if (db.size() == 0) return Status::error("no TCP signatures in " + path);
  return db;
}

std::optional<P0fMatch> P0fDatabase::match(const P0fTcpSignature& observed, bool request,
                                           uint16_t syn_mss) const {
  if (observed.ip_version != 4 && observed.ip_version != 6) return std::nullopt;
  if (observed.window_type != P0fWindow::kValue || observed.mss < 0 || observed.window_scale < 0 ||
      observed.payload_class < 0) {
    return std::nullopt;  // an observed signature has no wildcards
  }
  bool use_mtu = false;
  const int multiplier = window_multiplier(observed, syn_mss, &use_mtu);
  const Entry* fuzzy_match = nullptr;
  const Entry* generic_match = nullptr;
  for (const Entry& e : signatures_[request ? 1 : 0]) {
    const P0fTcpSignature& ref = e.sig;
    if (ref.layout != observed.layout) continue;
    if (ref.ip_version != -1 && ref.ip_version != observed.ip_version) continue;
    bool fuzzy = false;
    uint32_t ref_quirks = ref.quirks;
    // A signature for both versions ignores the quirks of the other version.
    if (ref.ip_version == -1) {
      ref_quirks &= observed.ip_version == 4 ? ~uint32_t{kP0fFlow}
                                             : ~uint32_t{kP0fDf | kP0fNonZeroId | kP0fZeroId};
    }
    if (ref_quirks != observed.quirks) {
      const uint32_t deleted = (ref_quirks ^ observed.quirks) & ref_quirks;
      const uint32_t added = (ref_quirks ^ observed.quirks) & observed.quirks;
      // Fuzzy: only 'df' or 'id+' gone, 'id-' or 'ecn' come (routers and NAT change these).
      if (fuzzy_match != nullptr || (deleted & ~uint32_t{kP0fDf | kP0fNonZeroId}) ||
          (added & ~uint32_t{kP0fZeroId | kP0fEcn})) {
        continue;
      }
      fuzzy = true;
    }
    if (ref.eol_padding != observed.eol_padding ||
        ref.ip_options_length != observed.ip_options_length) {
      continue;
    }
    if (ref.random_ttl) {
      if (ref.ttl < observed.ttl) continue;
    } else if (ref.ttl < observed.ttl || ref.ttl - observed.ttl > kMaxDistance) {
      fuzzy = true;
    }
    if (ref.mss != -1 && ref.mss != observed.mss) continue;
    if (ref.window_scale != -1 && ref.window_scale != observed.window_scale) continue;
    if (ref.payload_class != -1 && ref.payload_class != observed.payload_class) continue;
    switch (ref.window_type) {
      case P0fWindow::kValue:
        if (ref.window != observed.window) continue;
        break;
      case P0fWindow::kModulo:
        if (observed.window % ref.window != 0) continue;
        break;
      case P0fWindow::kMss:
        if (use_mtu || ref.window != multiplier) continue;
        break;
      case P0fWindow::kMtu:
        if (!use_mtu || ref.window != multiplier) continue;
        break;
      case P0fWindow::kAny:
        break;
    }
    if (!fuzzy) {
      if (!labels_[e.label].generic) {
        return P0fMatch{&labels_[e.label], e.line, false, false, ref.ttl - observed.ttl};
      }
      if (generic_match == nullptr) generic_match = &e;
    } else if (fuzzy_match == nullptr) {
      fuzzy_match = &e;
    }
  }
  if (generic_match != nullptr) {
    return P0fMatch{&labels_[generic_match->label], generic_match->line, false, true,
                    generic_match->sig.ttl - observed.ttl};
  }
  if (fuzzy_match == nullptr) return std::nullopt;
  const P0fLabel& l = labels_[fuzzy_match->label];
  if (l.application()) return std::nullopt;  // p0f: "no fuzzy matching for userland tools"
  const P0fTcpSignature& ref = fuzzy_match->sig;
  int distance = ref.ttl - observed.ttl;
  if (ref.ttl < observed.ttl || (!ref.random_ttl && distance > kMaxDistance)) {
    distance = guess_distance(observed.ttl);
  }
  return P0fMatch{&l, fuzzy_match->line, true, l.generic, distance};
}

std::string p0f_raw_signature(const P0fTcpSignature& observed, bool request, uint16_t syn_mss) {
  const int ttl = observed.ttl;
  const int distance = guess_distance(ttl);
  std::string out = std::to_string(observed.ip_version) + ":" + std::to_string(ttl) + "+" +
                    (distance > kMaxDistance ? "?" : std::to_string(distance)) + ":" +
                    std::to_string(observed.ip_options_length) + ":";
  // p0f-sendsyn's probe MSS echoed in a SYN+ACK: p0f suggests a wildcard.
  out += !request && observed.mss == 1331 ? "*" : std::to_string(observed.mss);
  out += ":";
  bool use_mtu = false;
  const int multiplier = window_multiplier(observed, request ? 0 : syn_mss, &use_mtu);
  out += multiplier > 0 ? (use_mtu ? "mtu*" : "mss*") + std::to_string(multiplier)
                        : std::to_string(observed.window);
  out += "," + std::to_string(observed.window_scale) + ":";
  for (size_t i = 0; i < observed.layout.size(); ++i) {
    if (i > 0) out += ',';
    switch (observed.layout[i]) {
      case kEol:
        out += "eol+" + std::to_string(observed.eol_padding);
        break;
      case kNop:
        out += "nop";
        break;
      case kMss:
        out += "mss";
        break;
      case kWs:
        out += "ws";
        break;
      case kSackOk:
        out += "sok";
        break;
      case kSack:
        out += "sack";
        break;
      case kTs:
        out += "ts";
        break;
      default:
        out += "?" + std::to_string(observed.layout[i]);
        break;
    }
  }
  out += ":";
  bool first = true;
  for (size_t i = 0; i < std::size(kQuirkNames); ++i) {
    if ((observed.quirks & (1u << i)) == 0) continue;
    if (!first) out += ',';
    out += kQuirkNames[i];
    first = false;
  }
  out += observed.payload_class > 0 ? ":+" : ":0";
  return out;
}

std::optional<P0fMatch> P0fDatabase::match(std::string_view observed, bool request,
                                           uint16_t syn_mss) const {
  auto sig = parse_p0f_tcp_signature(observed);
  if (!sig) return std::nullopt;
  return match(sig.value(), request, syn_mss);
}

}  // namespace netcap::profiles
