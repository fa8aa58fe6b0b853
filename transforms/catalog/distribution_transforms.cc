// Value distributions of header fields from the case entity, over the ValueDistribution records
// (proto/distribution.proto): EtherTypes, IPv4 protocols, IPv6 traffic classes, TCP flag
// combinations, ICMPv4/ICMPv6 types and codes, IGMP types and group record types, ARP link types.
// Go netcap's To<Field> transforms read the per-packet audit record file of the layer; here the
// counts are made while decoding, so they exist whether or not layer records were written.
#include <iterator>
#include <utility>

#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/catalog_util.h"

namespace netcap::catalog {

namespace {

using maltego::TransformRequest;
using maltego::TransformResponse;

// One entity per value of `kind`, most frequent first; the value is the readable name, the
// number goes into properties.number and the count into the link label.
Status value_distribution(const TransformContext& context, TransformResponse& response,
                          std::string_view kind, std::string_view type,
                          std::string_view value_property, std::string_view unit,
                          std::string_view units) {
  if (!context.index.has_table("ValueDistribution")) return Status::ok();  // an older case
  Expected<ResultSet> rows = query(context,
                                   "SELECT Name, Value, Count FROM ValueDistribution"
                                   " WHERE Kind = ?1 ORDER BY Count DESC, Value ASC",
                                   {std::string(kind)}, response);
  if (!rows) return rows.status();
  const auto number_name = property_display_name(type, entities::kDistributionNumberProperty);
  for (const auto& row : rows->rows) {
    add_entity(response, context, type, value_property, text_of(row[0]))
        .add_property(std::string(entities::kDistributionNumberProperty),
                      std::to_string(int_of(row[1])), number_name)
        .set_link_label(plural(int_of(row[2]), unit, units));
  }
  return Status::ok();
}

struct DistributionSpec {
  const char* id;
  const char* display;
  const char* description;
  const char* kind;  // ValueDistribution.Kind
  std::string_view type;
  std::string_view property;
  const char* unit;
  const char* units;
};

// Go netcap's transform names, so that their graphs and machines keep working.
constexpr DistributionSpec kDistributions[] = {
    {"netcap.ToEthernetTypes", "To Ethernet Types [NETCAP]",
     "EtherTypes of Ethernet frames, with frame counts", "ethernet.type",
     entities::kNetcapEthernetType, entities::kEthernetTypeProperty, "frame", "frames"},
    {"netcap.ToIPV4Protocols", "To IPv4 Protocols [NETCAP]",
     "Protocol numbers of IPv4 packets (TCP, UDP, ICMP, GRE, ...), with packet counts",
     "ipv4.protocol", entities::kNetcapIPProtocol, entities::kIPProtocolProperty, "packet",
     "packets"},
    {"netcap.ToIPV6TrafficClasses", "To IPv6 Traffic Classes [NETCAP]",
     "Traffic classes of IPv6 packets (DSCP and ECN), with packet counts", "ipv6.traffic_class",
     entities::kNetcapIPv6TrafficClass, entities::kIPv6TrafficClassProperty, "packet", "packets"},
    {"netcap.ToTCPFlagCombinations", "To TCP Flag Combinations [NETCAP]",
     "Combinations of TCP header flags (SYN, SYN ACK, FIN ACK, ...), with segment counts",
     "tcp.flags", entities::kNetcapTCPFlag, entities::kTCPFlagProperty, "segment", "segments"},
    {"netcap.ToICMPV4ControlMessages", "To ICMPv4 Control Messages [NETCAP]",
     "ICMPv4 types and codes, with message counts", "icmpv4.type_code",
     entities::kNetcapICMPv4ControlMessageType, entities::kICMPv4ControlMessageTypeProperty,
     "message", "messages"},
    {"netcap.ToICMPV6ControlMessages", "To ICMPv6 Control Messages [NETCAP]",
     "ICMPv6 types and codes, with message counts", "icmpv6.type_code",
     entities::kNetcapICMPv6ControlMessageType, entities::kICMPv6ControlMessageTypeProperty,
     "message", "messages"},
    {"netcap.ToIGMPTypes", "To IGMP Types [NETCAP]", "IGMP message types, with message counts",
     "igmp.type", entities::kNetcapIGMPType, entities::kIGMPTypeProperty, "message", "messages"},
    {"netcap.ToIGMPGroupRecordTypes", "To IGMP Group Record Types [NETCAP]",
     "IGMPv3 group record types, with record counts", "igmp.group_record_type",
     entities::kNetcapIGMPGroupRecordType, entities::kIGMPGroupRecordTypeProperty, "record",
     "records"},
    {"netcap.ToLinkTypes", "To Link Types [NETCAP]",
     "Hardware (link) types in ARP messages, with message counts", "arp.hardware_type",
     entities::kNetcapLinkType, entities::kLinkTypeProperty, "message", "messages"},
};

// TransformRun is a plain function pointer: one instantiation per table row.
template <size_t I>
Status run_distribution(const TransformContext& context, const TransformRequest&,
                        TransformResponse& response) {
  const DistributionSpec& d = kDistributions[I];
  return value_distribution(context, response, d.kind, d.type, d.property, d.unit, d.units);
}

template <size_t... I>
Status register_all(TransformRegistry& registry, std::index_sequence<I...>) {
  Status status = Status::ok();
  ((status = status ? registry.add({kDistributions[I].id,
                                    kDistributions[I].display,
                                    kDistributions[I].description,
                                    std::string(entities::kNetcapCase),
                                    {std::string(kDistributions[I].type)},
                                    {},
                                    run_distribution<I>})
                    : status),
   ...);
  return status;
}

}  // namespace

Status register_distribution_transforms(TransformRegistry& registry) {
  return register_all(registry, std::make_index_sequence<std::size(kDistributions)>());
}

}  // namespace netcap::catalog
