#include "transforms/maltego/request.h"

#include <algorithm>
#include <climits>
#include <pugixml.hpp>

#include "transforms/maltego/text.h"

namespace netcap::maltego {
namespace {

constexpr std::string_view kInvalidXml = "Malformed request: invalid XML";

struct Failure {
  RequestError error = RequestError::kNone;
  std::string message;
};

Failure malformed(std::string_view detail) {
  return {RequestError::kMalformedXml, std::string(kInvalidXml) + ": " + std::string(detail)};
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool starts_with_at(std::string_view s, size_t pos, std::string_view prefix) {
  return s.size() >= pos && s.substr(pos).starts_with(prefix);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Reads the encoding pseudo-attribute of an XML declaration ("" if absent).
std::string declared_encoding(std::string_view decl) {
  const size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return "";
  size_t i = at + 8;
  while (i < decl.size() && is_xml_space(decl[i])) ++i;
  if (i >= decl.size() || decl[i] != '=') return "";
  ++i;
  while (i < decl.size() && is_xml_space(decl[i])) ++i;
  if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) return "";
  const char quote = decl[i++];
  const size_t end = decl.find(quote, i);
  if (end == std::string_view::npos) return "";
  return ascii_lower(decl.substr(i, end - i));
}

// Scans the prolog (XML 1.0 §2.8: XMLDecl? Misc* (doctypedecl Misc*)?) without parsing
// anything else, so that a DOCTYPE is refused before a parser could look at its DTD.
// Returns false with *failure set on DOCTYPE or an unterminated construct.
bool scan_prolog(std::string_view s, std::string* encoding, Failure* failure) {
  size_t i = 0;
  if (starts_with_at(s, 0, "<?xml") && s.size() > 5 && (is_xml_space(s[5]) || s[5] == '?')) {
    const size_t end = s.find("?>");
    if (end == std::string_view::npos) {
      *failure = malformed("unterminated XML declaration");
      return false;
    }
    *encoding = declared_encoding(s.substr(0, end));
    i = end + 2;
  }
  for (;;) {
    while (i < s.size() && is_xml_space(s[i])) ++i;
    if (starts_with_at(s, i, "<!--")) {
      const size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) {
        *failure = malformed("unterminated comment");
        return false;
      }
      i = end + 3;
    } else if (starts_with_at(s, i, "<?")) {
      const size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) {
        *failure = malformed("unterminated processing instruction");
        return false;
      }
      i = end + 2;
    } else if (starts_with_at(s, i, "<!")) {
      // Only a DOCTYPE may start with "<!" here (CDATA is not allowed in the prolog).
      *failure = {RequestError::kDoctypeForbidden, "Malformed request: DOCTYPE is not allowed"};
      return false;
    } else {
      return true;
    }
  }
}

// Resolves the predefined entities and character references of raw (unescaped) XML text
// (XML 1.0 §4.1, §4.6). Anything else after '&' is an error: no DTD means no other entities.
bool decode_references(std::string_view raw, std::string* out, std::string* error) {
  out->clear();
  out->reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    const char c = raw[i];
    if (c != '&') {
      out->push_back(c);
      ++i;
      continue;
    }
    const size_t semi = raw.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 16) {
      *error = "unterminated or overlong reference";
      return false;
    }
    const std::string_view name = raw.substr(i + 1, semi - i - 1);
    if (name == "lt") {
      out->push_back('<');
    } else if (name == "gt") {
      out->push_back('>');
    } else if (name == "amp") {
      out->push_back('&');
    } else if (name == "apos") {
      out->push_back('\'');
    } else if (name == "quot") {
      out->push_back('"');
    } else if (name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      if (digits.empty()) {
        *error = "empty character reference";
        return false;
      }
      uint32_t cp = 0;
      for (const char d : digits) {
        uint32_t v = 0;
        if (d >= '0' && d <= '9') {
          v = static_cast<uint32_t>(d - '0');
        } else if (hex && d >= 'a' && d <= 'f') {
          v = static_cast<uint32_t>(d - 'a' + 10);
        } else if (hex && d >= 'A' && d <= 'F') {
          v = static_cast<uint32_t>(d - 'A' + 10);
        } else {
          *error = "bad character reference";
          return false;
        }
        cp = cp * (hex ? 16 : 10) + v;
        if (cp > 0x10FFFF) {
          *error = "character reference out of range";
          return false;
        }
      }
      // Well-formedness constraint "Legal Character" (XML 1.0 §4.1).
      if (!is_xml_char(cp)) {
        *error = "reference to invalid character number " + std::to_string(cp);
        return false;
      }
      append_utf8(out, cp);
    } else {
      *error = "undefined entity '" + std::string(name.substr(0, 32)) + "'";
      return false;
    }
    i = semi + 1;
  }
  return true;
}

// Tree reader: every string taken from the document goes through decode_references; the first
// failure is remembered and turns the whole request into malformed_xml.
class Reader {
 public:
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  std::string attribute(const pugi::xml_node& node, const char* name) {
    std::optional<std::string> v = optional_attribute(node, name);
    return v ? std::move(*v) : std::string();
  }

  std::optional<std::string> optional_attribute(const pugi::xml_node& node, const char* name) {
    const pugi::xml_attribute a = node.attribute(name);
    if (!a) return std::nullopt;
    return decode(a.value());
  }

  // Concatenation of all text and CDATA children, verbatim (spec §2.2).
  std::string text(const pugi::xml_node& node) {
    std::string out;
    for (const pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_pcdata) {
        out += decode(child.value());
      } else if (child.type() == pugi::node_cdata) {
        out += child.value();
      }
    }
    return out;
  }

 private:
  std::string decode(std::string_view raw) {
    std::string out;
    std::string err;
    if (!decode_references(raw, &out, &err) && error_.empty()) error_ = err;
    return out;
  }
  std::string error_;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_xml_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_xml_space(s.back())) s.remove_suffix(1);
  return s;
}

// Decimal digits only, clamped to INT32_MAX; anything else -> nullopt (spec §2.2).
std::optional<int> parse_non_negative(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = std::min<int64_t>(v * 10 + (c - '0'), INT_MAX);
  }
  return static_cast<int>(v);
}

// Spec §2.4 (maltego-trx entities.py entity_property_map).
struct LegacyAlias {
  std::string_view type;
  std::string_view v2;
  std::string_view v3;
};
constexpr LegacyAlias kLegacyAliases[] = {
    {"maltego.Person", "firstname", "person.firstnames"},
    {"maltego.Person", "lastname", "person.lastname"},
    {"maltego.Domain", "whois", "whois-info"},
    {"maltego.IPv4Address", "whois", "whois-info"},
    {"maltego.URL", "maltego.v2.value.property", "short-title"},
    {"maltego.URL", "theurl", "url"},
    {"maltego.URL", "fulltitle", "title"},
    {"maltego.Document", "maltego.v2.value.property", "title"},
    {"maltego.Document", "link", "url"},
    {"maltego.Document", "metainfo", "document.meta-data"},
    {"maltego.Location", "area", "location.area"},
    {"maltego.Location", "countrysc", "url"},
    {"maltego.Location", "long", "longitude"},
    {"maltego.Location", "lat", "latitude"},
    {"maltego.PhoneNumber", "countrycode", "phonenumber.countrycode"},
    {"maltego.PhoneNumber", "citycode", "phonenumber.citycode"},
    {"maltego.PhoneNumber", "areacode", "phonenumber.areacode"},
    {"maltego.PhoneNumber", "lastnumbers", "phonenumber.lastnumbers"},
    {"maltego.affiliation", "network", "affiliation.network"},
    {"maltego.affiliation", "uid", "affiliation.uid"},
    {"maltego.affiliation", "profile_url", "affiliation.profile-url"},
    {"maltego.affiliation.Spock", "network", "affiliation.network"},
    {"maltego.affiliation.Spock", "uid", "affiliation.uid"},
    {"maltego.affiliation.Spock", "profile_url", "affiliation.profile-url"},
    {"maltego.affiliation.Spock", "spock_websites", "spock.websites"},
    {"maltego.Service", "banner", "banner.text"},
    {"maltego.Service", "port", "port.number"},
    {"maltego.Alias", "properties.alias", "alias"},
    {"maltego.Device", "properties.device", "device"},
    {"maltego.GPS", "properties.gps", "gps.coordinate"},
    {"maltego.CircularArea", "area", "radius"},
    {"maltego.Image", "properties.image", "description"},
    {"maltego.Image", "fullImage", "url"},
    {"maltego.NominatimLocation", "properties.nominatimlocation", "nominatimlocation"},
    {"maltego.BuiltWithTechnology", "properties.builtwithtechnology", "builtwith.technology"},
    {"maltego.FacebookObject", "properties.facebookobject", "facebook.object"},
};

std::vector<std::string> lookup_types(const TransformRequest& r) {
  std::vector<std::string> types;
  for (const GenealogyType& g : r.genealogy) types.push_back(g.name);
  types.push_back(r.type);
  if (!r.type.empty() && r.type.find('.') == std::string::npos) {
    types.push_back("maltego." + r.type);
  }
  return types;
}

void add_legacy_aliases(TransformRequest* r) {
  const std::vector<std::string> types = lookup_types(*r);
  auto received = [&](std::string_view name) {
    return std::any_of(r->properties.begin(), r->properties.end(),
                       [&](const RequestProperty& p) { return p.name == name; });
  };
  for (const RequestProperty& p : r->properties) {
    for (const LegacyAlias& a : kLegacyAliases) {
      if (a.v2 != p.name || received(a.v3)) continue;
      if (std::find(types.begin(), types.end(), a.type) == types.end()) continue;
      auto it = std::find_if(r->legacy_aliases_added.begin(), r->legacy_aliases_added.end(),
                             [&](const auto& added) { return added.first == a.v3; });
      if (it == r->legacy_aliases_added.end()) {
        r->legacy_aliases_added.emplace_back(std::string(a.v3), p.value);
      } else {
        it->second = p.value;  // last received occurrence wins, as for lookups
      }
    }
  }
}

// Depth of the element tree without recursion (hostile input must not exhaust the stack).
int tree_depth(const pugi::xml_document& doc) {
  int max_depth = 0;
  int depth = 0;
  pugi::xml_node node = doc.first_child();
  while (node) {
    if (node.type() == pugi::node_element) max_depth = std::max(max_depth, depth + 1);
    if (node.first_child()) {
      node = node.first_child();
      ++depth;
      continue;
    }
    while (node && !node.next_sibling()) {
      node = node.parent();
      --depth;
      if (node == doc) return max_depth;
    }
    if (node) node = node.next_sibling();
  }
  return max_depth;
}

Expected<TransformRequest> parse_checked(std::string_view body, const ParseLimits& limits,
                                         Failure* failure) {
  auto fail = [&](Failure f) -> Status {
    *failure = std::move(f);
    return Status::error(failure->message);
  };
  if (body.empty()) {
    return fail({RequestError::kEmptyBody, "empty request body"});
  }
  if (body.size() > limits.max_body_bytes) {
    return fail({RequestError::kTooLarge, "request body of " + std::to_string(body.size()) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(limits.max_body_bytes)});
  }
  bool had_bom = false;
  if (body.starts_with("\xEF\xBB\xBF")) {
    body.remove_prefix(3);
    had_bom = true;
  }
  // UTF-16/32 are not supported (spec §2.7 asks for UTF-8 and ISO-8859-1 only); their NUL
  // bytes are caught below as control characters.
  std::string encoding;
  Failure prolog_failure;
  if (!scan_prolog(body, &encoding, &prolog_failure)) return fail(std::move(prolog_failure));

  std::string transcoded;
  if (encoding == "iso-8859-1" || encoding == "latin1" || encoding == "latin-1" ||
      encoding == "iso_8859-1" || encoding == "l1") {
    if (had_bom) return fail(malformed("byte order mark contradicts declared ISO-8859-1"));
    transcoded.reserve(body.size() + body.size() / 8);
    for (const char c : body) append_utf8(&transcoded, static_cast<unsigned char>(c));
    body = transcoded;
  } else if (encoding.empty() || encoding == "utf-8" || encoding == "utf8" ||
             encoding == "us-ascii" || encoding == "ascii") {
    size_t bad = 0;
    if (!is_valid_utf8(body, &bad)) {
      return fail(malformed("invalid UTF-8 at byte " + std::to_string(bad)));
    }
  } else {
    return fail(malformed("unsupported encoding '" + encoding.substr(0, 32) + "'"));
  }
  // Raw characters outside the XML 1.0 Char production (C0 controls except TAB/LF/CR) make the
  // document not well-formed (XML 1.0 §2.2); U+FFFE/U+FFFF (EF BF BE/BF) likewise.
  for (size_t i = 0; i < body.size(); ++i) {
    const auto b = static_cast<unsigned char>(body[i]);
    if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
      return fail(malformed("invalid character at byte " + std::to_string(i)));
    }
    if (b == 0xEF && i + 2 < body.size() && static_cast<unsigned char>(body[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(body[i + 2]) & 0xFE) == 0xBE) {
      return fail(malformed("invalid character at byte " + std::to_string(i)));
    }
  }

  // No parse_escapes: references are resolved by decode_references, which knows no entities
  // besides the predefined five and refuses references to non-Chars. parse_doctype makes a
  // misplaced DOCTYPE visible as a node so it can be refused too.
  constexpr unsigned kFlags = pugi::parse_cdata | pugi::parse_wconv_attribute | pugi::parse_eol |
                              pugi::parse_ws_pcdata | pugi::parse_doctype;
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), kFlags, pugi::encoding_utf8);
  if (!parsed) {
    return fail(
        malformed(std::string(parsed.description()) + " at byte " + std::to_string(parsed.offset)));
  }
  int roots = 0;
  pugi::xml_node root;
  for (const pugi::xml_node child : doc.children()) {
    if (child.type() == pugi::node_doctype) {
      return fail({RequestError::kDoctypeForbidden, "Malformed request: DOCTYPE is not allowed"});
    }
    if (child.type() == pugi::node_element) {
      ++roots;
      root = child;
    } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      if (!trim(child.value()).empty()) return fail(malformed("text outside the root element"));
    }
  }
  if (roots != 1) return fail(malformed(roots == 0 ? "no root element" : "several root elements"));
  if (tree_depth(doc) > limits.max_depth) {
    return fail(malformed("nesting deeper than " + std::to_string(limits.max_depth)));
  }

  pugi::xml_node message;
  if (std::string_view(root.name()) == "MaltegoTransformRequestMessage") {
    message = root;  // bare root: accepted leniently (spec §2.2)
  } else if (std::string_view(root.name()) == "MaltegoMessage") {
    message = root.child("MaltegoTransformRequestMessage");
  }
  if (!message) {
    return fail(
        {RequestError::kNotARequest, "Malformed request: not a MaltegoTransformRequestMessage"});
  }

  pugi::xml_node entity;
  TransformRequest request;
  for (const pugi::xml_node entities : message.children("Entities")) {
    for (const pugi::xml_node e : entities.children("Entity")) {
      if (!entity) entity = e;
      ++request.entity_count;
    }
  }
  if (!entity) return fail({RequestError::kNoEntity, "Malformed request: no input entity"});

  Reader reader;
  request.type = reader.attribute(entity, "Type");
  request.value = reader.text(entity.child("Value"));
  if (const pugi::xml_node weight = entity.child("Weight")) {
    request.weight = parse_non_negative(reader.text(weight)).value_or(kDefaultWeight);
  }
  for (const pugi::xml_node t : entity.child("Genealogy").children("Type")) {
    GenealogyType g;
    g.name = reader.attribute(t, "Name");
    g.old_name = reader.optional_attribute(t, "OldName");
    request.genealogy.push_back(std::move(g));
  }
  for (const pugi::xml_node f : entity.child("AdditionalFields").children("Field")) {
    RequestProperty p;
    p.name = reader.attribute(f, "Name");
    if (p.name.empty()) continue;  // spec §2.2: fields without a non-empty Name are dropped
    p.display_name = reader.optional_attribute(f, "DisplayName");
    p.matching_rule = reader.optional_attribute(f, "MatchingRule");
    p.value = reader.text(f);
    request.properties.push_back(std::move(p));
  }
  for (const pugi::xml_node f : message.child("TransformFields").children("Field")) {
    std::string name = reader.attribute(f, "Name");
    if (name.empty()) continue;
    request.transform_fields.emplace_back(std::move(name), reader.text(f));
  }
  if (const pugi::xml_node l = message.child("Limits")) {
    request.soft_limit = parse_non_negative(reader.attribute(l, "SoftLimit"));
    request.hard_limit = parse_non_negative(reader.attribute(l, "HardLimit"));
  }
  if (reader.failed()) return fail(malformed(reader.error()));
  add_legacy_aliases(&request);
  return request;
}

}  // namespace

const std::string* TransformRequest::property(std::string_view name) const {
  for (auto it = properties.rbegin(); it != properties.rend(); ++it) {
    if (it->name == name) return &it->value;
  }
  for (const auto& [alias, value] : legacy_aliases_added) {
    if (alias == name) return &value;
  }
  return nullptr;
}

const std::string* TransformRequest::transform_field(std::string_view name) const {
  for (auto it = transform_fields.rbegin(); it != transform_fields.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

std::string TransformRequest::effective_type() const {
  std::string t =
      !genealogy.empty() && !genealogy.front().name.empty() ? genealogy.front().name : type;
  if (!t.empty() && t.find('.') == std::string::npos) t = "maltego." + t;
  return t;
}

bool TransformRequest::is_of_type(std::string_view declared_type) const {
  if (effective_type() == declared_type) return true;
  for (const std::string& t : lookup_types(*this)) {
    if (!t.empty() && t == declared_type) return true;
  }
  return false;
}

int TransformRequest::effective_limit(int fallback) const {
  int limit = 0;
  for (const std::optional<int>& l : {soft_limit, hard_limit}) {
    if (l && *l > 0 && (limit == 0 || *l < limit)) limit = *l;
  }
  return limit > 0 ? limit : fallback;
}

std::string_view request_error_name(RequestError error) {
  switch (error) {
    case RequestError::kNone:
      return "";
    case RequestError::kEmptyBody:
      return "empty_body";
    case RequestError::kTooLarge:
      return "too_large";
    case RequestError::kMalformedXml:
      return "malformed_xml";
    case RequestError::kDoctypeForbidden:
      return "doctype_forbidden";
    case RequestError::kNotARequest:
      return "not_a_request";
    case RequestError::kNoEntity:
      return "no_entity";
  }
  return "";
}

Expected<TransformRequest> parse_request(std::string_view body, const ParseLimits& limits,
                                         RequestError* error) {
  Failure failure;
  Expected<TransformRequest> result = [&]() -> Expected<TransformRequest> {
    // Library boundary: pugixml may throw std::bad_alloc; turn it into a Status.
    try {
      return parse_checked(body, limits, &failure);
    } catch (const std::exception&) {
      failure = malformed("out of memory");
      return Status::error(failure.message);
    }
  }();
  if (error != nullptr) *error = result.has_value() ? RequestError::kNone : failure.error;
  return result;
}

}  // namespace netcap::maltego
