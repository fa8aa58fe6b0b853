#include "forensics/streams/kerberos/kerberos_parser.h"

#include <arpa/inet.h>

#include <array>
#include <utility>

#include "forensics/app/text_util.h"
#include "forensics/streams/kerberos/der.h"

namespace netcap::app::kerberos {

std::string PrincipalName::joined() const {
  std::string out;
  for (const std::string& c : components) {
    if (!out.empty()) out.push_back('/');
    out += c;
  }
  return out;
}

std::string PrincipalName::concatenated() const {
  std::string out;
  for (const std::string& c : components) out += c;
  return out;
}

std::string_view msg_type_name(int msg_type) {
  switch (msg_type) {
    case kAsReq:
      return "AS-REQ";
    case kAsRep:
      return "AS-REP";
    case kTgsReq:
      return "TGS-REQ";
    case kTgsRep:
      return "TGS-REP";
    case kKrbError:
      return "KRB-ERROR";
    default:
      break;
  }
  return "";
}

std::string_view error_code_name(int32_t code) {
  // RFC 4120 §7.5.9; 62-76 are the PKINIT codes (RFC 4556 §3.1.3) that RFC 4120 lists too.
  static constexpr std::array<std::pair<int32_t, std::string_view>, 74> kNames = {{
      {0, "KDC_ERR_NONE"},
      {1, "KDC_ERR_NAME_EXP"},
      {2, "KDC_ERR_SERVICE_EXP"},
      {3, "KDC_ERR_BAD_PVNO"},
      {4, "KDC_ERR_C_OLD_MAST_KVNO"},
      {5, "KDC_ERR_S_OLD_MAST_KVNO"},
      {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
      {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
      {8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE"},
      {9, "KDC_ERR_NULL_KEY"},
      {10, "KDC_ERR_CANNOT_POSTDATE"},
      {11, "KDC_ERR_NEVER_VALID"},
      {12, "KDC_ERR_POLICY"},
      {13, "KDC_ERR_BADOPTION"},
      {14, "KDC_ERR_ETYPE_NOSUPP"},
      {15, "KDC_ERR_SUMTYPE_NOSUPP"},
      {16, "KDC_ERR_PADATA_TYPE_NOSUPP"},
      {17, "KDC_ERR_TRTYPE_NOSUPP"},
      {18, "KDC_ERR_CLIENT_REVOKED"},
      {19, "KDC_ERR_SERVICE_REVOKED"},
      {20, "KDC_ERR_TGT_REVOKED"},
      {21, "KDC_ERR_CLIENT_NOTYET"},
      {22, "KDC_ERR_SERVICE_NOTYET"},
      {23, "KDC_ERR_KEY_EXPIRED"},
      {24, "KDC_ERR_PREAUTH_FAILED"},
      {25, "KDC_ERR_PREAUTH_REQUIRED"},
      {26, "KDC_ERR_SERVER_NOMATCH"},
      {27, "KDC_ERR_MUST_USE_USER2USER"},
      {28, "KDC_ERR_PATH_NOT_ACCEPTED"},
      {29, "KDC_ERR_SVC_UNAVAILABLE"},
      {31, "KRB_AP_ERR_BAD_INTEGRITY"},
      {32, "KRB_AP_ERR_TKT_EXPIRED"},
      {33, "KRB_AP_ERR_TKT_NYV"},
      {34, "KRB_AP_ERR_REPEAT"},
      {35, "KRB_AP_ERR_NOT_US"},
      {36, "KRB_AP_ERR_BADMATCH"},
      {37, "KRB_AP_ERR_SKEW"},
      {38, "KRB_AP_ERR_BADADDR"},
      {39, "KRB_AP_ERR_BADVERSION"},
      {40, "KRB_AP_ERR_MSG_TYPE"},
      {41, "KRB_AP_ERR_MODIFIED"},
      {42, "KRB_AP_ERR_BADORDER"},
      {44, "KRB_AP_ERR_BADKEYVER"},
      {45, "KRB_AP_ERR_NOKEY"},
      {46, "KRB_AP_ERR_MUT_FAIL"},
      {47, "KRB_AP_ERR_BADDIRECTION"},
      {48, "KRB_AP_ERR_METHOD"},
      {49, "KRB_AP_ERR_BADSEQ"},
      {50, "KRB_AP_ERR_INAPP_CKSUM"},
      {51, "KRB_AP_PATH_NOT_ACCEPTED"},
      {52, "KRB_ERR_RESPONSE_TOO_BIG"},
      {60, "KRB_ERR_GENERIC"},
      {61, "KRB_ERR_FIELD_TOOLONG"},
      {62, "KDC_ERROR_CLIENT_NOT_TRUSTED"},
      {63, "KDC_ERROR_KDC_NOT_TRUSTED"},
      {64, "KDC_ERROR_INVALID_SIG"},
      {65, "KDC_ERR_KEY_TOO_WEAK"},
      {66, "KDC_ERR_CERTIFICATE_MISMATCH"},
      {67, "KRB_AP_ERR_NO_TGT"},
      {68, "KDC_ERR_WRONG_REALM"},
      {69, "KRB_AP_ERR_USER_TO_USER_REQUIRED"},
      {70, "KDC_ERR_CANT_VERIFY_CERTIFICATE"},
      {71, "KDC_ERR_INVALID_CERTIFICATE"},
      {72, "KDC_ERR_REVOKED_CERTIFICATE"},
      {73, "KDC_ERR_REVOCATION_STATUS_UNKNOWN"},
      {74, "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE"},
      {75, "KDC_ERR_CLIENT_NAME_MISMATCH"},
      {76, "KDC_ERR_KDC_NAME_MISMATCH"},
  }};
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "";
}

std::vector<std::string> kdc_option_names(uint32_t options) {
  // RFC 4120 §5.4.1 KDCOptions; 14 is [MS-SFU] 2.2.1 cname-in-addl-tkt, 15 is RFC 6806 §11
  // canonicalize, 16 RFC 6112 §4 request-anonymous. Bit 0 is the most significant.
  static constexpr std::array<std::pair<int, std::string_view>, 17> kBits = {{
      {0, "reserved"},
      {1, "forwardable"},
      {2, "forwarded"},
      {3, "proxiable"},
      {4, "proxy"},
      {5, "allow-postdate"},
      {6, "postdated"},
      {8, "renewable"},
      {11, "opt-hardware-auth"},
      {14, "cname-in-addl-tkt"},
      {15, "canonicalize"},
      {16, "request-anonymous"},
      {26, "disable-transited-check"},
      {27, "renewable-ok"},
      {28, "enc-tkt-in-skey"},
      {30, "renew"},
      {31, "validate"},
  }};
  std::vector<std::string> out;
  for (int bit = 0; bit < 32; ++bit) {
    if ((options & (0x80000000u >> bit)) == 0) continue;
    std::string name = "bit" + std::to_string(bit);
    for (const auto& [b, n] : kBits) {
      if (b == bit) name = std::string(n);
    }
    out.push_back(std::move(name));
  }
  return out;
}

// ---------------------------------------------------------------- the parser

namespace {

std::string anomaly_for(DerError e) {
  switch (e) {
    case DerError::kTruncated:
      return "kerberos.truncated";
    case DerError::kTooDeep:
      return "kerberos.der_too_deep";
    case DerError::kUnexpectedTag:
      return "kerberos.unexpected_tag";
    case DerError::kBadValue:
      return "kerberos.bad_value";
    case DerError::kIndefinite:
    case DerError::kBadLength:
    case DerError::kBadTag:
    case DerError::kNone:
      break;
  }
  return "kerberos.bad_der";
}

std::string tag_text(const Tlv& t) {
  static constexpr std::string_view kClass[] = {"UNIVERSAL", "APPLICATION", "", "PRIVATE"};
  std::string out = "[";
  const auto c = static_cast<size_t>(t.tag_class);
  if (!kClass[c].empty()) out.append(kClass[c]).append(" ");
  return out + std::to_string(t.tag) + "]";
}

std::string address_text(int64_t type, Bytes a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (type == 2 && a.size() == 4) {  // RFC 4120 §7.5.3 IPv4
    inet_ntop(AF_INET, a.data(), buf, sizeof(buf));
    return buf;
  }
  if (type == 24 && a.size() == 16) {  // IPv6
    inet_ntop(AF_INET6, a.data(), buf, sizeof(buf));
    return buf;
  }
  if (type == 20 && !a.empty() && a.size() <= 16) {
    // NetBIOS: the name padded with spaces to 16 octets ([MS-KILE] 2.2.1 / RFC 4120 §7.5.3).
    std::string name(as_text(a));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\0')) name.pop_back();
    bool printable = true;
    for (char c : name) printable = printable && c >= 0x20 && c < 0x7f;
    if (printable) return name;
  }
  return std::to_string(type) + ":" + hex(a);
}

class Parser {
 public:
  Parser(KrbMessage& m, ParseResult& r) : m_(m), r_(r) {}

  // A problem of the message: recorded unless an earlier structural error already explains it.
  void problem(std::string name, std::string detail) {
    complete_ = false;
    if (quiet_) return;
    r_.findings.push_back({std::move(name), std::move(detail)});
  }
  // A limit reached: always recorded (it does not follow from another error).
  void limit(std::string name, std::string detail) {
    complete_ = false;
    r_.findings.push_back({std::move(name), std::move(detail)});
  }
  // Reports a reader's DER error once.
  void check(const DerReader& r, std::string_view where) {
    if (r.ok() || der_reported_) return;
    der_reported_ = true;
    problem(anomaly_for(r.error()), std::string(der_error_name(r.error())) + " in " +
                                        std::string(where) + " at offset " +
                                        std::to_string(r.error_offset()));
  }
  void set_quiet() {
    quiet_ = true;
    der_reported_ = true;
    complete_ = false;
  }
  bool complete() const { return complete_; }

  bool unexpected(DerReader& r, const Tlv& t, std::string_view where) {
    r.fail(DerError::kUnexpectedTag, t.offset);
    if (!der_reported_) {
      der_reported_ = true;
      problem("kerberos.unexpected_tag", "tag " + tag_text(t) + " in " + std::string(where) +
                                             " at offset " + std::to_string(t.offset));
    }
    return false;
  }
  void missing(std::string_view field) {
    problem("kerberos.missing_field", "required field " + std::string(field) + " is absent");
  }

  // The one TLV inside an explicit context tag (RFC 4120 §5.2 uses EXPLICIT TAGS).
  bool inner(DerReader& parent, const Tlv& wrapper, Tlv& out, std::string_view what) {
    DerReader c = parent.enter(wrapper);
    if (!c.next(out)) {
      if (c.ok()) c.fail(DerError::kTruncated, wrapper.offset);
      check(c, what);
      return false;
    }
    return true;
  }
  bool primitive(DerReader& parent, const Tlv& wrapper, uint32_t tag, Bytes& out,
                 std::string_view what) {
    Tlv t;
    if (!inner(parent, wrapper, t, what)) return false;
    if (!t.is(TagClass::kUniversal, tag) || t.constructed) return unexpected(parent, t, what);
    out = t.value;
    return true;
  }
  bool integer(DerReader& parent, const Tlv& wrapper, int64_t& v, std::string_view what) {
    Bytes b;
    if (!primitive(parent, wrapper, kTagInteger, b, what)) return false;
    if (!der_integer(b, v))
      return bad_value(parent, wrapper, what, "INTEGER of " + std::to_string(b.size()) + " octets");
    return true;
  }
  bool string(DerReader& parent, const Tlv& wrapper, std::string& out, std::string_view what) {
    Bytes b;
    if (!primitive(parent, wrapper, kTagGeneralString, b, what)) return false;
    out = bounded_string(b, what);
    return true;
  }
  bool time(DerReader& parent, const Tlv& wrapper, int64_t& ns, std::string_view what) {
    Bytes b;
    if (!primitive(parent, wrapper, kTagGeneralizedTime, b, what)) return false;
    if (!der_generalized_time(b, ns)) {
      return bad_value(parent, wrapper, what, "time \"" + std::string(as_text(b)) + "\"");
    }
    return true;
  }
  bool bad_value(DerReader& parent, const Tlv& at, std::string_view what, std::string detail) {
    parent.fail(DerError::kBadValue, at.offset);
    if (!der_reported_) {
      der_reported_ = true;
      problem("kerberos.bad_value",
              std::string(what) + ": " + detail + " at offset " + std::to_string(at.offset));
    }
    return false;
  }

  std::string bounded_string(Bytes b, std::string_view what) {
    if (b.size() <= kMaxStringBytes) return std::string(as_text(b));
    limit("kerberos.string_too_long", std::string(what) + " of " + std::to_string(b.size()) +
                                          " bytes cut to " + std::to_string(kMaxStringBytes));
    return std::string(as_text(b.first(kMaxStringBytes)));
  }

  // Iterates the context-tagged fields of a SEQUENCE: calls f(reader, tlv) for each; other
  // classes are unexpected. Fields the schema does not know are skipped (extensibility).
  template <typename F>
  void fields(DerReader& seq, std::string_view where, F&& f) {
    Tlv t;
    while (seq.next(t)) {
      if (t.tag_class != TagClass::kContext) {
        unexpected(seq, t, where);
        break;
      }
      if (!f(seq, t)) break;
    }
    check(seq, where);
  }

  // SEQUENCE (universal 16) inside `wrapper`, entered.
  bool sequence(DerReader& parent, const Tlv& wrapper, DerReader& out, std::string_view what) {
    Tlv t;
    if (!inner(parent, wrapper, t, what)) return false;
    if (!t.is(TagClass::kUniversal, kTagSequence) || !t.constructed) {
      return unexpected(parent, t, what);
    }
    out = parent.enter(t);
    check(parent, what);
    return parent.ok();
  }

  void principal(DerReader& parent, const Tlv& wrapper, PrincipalName& p, std::string_view what) {
    DerReader seq(Bytes{});
    if (!sequence(parent, wrapper, seq, what)) return;
    p.present = true;
    bool have_type = false, have_names = false;
    fields(seq, what, [&](DerReader& r, const Tlv& f) {
      if (f.tag == 0) {
        int64_t v = 0;
        if (!integer(r, f, v, what)) return false;
        p.type = static_cast<int32_t>(v);
        have_type = true;
      } else if (f.tag == 1) {
        DerReader names(Bytes{});
        if (!sequence(r, f, names, what)) return false;
        have_names = true;
        Tlv s;
        while (names.next(s)) {
          if (!s.is(TagClass::kUniversal, kTagGeneralString) || s.constructed) {
            unexpected(names, s, what);
            break;
          }
          if (p.components.size() == kMaxNameComponents) {
            limit("kerberos.too_many_name_components", std::string(what) + " has more than " +
                                                           std::to_string(kMaxNameComponents) +
                                                           " components; the rest are left out");
            break;
          }
          p.components.push_back(bounded_string(s.value, what));
        }
        check(names, what);
        if (!names.ok()) r.fail(names.error(), names.error_offset());
      }
      return r.ok();
    });
    if (seq.ok() && (!have_type || !have_names))
      missing(std::string(what) + " name-type/name-string");
  }

  // EncryptedData (RFC 4120 §5.2.9) from the SEQUENCE `reader` is positioned in.
  void encrypted_fields(DerReader& seq, EncryptedData& e, std::string_view what) {
    e.present = true;
    bool have_etype = false, have_cipher = false;
    fields(seq, what, [&](DerReader& r, const Tlv& f) {
      int64_t v = 0;
      switch (f.tag) {
        case 0:
          if (!integer(r, f, v, what)) return false;
          e.etype = static_cast<int32_t>(v);
          have_etype = true;
          break;
        case 1:
          if (!integer(r, f, v, what)) return false;
          e.kvno = static_cast<uint32_t>(v);
          e.has_kvno = true;
          break;
        case 2:
          if (!primitive(r, f, kTagOctetString, e.cipher, what)) return false;
          have_cipher = true;
          break;
        default:
          break;
      }
      return true;
    });
    if (seq.ok() && (!have_etype || !have_cipher)) missing(std::string(what) + " etype/cipher");
  }
  void encrypted(DerReader& parent, const Tlv& wrapper, EncryptedData& e, std::string_view what) {
    DerReader seq(Bytes{});
    if (!sequence(parent, wrapper, seq, what)) return;
    encrypted_fields(seq, e, what);
    if (!seq.ok()) parent.fail(seq.error(), seq.error_offset());
  }

  // The contents of an OCTET STRING that hold DER (padata-value, e-data): a reader one level
  // deeper whose first TLV must be a SEQUENCE, entered.
  bool embedded_sequence(DerReader& parent, const Tlv& octets, DerReader& out,
                         std::string_view what) {
    DerReader contents = parent.enter(octets);
    Tlv t;
    if (!contents.next(t)) {
      if (contents.ok()) contents.fail(DerError::kTruncated, octets.offset);
      check(contents, what);
      return false;
    }
    if (!t.is(TagClass::kUniversal, kTagSequence) || !t.constructed) {
      return unexpected(contents, t, what);
    }
    out = contents.enter(t);
    check(contents, what);
    return contents.ok();
  }

  // PA-ETYPE-INFO2 (RFC 4120 §5.2.7.5): the first entry that carries a salt.
  void etype_info2(DerReader& parent, const Tlv& octets) {
    DerReader list(Bytes{});
    if (!embedded_sequence(parent, octets, list, "PA-ETYPE-INFO2")) return;
    Tlv entry;
    size_t entries = 0;
    while (list.next(entry) && ++entries <= kMaxEtypes) {
      if (!entry.is(TagClass::kUniversal, kTagSequence) || !entry.constructed) {
        unexpected(list, entry, "ETYPE-INFO2-ENTRY");
        break;
      }
      DerReader e = list.enter(entry);
      fields(e, "ETYPE-INFO2-ENTRY", [&](DerReader& r, const Tlv& f) {
        if (f.tag == 1 && !m_.has_salt) {
          if (!string(r, f, m_.salt, "ETYPE-INFO2 salt")) return false;
          m_.has_salt = true;
        }
        return true;
      });
      if (!e.ok()) break;
    }
    check(list, "PA-ETYPE-INFO2");
  }

  // SEQUENCE OF PA-DATA (RFC 4120 §5.2.7) from the SEQUENCE `list` is positioned in.
  void padata_items(DerReader& list) {
    Tlv item;
    while (list.next(item)) {
      if (!item.is(TagClass::kUniversal, kTagSequence) || !item.constructed) {
        unexpected(list, item, "PA-DATA");
        break;
      }
      if (m_.padata_types.size() == kMaxPaData) {
        limit("kerberos.too_many_padata", "more than " + std::to_string(kMaxPaData) +
                                              " PA-DATA entries; the rest are left out");
        break;
      }
      DerReader pa = list.enter(item);
      int64_t type = 0;
      bool have_type = false;
      fields(pa, "PA-DATA", [&](DerReader& r, const Tlv& f) {
        if (f.tag == 1) {
          if (!integer(r, f, type, "padata-type")) return false;
          have_type = true;
        } else if (f.tag == 2) {
          Tlv octets;
          if (!inner(r, f, octets, "padata-value")) return false;
          if (!octets.is(TagClass::kUniversal, kTagOctetString) || octets.constructed) {
            return unexpected(r, octets, "padata-value");
          }
          if (!have_type) return true;
          DerReader value_reader = r.enter(f);  // depth of the OCTET STRING's contents
          if (type == kPaEncTimestamp && m_.msg_type == kAsReq) {
            DerReader seq(Bytes{});
            if (embedded_sequence(value_reader, octets, seq, "PA-ENC-TIMESTAMP")) {
              encrypted_fields(seq, m_.pa_enc_timestamp, "PA-ENC-TIMESTAMP");
            }
          } else if (type == kPaEtypeInfo2) {
            etype_info2(value_reader, octets);
          }
        }
        return true;
      });
      if (have_type) m_.padata_types.push_back(static_cast<int32_t>(type));
      if (!pa.ok()) break;
    }
    check(list, "padata");
  }
  void padata(DerReader& parent, const Tlv& wrapper) {
    DerReader list(Bytes{});
    if (!sequence(parent, wrapper, list, "padata")) return;
    padata_items(list);
  }

  void host_addresses(DerReader& parent, const Tlv& wrapper) {
    DerReader list(Bytes{});
    if (!sequence(parent, wrapper, list, "addresses")) return;
    Tlv item;
    while (list.next(item)) {
      if (!item.is(TagClass::kUniversal, kTagSequence) || !item.constructed) {
        unexpected(list, item, "HostAddress");
        break;
      }
      if (m_.addresses.size() == kMaxAddresses) {
        limit("kerberos.too_many_addresses",
              "more than " + std::to_string(kMaxAddresses) + " addresses; the rest are left out");
        break;
      }
      DerReader a = list.enter(item);
      int64_t type = 0;
      Bytes value;
      bool have_value = false;
      fields(a, "HostAddress", [&](DerReader& r, const Tlv& f) {
        if (f.tag == 0) return integer(r, f, type, "addr-type");
        if (f.tag == 1) {
          have_value = primitive(r, f, kTagOctetString, value, "address");
          return have_value;
        }
        return true;
      });
      if (!a.ok()) break;
      if (have_value) m_.addresses.push_back(address_text(type, value));
    }
    check(list, "addresses");
  }

  void etype_list(DerReader& parent, const Tlv& wrapper) {
    DerReader list(Bytes{});
    if (!sequence(parent, wrapper, list, "etype")) return;
    Tlv t;
    while (list.next(t)) {
      if (!t.is(TagClass::kUniversal, kTagInteger) || t.constructed) {
        unexpected(list, t, "etype");
        break;
      }
      if (m_.etypes.size() == kMaxEtypes) {
        limit("kerberos.too_many_etypes", "more than " + std::to_string(kMaxEtypes) +
                                              " encryption types; the rest are left out");
        break;
      }
      int64_t v = 0;
      if (!der_integer(t.value, v)) {
        bad_value(list, t, "etype", "INTEGER of " + std::to_string(t.value.size()) + " octets");
        break;
      }
      m_.etypes.push_back(static_cast<int32_t>(v));
    }
    check(list, "etype");
  }

  // Ticket (RFC 4120 §5.3): [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2],
  // enc-part [3] }.
  void ticket(DerReader& parent, const Tlv& wrapper) {
    Tlv app;
    if (!inner(parent, wrapper, app, "ticket")) return;
    if (!app.is(TagClass::kApplication, 1) || !app.constructed) {
      unexpected(parent, app, "ticket");
      return;
    }
    DerReader body = parent.enter(app);
    Tlv seq;
    if (!body.next(seq)) {
      if (body.ok()) body.fail(DerError::kTruncated, app.offset);
      check(body, "ticket");
      return;
    }
    if (!seq.is(TagClass::kUniversal, kTagSequence) || !seq.constructed) {
      unexpected(body, seq, "ticket");
      return;
    }
    DerReader f = body.enter(seq);
    bool have_enc = false;
    fields(f, "ticket", [&](DerReader& r, const Tlv& t) {
      switch (t.tag) {
        case 1:
          return string(r, t, m_.ticket_realm, "ticket realm");
        case 2:
          principal(r, t, m_.sname, "ticket sname");
          return r.ok();
        case 3:
          encrypted(r, t, m_.ticket_enc_part, "ticket enc-part");
          have_enc = r.ok();
          return r.ok();
        default:
          return true;
      }
    });
    if (f.ok() && !have_enc) missing("ticket enc-part");
  }

  // KDC-REQ-BODY (RFC 4120 §5.4.1).
  void req_body(DerReader& parent, const Tlv& wrapper) {
    DerReader body(Bytes{});
    if (!sequence(parent, wrapper, body, "req-body")) return;
    bool have_options = false, have_realm = false, have_nonce = false, have_etype = false;
    fields(body, "req-body", [&](DerReader& r, const Tlv& f) {
      int64_t v = 0;
      Bytes b;
      switch (f.tag) {
        case 0:
          if (!primitive(r, f, kTagBitString, b, "kdc-options")) return false;
          if (!der_bit_string32(b, m_.kdc_options)) {
            return bad_value(r, f, "kdc-options",
                             "BIT STRING of " + std::to_string(b.size()) + " octets");
          }
          m_.has_kdc_options = have_options = true;
          return true;
        case 1:
          principal(r, f, m_.cname, "cname");
          return r.ok();
        case 2:
          have_realm = string(r, f, m_.realm, "realm");
          return have_realm;
        case 3:
          principal(r, f, m_.sname, "sname");
          return r.ok();
        case 5:
          return time(r, f, m_.till_ns, "till");
        case 7:
          if (!integer(r, f, v, "nonce")) return false;
          m_.nonce = static_cast<uint32_t>(v);
          m_.has_nonce = have_nonce = true;
          return true;
        case 8:
          etype_list(r, f);
          have_etype = true;
          return r.ok();
        case 9:
          host_addresses(r, f);
          return r.ok();
        default:  // from, rtime, enc-authorization-data, additional-tickets: not recorded
          return true;
      }
    });
    if (!body.ok()) return;
    if (!have_options) missing("kdc-options");
    if (!have_realm) missing("realm");
    if (!have_nonce) missing("nonce");
    if (!have_etype) missing("etype");
  }

  // pvno and msg-type: false (and a finding) unless pvno is 5 and msg-type equals the tag.
  bool header_field(DerReader& r, const Tlv& f, bool is_pvno) {
    int64_t v = 0;
    if (!integer(r, f, v, is_pvno ? "pvno" : "msg-type")) return false;
    if (is_pvno) {
      pvno_ok_ = v == 5;
      if (!pvno_ok_) problem("kerberos.bad_pvno", "pvno " + std::to_string(v) + ", not 5");
      return pvno_ok_;
    }
    type_ok_ = v == m_.msg_type;
    if (!type_ok_) {
      problem("kerberos.msg_type_mismatch", "msg-type " + std::to_string(v) +
                                                " in a message tagged [APPLICATION " +
                                                std::to_string(m_.msg_type) + "]");
    }
    return type_ok_;
  }

  void kdc_req(DerReader& seq) {
    bool have_body = false;
    fields(seq, "KDC-REQ", [&](DerReader& r, const Tlv& f) {
      switch (f.tag) {
        case 1:
          return header_field(r, f, true);
        case 2:
          return header_field(r, f, false);
        case 3:
          padata(r, f);
          return r.ok();
        case 4:
          req_body(r, f);
          have_body = true;
          return r.ok();
        default:
          return true;
      }
    });
    if (seq.ok() && recognized() && !have_body) missing("req-body");
  }

  void kdc_rep(DerReader& seq) {
    bool have_ticket = false, have_enc = false;
    fields(seq, "KDC-REP", [&](DerReader& r, const Tlv& f) {
      switch (f.tag) {
        case 0:
          return header_field(r, f, true);
        case 1:
          return header_field(r, f, false);
        case 2:
          padata(r, f);
          return r.ok();
        case 3:
          return string(r, f, m_.crealm, "crealm");
        case 4:
          principal(r, f, m_.cname, "cname");
          return r.ok();
        case 5:
          ticket(r, f);
          have_ticket = true;
          return r.ok();
        case 6:
          encrypted(r, f, m_.enc_part, "enc-part");
          have_enc = true;
          return r.ok();
        default:
          return true;
      }
    });
    if (seq.ok() && recognized()) {
      if (!have_ticket) missing("ticket");
      if (!have_enc) missing("enc-part");
    }
  }

  void krb_error(DerReader& seq) {
    bool have_code = false;
    fields(seq, "KRB-ERROR", [&](DerReader& r, const Tlv& f) {
      int64_t v = 0;
      switch (f.tag) {
        case 0:
          return header_field(r, f, true);
        case 1:
          return header_field(r, f, false);
        case 6:
          if (!integer(r, f, v, "error-code")) return false;
          m_.error_code = static_cast<int32_t>(v);
          have_code = true;
          return true;
        case 7:
          return string(r, f, m_.crealm, "crealm");
        case 8:
          principal(r, f, m_.cname, "cname");
          return r.ok();
        case 9:
          return string(r, f, m_.realm, "realm");
        case 10:
          principal(r, f, m_.sname, "sname");
          return r.ok();
        case 11:
          return string(r, f, m_.e_text, "e-text");
        case 12: {
          // e-data: METHOD-DATA (SEQUENCE OF PA-DATA) with KDC_ERR_PREAUTH_REQUIRED and
          // KDC_ERR_PREAUTH_FAILED (RFC 4120 §5.2.7.1, §3.1.3); other codes carry other
          // structures (Windows KERB-ERROR-DATA), not decoded.
          if (m_.error_code != 24 && m_.error_code != 25) return true;
          Tlv octets;
          if (!inner(r, f, octets, "e-data")) return false;
          if (!octets.is(TagClass::kUniversal, kTagOctetString) || octets.constructed) {
            return unexpected(r, octets, "e-data");
          }
          DerReader contents = r.enter(f);
          DerReader list(Bytes{});
          if (embedded_sequence(contents, octets, list, "METHOD-DATA")) padata_items(list);
          return true;
        }
        default:  // ctime, cusec, stime, susec
          return true;
      }
    });
    if (seq.ok() && recognized() && !have_code) missing("error-code");
  }

  bool recognized() const { return pvno_ok_ && type_ok_; }

 private:
  KrbMessage& m_;
  ParseResult& r_;
  bool quiet_ = false;
  bool der_reported_ = false;
  bool complete_ = true;
  bool pvno_ok_ = false;
  bool type_ok_ = false;
};

bool known_type(uint32_t tag) {
  return tag == kAsReq || tag == kAsRep || tag == kTgsReq || tag == kTgsRep || tag == kKrbError;
}

}  // namespace

ParseResult parse_message(Bytes message, KrbMessage& m) {
  ParseResult result;
  Parser p(m, result);
  if (message.empty()) {
    p.problem("kerberos.truncated", "empty message");
    return result;
  }
  // The identifier first: bytes that are no KDC message at all are named so, not "truncated".
  // [APPLICATION n] constructed is 0x60 | n (DER uses the low-tag-number form below 31).
  const uint8_t id = message[0];
  if ((id & 0xe0) != 0x60 || !known_type(id & 0x1f)) {
    p.problem("kerberos.unknown_message",
              "first octet 0x" + hex(message.first(1)) +
                  " is not the tag of a KDC message (AS-REQ, AS-REP, TGS-REQ, TGS-REP, "
                  "KRB-ERROR)");
    return result;
  }
  DerReader top(message);
  Tlv app;
  if (!top.next(app)) {
    p.check(top, "message");
    return result;
  }
  // The whole structure of the message: a depth bomb or a broken length anywhere (also in
  // fields that are not decoded) is found once, here; the schema walk below then only collects
  // fields.
  const DerCheck structure = check_der(message.first(app.value_offset + app.value.size()));
  if (structure.error != DerError::kNone) {
    p.problem(anomaly_for(structure.error),
              std::string(der_error_name(structure.error)) + " at offset " +
                  std::to_string(structure.offset) +
                  (structure.error == DerError::kTooDeep
                       ? " (more than " + std::to_string(kMaxDerDepth) + " nested levels)"
                       : std::string()));
    p.set_quiet();
  }
  m.msg_type = static_cast<int>(app.tag);
  result.trailing_bytes = top.remaining();
  DerReader body = top.enter(app);
  Tlv seq;
  if (!body.next(seq)) {
    if (body.ok()) body.fail(DerError::kTruncated, app.offset);
    p.check(body, "message");
    return result;
  }
  if (!seq.is(TagClass::kUniversal, kTagSequence) || !seq.constructed) {
    p.unexpected(body, seq, "message");
    return result;
  }
  DerReader fields = body.enter(seq);
  switch (m.msg_type) {
    case kAsReq:
    case kTgsReq:
      p.kdc_req(fields);
      break;
    case kAsRep:
    case kTgsRep:
      p.kdc_rep(fields);
      break;
    default:
      p.krb_error(fields);
      break;
  }
  result.recognized = p.recognized();
  if (result.recognized && result.trailing_bytes > 0) {
    p.problem("kerberos.trailing_data",
              std::to_string(result.trailing_bytes) + " bytes after the end of the message");
  }
  result.complete = result.recognized && p.complete();
  return result;
}

int plausible_message(Bytes b, bool partial) {
  // [APPLICATION n] constructed: 0x60 | n for n < 31, 0x7e for KRB-ERROR (30).
  if (b.empty()) return partial ? -1 : 0;
  const uint8_t id = b[0];
  if ((id & 0xe0) != 0x60 || !known_type(id & 0x1f)) return 0;
  const int type = id & 0x1f;
  // The fixed prefix every KDC message starts with after its outer length: SEQUENCE, then
  // pvno (context [1] for KDC-REQ, [0] otherwise) = 5 and msg-type = the tag (RFC 4120 §5.4.1,
  // §5.4.2, §5.9.1).
  const bool request = type == kAsReq || type == kTgsReq;
  ByteCursor c(b);
  c.skip(1);
  auto length = [&](size_t& out) -> int {
    const uint8_t first = c.u8();
    if (!c.ok()) return -1;
    if (first == 0x80 || first == 0xff) return 0;
    if (first < 0x80) {
      out = first;
      return 1;
    }
    const int n = first & 0x7f;
    if (n > 4) return 0;
    out = 0;
    for (int i = 0; i < n; ++i) out = (out << 8) | c.u8();
    return c.ok() ? 1 : -1;
  };
  size_t outer = 0;
  int r = length(outer);
  if (r <= 0) return r < 0 && partial ? -1 : 0;
  const size_t body_start = c.offset();
  if (!partial && outer != b.size() - body_start) return 0;
  if (partial && outer < b.size() - body_start) return 0;
  if (c.u8() != 0x30) return c.ok() ? 0 : (partial ? -1 : 0);
  size_t seq = 0;
  r = length(seq);
  if (r <= 0) return r < 0 && partial ? -1 : 0;
  if (seq != outer - (c.offset() - body_start)) return 0;
  const uint8_t pvno_tag = request ? 0xa1 : 0xa0;
  const uint8_t expected[] = {pvno_tag, 0x03,
                              0x02,     0x01,
                              0x05,     static_cast<uint8_t>(pvno_tag + 1),
                              0x03,     0x02,
                              0x01,     static_cast<uint8_t>(type)};
  for (uint8_t e : expected) {
    const uint8_t got = c.u8();
    if (!c.ok()) return partial ? -1 : 0;
    if (got != e) return 0;
  }
  return 1;
}

int outer_total_length(Bytes b, size_t& total) {
  if (b.size() < 2) return -1;
  const uint8_t first = b[1];
  if (first < 0x80) {
    total = 2 + size_t{first};
    return 1;
  }
  const size_t n = first & 0x7f;
  if (first == 0x80 || first == 0xff || n > 4) return 0;
  if (b.size() < 2 + n) return -1;
  size_t length = 0;
  for (size_t i = 0; i < n; ++i) length = (length << 8) | b[2 + i];
  total = 2 + n + length;
  return 1;
}

// ---------------------------------------------------------------- hashcat

namespace {

bool has_any(std::string_view s, std::string_view chars) {
  return s.find_first_of(chars) != std::string_view::npos;
}

// hashcat limits edata2 to 40960 hex digits (module_13100.c, _18200.c, _19600.c, _32100.c).
constexpr size_t kMaxEdata2Bytes = 20480;
constexpr size_t kRc4ChecksumBytes = 16;  // HMAC-MD5 (RFC 4757 §5)
constexpr size_t kAesChecksumBytes = 12;  // HMAC-SHA1-96 (RFC 3962 §6)

bool aes(int32_t etype) { return etype == kEtypeAes128 || etype == kEtypeAes256; }

HashLine no(std::string why) {
  HashLine h;
  h.why_not = std::move(why);
  return h;
}

}  // namespace

HashLine krb5pa_hashcat(const HashInput& in) {
  const std::string etype = std::to_string(in.etype);
  if (in.etype == kEtypeRc4) {
    // module_07500.c: $krb5pa$23$user$realm$salt$ then the 36-byte encrypted timestamp and
    // the 16-byte checksum in hex. On the wire the RC4-HMAC cipher is checksum || data
    // (RFC 4757 §5), so the two parts swap. The salt is unused for RC4; we write the RFC 4120
    // §4 default salt (realm then name components), as John's krbpa format does.
    if (in.cipher.size() != kRc4ChecksumBytes + 36) {
      return no("RC4 PA-ENC-TIMESTAMP of " + std::to_string(in.cipher.size()) +
                " bytes (hashcat takes 52)");
    }
    const std::string salt = in.realm + in.user_salted;
    if (in.user.size() > 64 || in.realm.size() > 64 || salt.size() > 128 || has_any(in.user, "$") ||
        has_any(in.realm, "$") || has_any(salt, "$")) {
      return no("user or realm too long or containing '$'");
    }
    HashLine h;
    h.mode = 7500;
    h.line = "$krb5pa$23$" + in.user + "$" + in.realm + "$" + salt + "$" +
             hex(in.cipher.subspan(kRc4ChecksumBytes)) + hex(in.cipher.first(kRc4ChecksumBytes));
    return h;
  }
  if (aes(in.etype)) {
    // module_19800.c / _19900.c: $krb5pa$17$user$realm$cipher, the cipher as sent (the
    // HMAC-SHA1-96 at its end), 52-56 bytes. hashcat derives the salt as REALM + user.
    if (in.cipher.size() < 52 || in.cipher.size() > 56) {
      return no("AES PA-ENC-TIMESTAMP of " + std::to_string(in.cipher.size()) +
                " bytes (hashcat takes 52-56)");
    }
    if (in.user_salted.empty() || in.realm.empty() || in.user_salted.size() > 512 ||
        in.realm.size() > 128 || has_any(in.user_salted, "$") || has_any(in.realm, "$")) {
      return no("user or realm empty, too long or containing '$'");
    }
    HashLine h;
    h.mode = in.etype == kEtypeAes128 ? 19800 : 19900;
    h.line = "$krb5pa$" + etype + "$" + in.user_salted + "$" + in.realm + "$" + hex(in.cipher);
    return h;
  }
  return no("etype " + etype + " has no hashcat mode");
}

namespace {

// The AES form shared by kerberoasting and AS-REP roasting lines:
// "$<tag>$<etype>$<user as salted>$<realm>$<checksum>$<edata2>", the HMAC-SHA1-96 (the
// cipher's last 12 bytes) first, then the rest. `forbidden` are the characters hashcat's
// parser splits on in names; `part` and `forbidden_text` word the refusal.
HashLine aes_hash_line(std::string_view tag, const HashInput& in, int mode, std::string_view part,
                       std::string_view forbidden, std::string_view forbidden_text) {
  if (in.cipher.size() < kAesChecksumBytes + 32 ||
      in.cipher.size() > kAesChecksumBytes + kMaxEdata2Bytes) {
    return no("AES " + std::string(part) + " of " + std::to_string(in.cipher.size()) + " bytes");
  }
  if (in.user_salted.empty() || in.realm.empty() || in.user_salted.size() > 512 ||
      in.realm.size() > 128 || has_any(in.user_salted, forbidden) || has_any(in.realm, forbidden)) {
    return no("user or realm empty, too long or containing " + std::string(forbidden_text));
  }
  const size_t edata = in.cipher.size() - kAesChecksumBytes;
  HashLine h;
  h.mode = mode;
  h.line = "$" + std::string(tag) + "$" + std::to_string(in.etype) + "$" + in.user_salted + "$" +
           in.realm + "$" + hex(in.cipher.subspan(edata)) + "$" + hex(in.cipher.first(edata));
  return h;
}

}  // namespace

HashLine krb5tgs_hashcat(const HashInput& in) {
  const std::string etype = std::to_string(in.etype);
  if (in.etype == kEtypeRc4) {
    // module_13100.c: $krb5tgs$23$*user$realm$spn*$checksum$edata2; the account part runs
    // from '*' to the next '*'. ':' in the SPN becomes '~' as impacket writes it, so that
    // hashcat's hash:password output stays splittable.
    if (in.cipher.size() < kRc4ChecksumBytes + 32 ||
        in.cipher.size() > kRc4ChecksumBytes + kMaxEdata2Bytes) {
      return no("RC4 ticket of " + std::to_string(in.cipher.size()) + " bytes");
    }
    std::string spn = in.spn;
    for (char& ch : spn) {
      if (ch == ':') ch = '~';
    }
    if (has_any(in.user, "*") || has_any(in.realm, "*") || has_any(spn, "*")) {
      return no("a name contains '*'");
    }
    HashLine h;
    h.mode = 13100;
    h.line = "$krb5tgs$23$*" + in.user + "$" + in.realm + "$" + spn + "*$" +
             hex(in.cipher.first(kRc4ChecksumBytes)) + "$" +
             hex(in.cipher.subspan(kRc4ChecksumBytes));
    return h;
  }
  if (aes(in.etype)) {
    // module_19600.c / _19700.c: $krb5tgs$17$user$realm$checksum$edata2.
    return aes_hash_line("krb5tgs", in, in.etype == kEtypeAes128 ? 19600 : 19700, "ticket", "$*",
                         "'$' or '*'");
  }
  return no("etype " + etype + " has no hashcat mode");
}

HashLine krb5asrep_hashcat(const HashInput& in) {
  const std::string etype = std::to_string(in.etype);
  if (in.etype == kEtypeRc4) {
    // module_18200.c: $krb5asrep$23$user@realm:checksum$edata2; the principal ends at the
    // first ':'.
    if (in.cipher.size() < kRc4ChecksumBytes + 32 ||
        in.cipher.size() > kRc4ChecksumBytes + kMaxEdata2Bytes) {
      return no("RC4 enc-part of " + std::to_string(in.cipher.size()) + " bytes");
    }
    if (has_any(in.user, ":") || has_any(in.realm, ":")) return no("a name contains ':'");
    HashLine h;
    h.mode = 18200;
    h.line = "$krb5asrep$23$" + in.user + "@" + in.realm + ":" +
             hex(in.cipher.first(kRc4ChecksumBytes)) + "$" +
             hex(in.cipher.subspan(kRc4ChecksumBytes));
    return h;
  }
  if (aes(in.etype)) {
    // module_32100.c / _32200.c (hashcat format 1): $krb5asrep$17$user$realm$checksum$edata2.
    return aes_hash_line("krb5asrep", in, in.etype == kEtypeAes128 ? 32100 : 32200, "enc-part", "$",
                         "'$'");
  }
  return no("etype " + etype + " has no hashcat mode");
}

}  // namespace netcap::app::kerberos
