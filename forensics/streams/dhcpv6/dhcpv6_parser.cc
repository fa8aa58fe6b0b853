#include "forensics/streams/dhcpv6/dhcpv6_parser.h"

#include <cstdio>

#include "core/net/address.h"
#include "forensics/app/text_util.h"

namespace netcap::app::dhcpv6 {
namespace {

struct Option {
  uint16_t code;
  Bytes value;
};

std::string colon_hex(Bytes b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 3);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(kDigits[b[i] >> 4]);
    out.push_back(kDigits[b[i] & 0xf]);
  }
  return out;
}

std::string ipv6_text(Bytes sixteen) { return IpAddress::v6(sixteen).to_string(); }

struct Decoder {
  size_t max_items;
  std::vector<Finding>& findings;
  bool malformed = false;

  void bad(std::string name, std::string detail) {
    findings.push_back({std::move(name), std::move(detail)});
    malformed = true;
  }

  // Splits an option area into options (RFC 8415 section 21.1). Stops at the first option that
  // runs past the end (reported) and after max_items options (reported).
  std::vector<Option> split(Bytes area, std::string_view where) {
    std::vector<Option> out;
    ByteCursor c(area);
    while (!c.empty()) {
      if (!c.has(4)) {
        bad("dhcpv6.bad_option", std::to_string(c.remaining()) +
                                     " stray bytes after the options of " + std::string(where));
        break;
      }
      const uint16_t code = c.u16be();
      const uint16_t len = c.u16be();
      if (!c.has(len)) {
        bad("dhcpv6.bad_option", "option " + std::to_string(code) + " in " + std::string(where) +
                                     " claims " + std::to_string(len) + " bytes, " +
                                     std::to_string(c.remaining()) + " left");
        break;
      }
      if (out.size() >= max_items) {
        bad("dhcpv6.too_many_options",
            "more than " + std::to_string(max_items) + " options in " + std::string(where));
        break;
      }
      out.push_back({code, c.bytes(len)});
    }
    return out;
  }

  void list_options(const std::vector<Option>& options,
                    google::protobuf::RepeatedPtrField<netcap::DHCPv6Option>* out) {
    for (const Option& o : options) {
      auto* p = out->Add();
      p->set_code(o.code);
      p->set_name(std::string(option_name(o.code)));
      p->set_length(static_cast<int32_t>(o.value.size()));
      p->set_value(hex(o.value));
    }
  }

  // DUID (RFC 8415 section 11): type, then per type; returns the link-layer address for
  // DUID-LLT (type 1) and DUID-LL (type 3).
  void duid(Bytes v, std::string& text, int& type, std::string& link) {
    text = colon_hex(v);
    ByteCursor c(v);
    type = c.u16be();
    if (!c.ok()) {
      bad("dhcpv6.bad_duid", "DUID of " + std::to_string(v.size()) + " bytes");
      type = 0;
      return;
    }
    if (type == 1) {
      c.u16be();  // hardware type
      c.u32be();  // time
    } else if (type == 3) {
      c.u16be();
    } else {
      return;
    }
    if (!c.ok()) {
      bad("dhcpv6.bad_duid",
          "DUID type " + std::to_string(type) + " of " + std::to_string(v.size()) + " bytes");
      return;
    }
    link = colon_hex(c.rest());
  }

  int32_t status(Bytes v, std::string& message) {
    ByteCursor c(v);
    const uint16_t code = c.u16be();
    if (!c.ok()) {
      bad("dhcpv6.bad_option", "status code option of " + std::to_string(v.size()) + " bytes");
      return -1;
    }
    message = std::string(as_text(c.rest()));
    return code;
  }

  void ia(uint16_t code, Bytes v, netcap::DHCPv6& r) {
    ByteCursor c(v);
    auto* ia = r.add_ias();
    ia->set_type(code);
    ia->set_typename_(code == 3 ? "IA_NA" : code == 4 ? "IA_TA" : "IA_PD");
    ia->set_statuscode(-1);
    ia->set_iaid(c.u32be());
    if (code != 4) {
      ia->set_t1(c.u32be());
      ia->set_t2(c.u32be());
    }
    if (!c.ok()) {
      bad("dhcpv6.bad_option",
          std::string(option_name(code)) + " of " + std::to_string(v.size()) + " bytes");
      return;
    }
    size_t items = 0;
    for (const Option& o : split(c.rest(), option_name(code))) {
      if (o.code == 13) {
        std::string msg;
        ia->set_statuscode(status(o.value, msg));
        ia->set_statusmessage(msg);
      } else if (o.code == 5 && code != 25) {
        ByteCursor a(o.value);
        Bytes addr = a.bytes(16);
        const uint32_t pref = a.u32be();
        const uint32_t valid = a.u32be();
        if (!a.ok()) {
          bad("dhcpv6.bad_option", "IAADDR of " + std::to_string(o.value.size()) + " bytes");
          continue;
        }
        if (++items > max_items) continue;
        auto* out = ia->add_addresses();
        out->set_address(ipv6_text(addr));
        out->set_preferredlifetime(pref);
        out->set_validlifetime(valid);
      } else if (o.code == 26 && code == 25) {
        ByteCursor a(o.value);
        const uint32_t pref = a.u32be();
        const uint32_t valid = a.u32be();
        const uint8_t plen = a.u8();
        Bytes prefix = a.bytes(16);
        if (!a.ok() || plen > 128) {
          bad("dhcpv6.bad_option", "IAPREFIX of " + std::to_string(o.value.size()) +
                                       " bytes, length " + std::to_string(plen));
          continue;
        }
        if (++items > max_items) continue;
        auto* out = ia->add_prefixes();
        out->set_prefix(ipv6_text(prefix) + "/" + std::to_string(plen));
        out->set_prefixlength(plen);
        out->set_preferredlifetime(pref);
        out->set_validlifetime(valid);
      }
    }
  }

  // A DNS wire-format name without compression (RFC 8415 section 10); partial names allowed.
  bool dns_name(Bytes wire, std::string& out) {
    ByteCursor c(wire);
    out.clear();
    while (!c.empty()) {
      const uint8_t len = c.u8();
      if (len == 0) return c.empty();
      if (len > 63) return false;
      std::string_view label = c.chars(len);
      if (!c.ok()) return false;
      if (!out.empty()) out.push_back('.');
      out.append(label);
    }
    return true;
  }

  void message_options(const std::vector<Option>& options, netcap::DHCPv6& r) {
    list_options(options, r.mutable_options());
    for (const Option& o : options) {
      switch (o.code) {
        case 1: {
          std::string text, link;
          int type = 0;
          duid(o.value, text, type, link);
          r.set_clientduid(text);
          r.set_clientduidtype(type);
          r.set_clientlinkaddr(link);
          break;
        }
        case 2: {
          std::string text, link;
          int type = 0;
          duid(o.value, text, type, link);
          r.set_serverduid(text);
          r.set_serverduidtype(type);
          r.set_serverlinkaddr(link);
          break;
        }
        case 3:
        case 4:
        case 25:
          ia(o.code, o.value, r);
          break;
        case 6: {
          if (o.value.size() % 2 != 0) {
            bad("dhcpv6.bad_option", "ORO of odd length " + std::to_string(o.value.size()));
          }
          ByteCursor c(o.value);
          std::string fp;
          while (c.has(2)) {
            const uint16_t code = c.u16be();
            r.add_optionrequestlist(code);
            if (!fp.empty()) fp.push_back(',');
            fp += std::to_string(code);
          }
          r.set_fingerprint(fp);
          break;
        }
        case 8: {
          ByteCursor c(o.value);
          const uint16_t t = c.u16be();
          if (!c.ok() || o.value.size() != 2) {
            bad("dhcpv6.bad_option",
                "ELAPSED_TIME of " + std::to_string(o.value.size()) + " bytes");
          } else {
            r.set_elapsedtime(t);
          }
          break;
        }
        case 13: {
          std::string msg;
          r.set_statuscode(status(o.value, msg));
          r.set_statusmessage(msg);
          break;
        }
        case 16: {
          // RFC 8415 section 21.16: enterprise number, then length-prefixed data items.
          ByteCursor c(o.value);
          r.set_vendorclassenterprise(c.u32be());
          size_t items = 0;
          while (c.ok() && !c.empty()) {
            const uint16_t n = c.u16be();
            std::string_view item = c.chars(n);
            if (!c.ok()) break;
            if (++items > max_items) break;
            r.add_vendorclass(std::string(item));
          }
          if (!c.ok()) {
            bad("dhcpv6.bad_option",
                "VENDOR_CLASS of " + std::to_string(o.value.size()) + " bytes does not parse");
          }
          break;
        }
        case 39: {
          // RFC 4704 section 4: flags, then the domain name in DNS wire format.
          if (o.value.empty()) {
            bad("dhcpv6.bad_option", "CLIENT_FQDN without flags");
            break;
          }
          r.set_clientfqdnflags(o.value[0]);
          std::string name;
          if (dns_name(o.value.subspan(1), name)) {
            r.set_clientfqdn(name);
          } else {
            bad("dhcpv6.bad_option", "CLIENT_FQDN has a bad DNS name");
          }
          break;
        }
        default:
          break;
      }
    }
  }

  bool message(Bytes payload, netcap::DHCPv6& r, int depth) {
    ByteCursor c(payload);
    const uint8_t type = c.u8();
    if (!c.ok()) {
      bad("dhcpv6.truncated", "empty message");
      return false;
    }
    r.set_msgtype(type);
    std::string_view name = message_type_name(type);
    r.set_msgtypename(name.empty() ? "UNKNOWN(" + std::to_string(type) + ")" : std::string(name));
    if (type == 12 || type == 13) {
      // Relay-forward / relay-reply (RFC 8415 section 9).
      auto* relay = r.add_relays();
      relay->set_msgtype(type);
      relay->set_hopcount(c.u8());
      Bytes link = c.bytes(16);
      Bytes peer = c.bytes(16);
      if (!c.ok()) {
        bad("dhcpv6.truncated",
            "relay header needs 34 bytes, got " + std::to_string(payload.size()));
        return depth > 0;
      }
      relay->set_linkaddr(ipv6_text(link));
      relay->set_peeraddr(ipv6_text(peer));
      Bytes inner;
      bool has_inner = false;
      std::vector<Option> options = split(c.rest(), "relay message");
      std::vector<Option> others;
      for (const Option& o : options) {
        if (o.code == 9 && !has_inner) {
          inner = o.value;
          has_inner = true;
        } else {
          others.push_back(o);
        }
      }
      list_options(others, relay->mutable_options());
      if (!has_inner) {
        bad("dhcpv6.missing_relay_message", "relay message without option 9");
        return true;
      }
      if (depth + 1 >= kMaxRelayDepth) {
        bad("dhcpv6.relay_too_deep",
            "more than " + std::to_string(kMaxRelayDepth) + " relay encapsulations");
        return true;
      }
      message(inner, r, depth + 1);
      return true;
    }
    if (name.empty()) {
      findings.push_back({"dhcpv6.unknown_message_type", "message type " + std::to_string(type)});
    }
    const uint32_t xid = c.u24be();
    if (!c.ok()) {
      bad("dhcpv6.truncated",
          "message header needs 4 bytes, got " + std::to_string(payload.size()));
      return depth > 0;
    }
    char text[16];
    std::snprintf(text, sizeof text, "0x%06x", xid);
    r.set_transactionid(text);
    message_options(split(c.rest(), message_type_name(type).empty() ? "message" : name), r);
    return true;
  }
};

}  // namespace

std::string_view message_type_name(int type) {
  // RFC 8415 section 7.3, RFC 5007, RFC 5460, RFC 6977, RFC 7341, RFC 8156.
  static constexpr std::string_view kNames[] = {"",
                                                "SOLICIT",
                                                "ADVERTISE",
                                                "REQUEST",
                                                "CONFIRM",
                                                "RENEW",
                                                "REBIND",
                                                "REPLY",
                                                "RELEASE",
                                                "DECLINE",
                                                "RECONFIGURE",
                                                "INFORMATION-REQUEST",
                                                "RELAY-FORW",
                                                "RELAY-REPL",
                                                "LEASEQUERY",
                                                "LEASEQUERY-REPLY",
                                                "LEASEQUERY-DONE",
                                                "LEASEQUERY-DATA",
                                                "RECONFIGURE-REQUEST",
                                                "RECONFIGURE-REPLY",
                                                "DHCPV4-QUERY",
                                                "DHCPV4-RESPONSE",
                                                "ACTIVELEASEQUERY",
                                                "STARTTLS",
                                                "BNDUPD",
                                                "BNDREPLY",
                                                "POOLREQ",
                                                "POOLRESP",
                                                "UPDREQ",
                                                "UPDREQALL",
                                                "UPDDONE",
                                                "CONNECT",
                                                "CONNECTREPLY",
                                                "DISCONNECT",
                                                "STATE",
                                                "CONTACT",
                                                "ADDR-REG-INFORM",
                                                "ADDR-REG-REPLY"};
  if (type <= 0 || type >= static_cast<int>(std::size(kNames))) return {};
  return kNames[type];
}

std::string_view option_name(int code) {
  switch (code) {
    case 1:
      return "CLIENTID";
    case 2:
      return "SERVERID";
    case 3:
      return "IA_NA";
    case 4:
      return "IA_TA";
    case 5:
      return "IAADDR";
    case 6:
      return "ORO";
    case 7:
      return "PREFERENCE";
    case 8:
      return "ELAPSED_TIME";
    case 9:
      return "RELAY_MSG";
    case 11:
      return "AUTH";
    case 12:
      return "UNICAST";
    case 13:
      return "STATUS_CODE";
    case 14:
      return "RAPID_COMMIT";
    case 15:
      return "USER_CLASS";
    case 16:
      return "VENDOR_CLASS";
    case 17:
      return "VENDOR_OPTS";
    case 18:
      return "INTERFACE_ID";
    case 19:
      return "RECONF_MSG";
    case 20:
      return "RECONF_ACCEPT";
    case 21:
      return "SIP_SERVER_D";
    case 22:
      return "SIP_SERVER_A";
    case 23:
      return "DNS_SERVERS";
    case 24:
      return "DOMAIN_LIST";
    case 25:
      return "IA_PD";
    case 26:
      return "IAPREFIX";
    case 27:
      return "NIS_SERVERS";
    case 29:
      return "NIS_DOMAIN_NAME";
    case 31:
      return "SNTP_SERVERS";
    case 32:
      return "INFORMATION_REFRESH_TIME";
    case 37:
      return "REMOTE_ID";
    case 38:
      return "SUBSCRIBER_ID";
    case 39:
      return "CLIENT_FQDN";
    case 56:
      return "NTP_SERVER";
    case 79:
      return "CLIENT_LINKLAYER_ADDR";
    case 82:
      return "SOL_MAX_RT";
    case 83:
      return "INF_MAX_RT";
    default:
      return {};
  }
}

bool decode_dhcpv6(Bytes payload, size_t max_items, netcap::DHCPv6& r,
                   std::vector<Finding>& findings) {
  Decoder d{max_items, findings};
  r.set_elapsedtime(-1);
  r.set_statuscode(-1);
  const bool ok = d.message(payload, r, 0);
  r.set_malformed(d.malformed);
  return ok;
}

ProbeResult probe_dhcpv6(const ProbeInput& in) {
  Bytes b = in.client.empty() ? in.server : in.client;
  if (b.empty()) return ProbeResult::kNo;
  const uint8_t type = b[0];
  if (message_type_name(type).empty()) return ProbeResult::kNo;
  const size_t header = (type == 12 || type == 13) ? 34 : 4;
  if (b.size() < header) return ProbeResult::kNo;
  // The options must tile the rest of the datagram exactly.
  ByteCursor c(b.subspan(header));
  while (!c.empty()) {
    if (!c.has(4)) return ProbeResult::kNo;
    c.u16be();
    if (!c.skip(c.u16be())) return ProbeResult::kNo;
  }
  return ProbeResult::kYes;
}

}  // namespace netcap::app::dhcpv6
