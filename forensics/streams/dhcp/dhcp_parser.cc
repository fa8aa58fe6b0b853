#include "forensics/streams/dhcp/dhcp_parser.h"

#include <array>
#include <cstdio>
#include <map>

#include "core/net/address.h"
#include "forensics/app/text_util.h"

namespace netcap::app::dhcp {
namespace {

// Options that are concatenated by RFC 3396 are joined per code for decoding; the bytes of
// one code can never exceed the three areas together (options <= datagram, file 128, sname 64),
// so the joined values are bounded by the datagram.
using Joined = std::map<uint8_t, std::vector<uint8_t>>;

std::string ipv4_text(Bytes four) { return IpAddress::v4(four).to_string(); }

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

// A NUL-terminated fixed-size text field (sname, file): up to the first NUL.
std::string c_string(Bytes field) {
  size_t n = 0;
  while (n < field.size() && field[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(field.data()), n);
}

std::string text_of(const std::vector<uint8_t>& v) {
  // Trailing NULs are common (Windows hostnames, vendor classes): not part of the text.
  size_t n = v.size();
  while (n > 0 && v[n - 1] == 0) --n;
  return std::string(reinterpret_cast<const char*>(v.data()), n);
}

// DNS wire-format name without compression (RFC 4702 section 2.3.1, E bit set).
bool dns_wire_name(Bytes wire, std::string& out) {
  ByteCursor c(wire);
  out.clear();
  while (!c.empty()) {
    uint8_t len = c.u8();
    if (len == 0) return c.empty();
    if (len > 63) return false;  // compression pointers are not allowed here
    std::string_view label = c.chars(len);
    if (!c.ok()) return false;
    if (!out.empty()) out.push_back('.');
    out.append(label);
  }
  return true;  // a partial name (N bit semantics) without the root label
}

struct AreaResult {
  bool saw_end = false;
};

// Walks one option area (RFC 2132 section 2): pad (0) and end (255) are single bytes,
// everything else code/length/value.
void walk_area(Bytes area, std::string_view field, size_t max_options, netcap::DHCPv4& record,
               Joined& joined, std::vector<Finding>& findings, bool& malformed, bool& too_many,
               AreaResult& result) {
  ByteCursor c(area);
  while (!c.empty()) {
    const uint8_t code = c.u8();
    if (code == 0) continue;
    if (code == 255) {
      result.saw_end = true;
      return;
    }
    if (!c.has(1)) {
      findings.push_back({"dhcp.bad_option", "option " + std::to_string(code) + " in " +
                                                 std::string(field) + " has no length byte"});
      malformed = true;
      return;
    }
    const uint8_t len = c.u8();
    if (!c.has(len)) {
      findings.push_back({"dhcp.bad_option", "option " + std::to_string(code) + " in " +
                                                 std::string(field) + " claims " +
                                                 std::to_string(len) + " bytes, " +
                                                 std::to_string(c.remaining()) + " left"});
      malformed = true;
      return;
    }
    Bytes value = c.bytes(len);
    if (static_cast<size_t>(record.options_size()) >= max_options) {
      if (!too_many) {
        findings.push_back(
            {"dhcp.too_many_options", "more than " + std::to_string(max_options) + " options"});
        too_many = true;
      }
      continue;
    }
    auto* o = record.add_options();
    o->set_code(code);
    o->set_name(std::string(option_name(code)));
    o->set_length(len);
    o->set_value(hex(value));
    o->set_field(std::string(field));
    auto& j = joined[code];
    j.insert(j.end(), value.begin(), value.end());
  }
}

bool expect_len(const Joined& joined, uint8_t code, size_t want, bool multiple,
                std::vector<Finding>& findings, bool& malformed) {
  auto it = joined.find(code);
  if (it == joined.end()) return false;
  const size_t n = it->second.size();
  const bool ok = multiple ? (n != 0 && n % want == 0) : n == want;
  if (!ok) {
    findings.push_back({"dhcp.bad_option", "option " + std::to_string(code) + " (" +
                                               std::string(option_name(code)) + ") has length " +
                                               std::to_string(n)});
    malformed = true;
  }
  return ok;
}

uint32_t be32(const std::vector<uint8_t>& v) {
  return (uint32_t{v[0]} << 24) | (uint32_t{v[1]} << 16) | (uint32_t{v[2]} << 8) | v[3];
}

void decode_options(const Joined& joined, netcap::DHCPv4& r, std::vector<Finding>& findings,
                    bool& malformed) {
  auto get = [&](uint8_t code) -> const std::vector<uint8_t>* {
    auto it = joined.find(code);
    return it == joined.end() ? nullptr : &it->second;
  };
  if (expect_len(joined, 53, 1, false, findings, malformed)) {
    const int t = get(53)->front();
    r.set_messagetype(t);
    std::string_view name = message_type_name(t);
    r.set_messagetypename(name.empty() ? "UNKNOWN(" + std::to_string(t) + ")" : std::string(name));
    if (name.empty()) {
      findings.push_back({"dhcp.unknown_message_type", "option 53 value " + std::to_string(t)});
    }
  }
  if (expect_len(joined, 1, 4, false, findings, malformed)) r.set_subnetmask(ipv4_text(*get(1)));
  if (expect_len(joined, 3, 4, true, findings, malformed)) {
    const auto& v = *get(3);
    for (size_t i = 0; i + 4 <= v.size(); i += 4) r.add_routers(ipv4_text(Bytes(v).subspan(i, 4)));
  }
  if (expect_len(joined, 6, 4, true, findings, malformed)) {
    const auto& v = *get(6);
    for (size_t i = 0; i + 4 <= v.size(); i += 4)
      r.add_dnsservers(ipv4_text(Bytes(v).subspan(i, 4)));
  }
  if (const auto* v = get(12)) r.set_hostname(text_of(*v));
  if (const auto* v = get(15)) r.set_domainname(text_of(*v));
  if (expect_len(joined, 50, 4, false, findings, malformed)) r.set_requestedip(ipv4_text(*get(50)));
  if (expect_len(joined, 51, 4, false, findings, malformed)) r.set_leasetime(be32(*get(51)));
  if (expect_len(joined, 54, 4, false, findings, malformed)) r.set_serverid(ipv4_text(*get(54)));
  if (const auto* v = get(55)) {
    std::string fp;
    for (uint8_t code : *v) {
      r.add_parameterrequestlist(code);
      if (!fp.empty()) fp.push_back(',');
      fp += std::to_string(code);
    }
    r.set_fingerprint(fp);
  }
  if (const auto* v = get(56)) r.set_message(text_of(*v));
  if (expect_len(joined, 57, 2, false, findings, malformed)) {
    const auto& v = *get(57);
    r.set_maxmessagesize((v[0] << 8) | v[1]);
  }
  if (expect_len(joined, 58, 4, false, findings, malformed)) r.set_renewaltime(be32(*get(58)));
  if (expect_len(joined, 59, 4, false, findings, malformed)) r.set_rebindingtime(be32(*get(59)));
  if (const auto* v = get(60)) r.set_vendorclassid(text_of(*v));
  if (const auto* v = get(61)) {
    r.set_clientid(colon_hex(*v));
    if (v->size() == 7 && (*v)[0] == 1) r.set_clientidmac(colon_hex(Bytes(*v).subspan(1)));
  }
  if (const auto* v = get(81)) {
    // RFC 4702 section 2: flags, RCODE1, RCODE2, domain name (DNS wire format when E is set).
    if (v->size() < 3) {
      findings.push_back(
          {"dhcp.bad_option", "option 81 (Client FQDN) has length " + std::to_string(v->size())});
      malformed = true;
    } else {
      const uint8_t flags = (*v)[0];
      r.set_clientfqdnflags(flags);
      Bytes name = Bytes(*v).subspan(3);
      if (flags & 0x04) {
        std::string decoded;
        if (dns_wire_name(name, decoded)) {
          r.set_clientfqdn(decoded);
        } else {
          findings.push_back({"dhcp.bad_option", "option 81 (Client FQDN) has a bad DNS name"});
          malformed = true;
        }
      } else {
        r.set_clientfqdn(text_of(std::vector<uint8_t>(name.begin(), name.end())));
      }
    }
  }
  if (const auto* v = get(82)) r.set_relayagentinfo(hex(*v));
}

}  // namespace

std::string_view message_type_name(int type) {
  // RFC 2132 9.6, RFC 3203, RFC 4388, RFC 6926, RFC 7724.
  static constexpr std::string_view kNames[] = {"",
                                                "DISCOVER",
                                                "OFFER",
                                                "REQUEST",
                                                "DECLINE",
                                                "ACK",
                                                "NAK",
                                                "RELEASE",
                                                "INFORM",
                                                "FORCERENEW",
                                                "LEASEQUERY",
                                                "LEASEUNASSIGNED",
                                                "LEASEUNKNOWN",
                                                "LEASEACTIVE",
                                                "BULKLEASEQUERY",
                                                "LEASEQUERYDONE",
                                                "ACTIVELEASEQUERY",
                                                "LEASEQUERYSTATUS",
                                                "TLS"};
  if (type <= 0 || type >= static_cast<int>(std::size(kNames))) return {};
  return kNames[type];
}

std::string_view option_name(int code) {
  switch (code) {
    case 1:
      return "Subnet Mask";
    case 2:
      return "Time Offset";
    case 3:
      return "Router";
    case 4:
      return "Time Server";
    case 5:
      return "Name Server";
    case 6:
      return "Domain Server";
    case 7:
      return "Log Server";
    case 12:
      return "Hostname";
    case 13:
      return "Boot File Size";
    case 15:
      return "Domain Name";
    case 17:
      return "Root Path";
    case 19:
      return "Forward On/Off";
    case 26:
      return "MTU Interface";
    case 28:
      return "Broadcast Address";
    case 31:
      return "Router Discovery";
    case 33:
      return "Static Route";
    case 35:
      return "ARP Timeout";
    case 40:
      return "NIS Domain";
    case 41:
      return "NIS Servers";
    case 42:
      return "NTP Servers";
    case 43:
      return "Vendor Specific";
    case 44:
      return "NETBIOS Name Srv";
    case 45:
      return "NETBIOS Dist Srv";
    case 46:
      return "NETBIOS Node Type";
    case 47:
      return "NETBIOS Scope";
    case 50:
      return "Address Request";
    case 51:
      return "Address Time";
    case 52:
      return "Overload";
    case 53:
      return "DHCP Msg Type";
    case 54:
      return "DHCP Server Id";
    case 55:
      return "Parameter List";
    case 56:
      return "DHCP Message";
    case 57:
      return "DHCP Max Msg Size";
    case 58:
      return "Renewal Time";
    case 59:
      return "Rebinding Time";
    case 60:
      return "Class Id";
    case 61:
      return "Client Id";
    case 66:
      return "TFTP Server Name";
    case 67:
      return "Bootfile Name";
    case 77:
      return "User Class";
    case 80:
      return "Rapid Commit";
    case 81:
      return "Client FQDN";
    case 82:
      return "Relay Agent Information";
    case 90:
      return "Authentication";
    case 93:
      return "Client System";
    case 94:
      return "Client NDI";
    case 97:
      return "UUID/GUID";
    case 116:
      return "Auto-Config";
    case 118:
      return "Subnet Selection";
    case 119:
      return "Domain Search";
    case 120:
      return "SIP Servers DHCP Option";
    case 121:
      return "Classless Static Route";
    case 125:
      return "V-I Vendor-Specific Information";
    case 150:
      return "TFTP server address";
    case 249:
      return "Private/Classless Static Route (Microsoft)";
    case 252:
      return "Private/Proxy autodiscovery";
    default:
      return {};
  }
}

bool decode_dhcpv4(Bytes payload, size_t max_options, netcap::DHCPv4& r,
                   std::vector<Finding>& findings) {
  ByteCursor c(payload);
  if (!c.has(kBootpFixedBytes)) {
    findings.push_back({"dhcp.truncated", "BOOTP header needs " + std::to_string(kBootpFixedBytes) +
                                              " bytes, datagram has " +
                                              std::to_string(payload.size())});
    return false;
  }
  bool malformed = false;
  r.set_operation(c.u8());
  r.set_hardwaretype(c.u8());
  const uint8_t hlen = c.u8();
  r.set_hardwarelen(hlen);
  r.set_hops(c.u8());
  char xid[16];
  std::snprintf(xid, sizeof xid, "0x%08x", c.u32be());
  r.set_xid(xid);
  r.set_secs(c.u16be());
  const uint16_t flags = c.u16be();
  r.set_flags(flags);
  r.set_broadcast((flags & 0x8000) != 0);
  r.set_clientip(ipv4_text(c.bytes(4)));
  r.set_yourclientip(ipv4_text(c.bytes(4)));
  r.set_nextserverip(ipv4_text(c.bytes(4)));
  r.set_relayagentip(ipv4_text(c.bytes(4)));
  Bytes chaddr = c.bytes(16);
  Bytes sname = c.bytes(64);
  Bytes file = c.bytes(128);
  if (r.operation() != 1 && r.operation() != 2) {
    findings.push_back({"dhcp.bad_op", "op " + std::to_string(r.operation())});
    malformed = true;
  }
  if (hlen > 16) {
    findings.push_back({"dhcp.bad_hlen", "hlen " + std::to_string(hlen) + " > 16"});
    malformed = true;
  }
  Bytes hw = chaddr.first(hlen > 16 ? 16 : hlen);
  r.set_clienthwaddr(r.hardwaretype() == 1 && hlen == 6 ? MacAddress::from(hw).to_string()
                                                        : colon_hex(hw));

  const bool cookie = c.has(4) && c.u32be() == kMagicCookie;
  r.set_hasmagiccookie(cookie);
  if (!cookie) {
    // Plain BOOTP (RFC 951): a 64-byte vendor area that is not read as options.
    r.set_servername(c_string(sname));
    r.set_file(c_string(file));
    r.set_malformed(malformed);
    return true;
  }

  Joined joined;
  bool too_many = false;
  AreaResult main_area;
  walk_area(c.rest(), "options", max_options, r, joined, findings, malformed, too_many, main_area);
  if (!main_area.saw_end && !malformed) {
    findings.push_back({"dhcp.missing_end", "options field not terminated by the end option"});
  }

  // Option overload (RFC 2132 9.3): the file field, then sname, carry more options.
  int overload = 0;
  if (auto it = joined.find(52); it != joined.end()) {
    if (it->second.size() == 1 && it->second[0] >= 1 && it->second[0] <= 3) {
      overload = it->second[0];
    } else {
      findings.push_back({"dhcp.bad_overload", "option 52 value " + hex(it->second)});
      malformed = true;
    }
  }
  r.set_optionoverload(overload);
  if (overload & 1) {
    AreaResult a;
    walk_area(file, "file", max_options, r, joined, findings, malformed, too_many, a);
  } else {
    r.set_file(c_string(file));
  }
  if (overload & 2) {
    AreaResult a;
    walk_area(sname, "sname", max_options, r, joined, findings, malformed, too_many, a);
  } else {
    r.set_servername(c_string(sname));
  }
  decode_options(joined, r, findings, malformed);
  r.set_malformed(malformed);
  return true;
}

ProbeResult probe_dhcpv4(const ProbeInput& in) {
  Bytes b = in.client.empty() ? in.server : in.client;
  if (b.size() < kBootpFixedBytes) return ProbeResult::kNo;
  const uint8_t op = b[0], htype = b[1], hlen = b[2], hops = b[3];
  // ARP hardware types in use are < 64 (IANA); a chaddr holds at most 16 bytes; relays drop
  // messages with more than 16 hops (RFC 1542 section 4.1.1).
  if ((op != 1 && op != 2) || htype > 64 || hlen > 16 || hops > 16) return ProbeResult::kNo;
  if (b.size() >= kBootpFixedBytes + 4) {
    ByteCursor c(b.subspan(kBootpFixedBytes, 4));
    if (c.u32be() == kMagicCookie) return ProbeResult::kYes;
  }
  auto bootp_port = [](uint16_t p) { return p == kServerPort || p == kClientPort; };
  return bootp_port(in.client_port) && bootp_port(in.server_port) ? ProbeResult::kYes
                                                                  : ProbeResult::kNo;
}

}  // namespace netcap::app::dhcp
