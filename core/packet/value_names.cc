#include "core/packet/value_names.h"

#include <array>
#include <cstdio>

namespace netcap {

namespace {

struct Named {
  uint16_t value;
  const char* name;
};

template <size_t N>
const char* find_name(const std::array<Named, N>& table, uint16_t value) {
  for (const Named& n : table) {
    if (n.value == value) return n.name;
  }
  return nullptr;
}

// IANA "IEEE 802 Numbers", the EtherTypes seen in practice.
constexpr std::array<Named, 22> kEtherTypes{{
    {0x0800, "IPv4"},
    {0x0806, "ARP"},
    {0x0842, "WakeOnLAN"},
    {0x22F0, "AVTP"},
    {0x22F3, "TRILL"},
    {0x6558, "TransparentEthernetBridging"},
    {0x8035, "RARP"},
    {0x809B, "AppleTalk"},
    {0x80F3, "AARP"},
    {0x8100, "Dot1Q"},
    {0x8137, "IPX"},
    {0x86DD, "IPv6"},
    {0x8808, "EthernetFlowControl"},
    {0x8809, "SlowProtocols"},
    {0x8847, "MPLSUnicast"},
    {0x8848, "MPLSMulticast"},
    {0x8863, "PPPoEDiscovery"},
    {0x8864, "PPPoESession"},
    {0x888E, "EAPOL"},
    {0x88A8, "QinQ"},
    {0x88CC, "LLDP"},
    {0x88E5, "MACsec"},
}};

// IANA "Assigned Internet Protocol Numbers".
constexpr std::array<Named, 20> kIPProtocols{{
    {0, "HOPOPT"},      {1, "ICMP"},  {2, "IGMP"},  {4, "IPv4"},   {6, "TCP"},
    {8, "EGP"},         {17, "UDP"},  {27, "RDP"},  {41, "IPv6"},  {43, "IPv6-Route"},
    {44, "IPv6-Frag"},  {47, "GRE"},  {50, "ESP"},  {51, "AH"},    {58, "IPv6-ICMP"},
    {59, "IPv6-NoNxt"}, {89, "OSPF"}, {103, "PIM"}, {112, "VRRP"}, {132, "SCTP"},
}};

// RFC 792 and later: ICMPv4 types.
constexpr std::array<Named, 15> kICMPv4Types{{
    {0, "EchoReply"},
    {3, "DestinationUnreachable"},
    {4, "SourceQuench"},
    {5, "Redirect"},
    {8, "EchoRequest"},
    {9, "RouterAdvertisement"},
    {10, "RouterSolicitation"},
    {11, "TimeExceeded"},
    {12, "ParameterProblem"},
    {13, "TimestampRequest"},
    {14, "TimestampReply"},
    {15, "InfoRequest"},
    {16, "InfoReply"},
    {17, "AddressMaskRequest"},
    {18, "AddressMaskReply"},
}};

// RFC 792 / RFC 1812 §5.2.7.1: codes of Destination Unreachable.
constexpr std::array<Named, 16> kICMPv4Unreachable{{
    {0, "NetUnreachable"},
    {1, "HostUnreachable"},
    {2, "ProtocolUnreachable"},
    {3, "PortUnreachable"},
    {4, "FragmentationNeeded"},
    {5, "SourceRouteFailed"},
    {6, "NetUnknown"},
    {7, "HostUnknown"},
    {8, "SourceHostIsolated"},
    {9, "NetAdminProhibited"},
    {10, "HostAdminProhibited"},
    {11, "NetTOSUnreachable"},
    {12, "HostTOSUnreachable"},
    {13, "CommAdminProhibited"},
    {14, "HostPrecedenceViolation"},
    {15, "PrecedenceCutoff"},
}};

// RFC 4443, RFC 4861, RFC 2710 / 3810: ICMPv6 types.
constexpr std::array<Named, 16> kICMPv6Types{{
    {1, "DestinationUnreachable"},
    {2, "PacketTooBig"},
    {3, "TimeExceeded"},
    {4, "ParameterProblem"},
    {128, "EchoRequest"},
    {129, "EchoReply"},
    {130, "MLDQuery"},
    {131, "MLDv1Report"},
    {132, "MLDv1Done"},
    {133, "RouterSolicitation"},
    {134, "RouterAdvertisement"},
    {135, "NeighborSolicitation"},
    {136, "NeighborAdvertisement"},
    {137, "Redirect"},
    {143, "MLDv2Report"},
    {141, "InverseNDSolicitation"},
}};

// RFC 4443 §3.1: codes of ICMPv6 Destination Unreachable.
constexpr std::array<Named, 8> kICMPv6Unreachable{{
    {0, "NoRoute"},
    {1, "AdminProhibited"},
    {2, "BeyondScope"},
    {3, "AddressUnreachable"},
    {4, "PortUnreachable"},
    {5, "SourcePolicyFailed"},
    {6, "RejectRoute"},
    {7, "SourceRoutingHeaderError"},
}};

// RFC 1112, RFC 2236, RFC 3376 §4: IGMP message types.
constexpr std::array<Named, 5> kIGMPTypes{{
    {0x11, "MembershipQuery"},
    {0x12, "MembershipReportV1"},
    {0x16, "MembershipReportV2"},
    {0x17, "LeaveGroup"},
    {0x22, "MembershipReportV3"},
}};

// RFC 3376 §4.2.12: IGMPv3 group record types.
constexpr std::array<Named, 6> kIGMPGroupRecordTypes{{
    {1, "ModeIsInclude"},
    {2, "ModeIsExclude"},
    {3, "ChangeToIncludeMode"},
    {4, "ChangeToExcludeMode"},
    {5, "AllowNewSources"},
    {6, "BlockOldSources"},
}};

// IANA "ARP Parameters": hardware types.
constexpr std::array<Named, 9> kARPHardwareTypes{{
    {1, "Ethernet"},
    {6, "IEEE802"},
    {7, "ARCNET"},
    {15, "FrameRelay"},
    {16, "ATM"},
    {18, "FibreChannel"},
    {20, "SerialLine"},
    {24, "IEEE1394"},
    {32, "InfiniBand"},
}};

std::string number(uint16_t value) { return std::to_string(value); }

std::string hex(uint16_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", value);
  return text;
}

std::string or_number(const char* name, uint16_t value) {
  return name != nullptr ? std::string(name) : number(value);
}

// RFC 793 §3.1 and RFC 3168 §6.1: flag bits from the least significant up.
std::string tcp_flags_name(uint16_t flags) {
  static constexpr const char* kBits[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  std::string out;
  // Listed in the order analysts read them (SYN ACK, FIN ACK, PSH ACK).
  static constexpr int kOrder[] = {1, 0, 2, 3, 4, 5, 6, 7};
  for (int bit : kOrder) {
    if ((flags & (1u << bit)) == 0) continue;
    if (!out.empty()) out += ' ';
    out += kBits[bit];
  }
  return out.empty() ? "none" : out;
}

// RFC 2474 §3 (DSCP, the upper six bits) and RFC 3168 §5 (ECN, the lower two).
std::string traffic_class_name(uint16_t value) {
  const unsigned dscp = (value >> 2) & 0x3f;
  static constexpr const char* kEcn[] = {"Not-ECT", "ECT(1)", "ECT(0)", "CE"};
  std::string name;
  if (dscp == 0) {
    name = "CS0";
  } else if (dscp == 46) {
    name = "EF";
  } else if (dscp % 8 == 0) {
    name = "CS" + std::to_string(dscp / 8);
  } else if (dscp >= 10 && dscp <= 38 && dscp % 2 == 0 && (dscp % 8) / 2 >= 1) {
    name = "AF" + std::to_string(dscp / 8) + std::to_string((dscp % 8) / 2);  // AFxy: 8x + 2y
  } else {
    name = "DSCP" + std::to_string(dscp);
  }
  return name + " " + kEcn[value & 3];
}

std::string icmp_name(uint16_t type_code, bool v6) {
  const uint16_t type = type_code >> 8, code = type_code & 0xff;
  const char* type_name = v6 ? find_name(kICMPv6Types, type) : find_name(kICMPv4Types, type);
  std::string out = or_number(type_name, type);
  const bool unreachable = v6 ? type == 1 : type == 3;
  const char* code_name = nullptr;
  if (unreachable) {
    code_name = v6 ? find_name(kICMPv6Unreachable, code) : find_name(kICMPv4Unreachable, code);
  }
  if (code_name != nullptr) return out + "/" + code_name;
  if (code != 0) return out + "/" + number(code);
  return out;
}

}  // namespace

std::string_view value_kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::kEtherType:
      return "ethernet.type";
    case ValueKind::kIPv4Protocol:
      return "ipv4.protocol";
    case ValueKind::kIPv6TrafficClass:
      return "ipv6.traffic_class";
    case ValueKind::kTCPFlags:
      return "tcp.flags";
    case ValueKind::kICMPv4TypeCode:
      return "icmpv4.type_code";
    case ValueKind::kICMPv6TypeCode:
      return "icmpv6.type_code";
    case ValueKind::kIGMPType:
      return "igmp.type";
    case ValueKind::kIGMPGroupRecordType:
      return "igmp.group_record_type";
    case ValueKind::kARPHardwareType:
      return "arp.hardware_type";
  }
  return "unknown";
}

std::string value_name(ValueKind kind, uint16_t value) {
  switch (kind) {
    case ValueKind::kEtherType: {
      const char* name = find_name(kEtherTypes, value);
      return name != nullptr ? std::string(name) : hex(value);
    }
    case ValueKind::kIPv4Protocol:
      return or_number(find_name(kIPProtocols, value), value);
    case ValueKind::kIPv6TrafficClass:
      return traffic_class_name(value);
    case ValueKind::kTCPFlags:
      return tcp_flags_name(value);
    case ValueKind::kICMPv4TypeCode:
      return icmp_name(value, false);
    case ValueKind::kICMPv6TypeCode:
      return icmp_name(value, true);
    case ValueKind::kIGMPType:
      return or_number(find_name(kIGMPTypes, value), value);
    case ValueKind::kIGMPGroupRecordType:
      return or_number(find_name(kIGMPGroupRecordTypes, value), value);
    case ValueKind::kARPHardwareType:
      return or_number(find_name(kARPHardwareTypes, value), value);
  }
  return number(value);
}

}  // namespace netcap
