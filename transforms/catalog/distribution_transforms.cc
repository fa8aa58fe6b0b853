// Value distributions of header fields from the case entity, over the ValueDistribution records
// (proto/distribution.proto): EtherTypes, IPv4 protocols, IPv6 traffic classes, TCP flag
// combinations, ICMPv4/ICMPv6 types and codes, IGMP types and group record types, ARP link types.
// Go netcap's To<Field> transforms read the per-packet audit record file of the layer; here the
// counts are made while decoding, so they exist whether or not layer records were written.
// One entity per value, most frequent first: the value is the readable name, the number goes
// into properties.number and the count into the link label. Go netcap's transform names, so
// that their graphs and machines keep working.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kFrames{"frame", "frames"};
constexpr CountLabel kPackets{"packet", "packets"};
constexpr CountLabel kSegments{"segment", "segments"};
constexpr CountLabel kMessages{"message", "messages"};
constexpr CountLabel kRecords{"record", "records"};

// Value is unique within a Kind: the order is total.
#define NETCAP_DISTRIBUTION_SQL(kind)                                    \
  "SELECT Name, Count, Value FROM ValueDistribution WHERE Kind = '" kind \
  "'"                                                                    \
  " ORDER BY Count DESC, Value ASC"

constexpr QueryTransform kDistributionTransforms[] = {
    {.name = "ToEthernetTypes",
     .display = "To Ethernet Types",
     .description = "EtherTypes of Ethernet frames, with frame counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("ethernet.type"),
     .output = e::kNetcapEthernetType,
     .value_property = e::kEthernetTypeProperty,
     .counts = {kFrames},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToIPV4Protocols",
     .display = "To IPv4 Protocols",
     .description =
         "Protocol numbers of IPv4 packets (TCP, UDP, ICMP, GRE, ...), with packet counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("ipv4.protocol"),
     .output = e::kNetcapIPProtocol,
     .value_property = e::kIPProtocolProperty,
     .counts = {kPackets},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToIPV6TrafficClasses",
     .display = "To IPv6 Traffic Classes",
     .description = "Traffic classes of IPv6 packets (DSCP and ECN), with packet counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("ipv6.traffic_class"),
     .output = e::kNetcapIPv6TrafficClass,
     .value_property = e::kIPv6TrafficClassProperty,
     .counts = {kPackets},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToTCPFlagCombinations",
     .display = "To TCP Flag Combinations",
     .description =
         "Combinations of TCP header flags (SYN, SYN ACK, FIN ACK, ...), with segment counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("tcp.flags"),
     .output = e::kNetcapTCPFlag,
     .value_property = e::kTCPFlagProperty,
     .counts = {kSegments},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToICMPV4ControlMessages",
     .display = "To ICMPv4 Control Messages",
     .description = "ICMPv4 types and codes, with message counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("icmpv4.type_code"),
     .output = e::kNetcapICMPv4ControlMessageType,
     .value_property = e::kICMPv4ControlMessageTypeProperty,
     .counts = {kMessages},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToICMPV6ControlMessages",
     .display = "To ICMPv6 Control Messages",
     .description = "ICMPv6 types and codes, with message counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("icmpv6.type_code"),
     .output = e::kNetcapICMPv6ControlMessageType,
     .value_property = e::kICMPv6ControlMessageTypeProperty,
     .counts = {kMessages},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToIGMPTypes",
     .display = "To IGMP Types",
     .description = "IGMP message types, with message counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("igmp.type"),
     .output = e::kNetcapIGMPType,
     .value_property = e::kIGMPTypeProperty,
     .counts = {kMessages},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToIGMPGroupRecordTypes",
     .display = "To IGMP Group Record Types",
     .description = "IGMPv3 group record types, with record counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("igmp.group_record_type"),
     .output = e::kNetcapIGMPGroupRecordType,
     .value_property = e::kIGMPGroupRecordTypeProperty,
     .counts = {kRecords},
     .extra = {e::kDistributionNumberProperty}},
    {.name = "ToLinkTypes",
     .display = "To Link Types",
     .description = "Hardware (link) types in ARP messages, with message counts",
     .tables = {"ValueDistribution"},
     .sql = NETCAP_DISTRIBUTION_SQL("arp.hardware_type"),
     .output = e::kNetcapLinkType,
     .value_property = e::kLinkTypeProperty,
     .counts = {kMessages},
     .extra = {e::kDistributionNumberProperty}},
};

#undef NETCAP_DISTRIBUTION_SQL

}  // namespace

Status register_distribution_transforms(TransformRegistry& registry) {
  return register_query_transforms<kDistributionTransforms>(registry);
}

}  // namespace netcap::catalog
