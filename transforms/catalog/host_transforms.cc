// Transforms from an IP address (maltego.IPv4Address / maltego.IPv6Address, value = address,
// case directory in `path`): peers, ports, connections, anomalies.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/catalog_util.h"

namespace netcap::catalog {

namespace {

using maltego::TransformRequest;
using maltego::TransformResponse;

Expected<std::string> input_ip(const TransformRequest& request) {
  return input_value(request, {entities::kIPv4Property, entities::kIPv6Property});
}

std::string traffic_label(int64_t conns, int64_t packets, int64_t bytes) {
  return plural(conns, "conn", "conns") + "\n" + plural(packets, "pkt", "pkts") + "\n" +
         plural(bytes, "byte", "bytes");
}

// Addresses on the other side of the host's connections, by bytes then address.
Status to_peers(const TransformContext& context, const TransformRequest& request,
                TransformResponse& response) {
  Expected<std::string> ip = input_ip(request);
  if (!ip) return ip.status();
  Expected<ResultSet> rows =
      query(context,
            "SELECT peer, COUNT(*), SUM(pkts), SUM(bytes) FROM ("
            " SELECT DstIP AS peer, NumPackets AS pkts, TotalSize AS bytes FROM Connection"
            " WHERE SrcIP = ?1"
            " UNION ALL SELECT SrcIP, NumPackets, TotalSize FROM Connection WHERE DstIP = ?1)"
            " WHERE peer <> '' GROUP BY peer ORDER BY 4 DESC, 1 ASC",
            {*ip}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_ip_entity(response, context, text_of(row[0]))
        .set_link_label(traffic_label(int_of(row[1]), int_of(row[2]), int_of(row[3])));
  }
  return Status::ok();
}

// Ports of the host's connections on the given side (`port_column` is DstPort when the host is
// the originator, SrcPort likewise); port-less protocols (ICMP) are left out.
Status ports(const TransformContext& context, const TransformRequest& request,
             TransformResponse& response, bool destination) {
  Expected<std::string> ip = input_ip(request);
  if (!ip) return ip.status();
  const char* sql =
      destination ? "SELECT DstPort, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
                    " WHERE SrcIP = ?1 AND TransportProto IN ('tcp', 'udp', 'sctp')"
                    " GROUP BY DstPort ORDER BY 2 DESC, 1 ASC"
                  : "SELECT SrcPort, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
                    " WHERE SrcIP = ?1 AND TransportProto IN ('tcp', 'udp', 'sctp')"
                    " GROUP BY SrcPort ORDER BY 2 DESC, 1 ASC";
  Expected<ResultSet> rows = query(context, sql, {*ip}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_entity(response, context, entities::kPort, entities::kPortProperty, text_of(row[0]))
        .set_link_label(traffic_label(int_of(row[1]), int_of(row[2]), int_of(row[3])));
  }
  return Status::ok();
}

Status to_destination_ports(const TransformContext& context, const TransformRequest& request,
                            TransformResponse& response) {
  return ports(context, request, response, true);
}

Status to_source_ports(const TransformContext& context, const TransformRequest& request,
                       TransformResponse& response) {
  return ports(context, request, response, false);
}

// One netcap.Connection per connection of the host, in start order (then UID).
Status to_connections(const TransformContext& context, const TransformRequest& request,
                      TransformResponse& response) {
  Expected<std::string> ip = input_ip(request);
  if (!ip) return ip.status();
  Expected<ResultSet> rows =
      query(context,
            "SELECT UID, SrcIP, SrcPort, DstIP, DstPort, TransportProto, ConnState, TotalSize,"
            " NumPackets, CommunityID FROM Connection WHERE SrcIP = ?1 OR DstIP = ?1"
            " ORDER BY TimestampFirst ASC, UID ASC",
            {*ip}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    maltego::ResponseEntity& entity = add_entity(response, context, entities::kNetcapConnection,
                                                 entities::kConnectionUidProperty, text_of(row[0]));
    static constexpr std::string_view kNames[] = {"srcip",     "srcport",    "dstip",
                                                  "dstport",   "protocol",   "state",
                                                  "totalsize", "numpackets", "communityid"};
    for (size_t i = 0; i < std::size(kNames); ++i) {
      entity.add_property(std::string(kNames[i]), text_of(row[i + 1]),
                          property_display_name(entities::kNetcapConnection, kNames[i]));
    }
    entity.set_link_label(text_of(row[5]) + " " + text_of(row[2]) + " -> " + text_of(row[4]) +
                          "\n" + text_of(row[6]) + "\n" + plural(int_of(row[7]), "byte", "bytes"));
  }
  return Status::ok();
}

Status to_anomalies(const TransformContext& context, const TransformRequest& request,
                    TransformResponse& response) {
  Expected<std::string> ip = input_ip(request);
  if (!ip) return ip.status();
  if (!context.index.has_table("Anomaly")) return Status::ok();
  Expected<ResultSet> rows =
      query(context,
            "SELECT Name, COUNT(*) FROM Anomaly WHERE (SrcIP = ?1 OR DstIP = ?1) AND Name <> ''"
            " GROUP BY Name ORDER BY 2 DESC, 1 ASC",
            {*ip}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_entity(response, context, entities::kNetcapAnomaly, entities::kAnomalyProperty,
               text_of(row[0]))
        .set_link_label(plural(int_of(row[1]), "anomaly", "anomalies"));
  }
  return Status::ok();
}

}  // namespace

Status register_host_transforms(TransformRegistry& registry) {
  const std::string ips[] = {std::string(entities::kIPv4Address),
                             std::string(entities::kIPv6Address)};
  struct Family {
    const char* name;
    const char* display;
    const char* description;
    std::string_view output;
    TransformRun run;
  };
  const Family families[] = {
      {"ToPeers", "To Peers", "Addresses this host had connections with, with packets and bytes",
       entities::kIPv4Address, to_peers},
      {"ToDestinationPorts", "To Destination Ports",
       "Ports this host contacted (as originator), with connections, packets and bytes",
       entities::kPort, to_destination_ports},
      {"ToSourcePorts", "To Source Ports",
       "Source ports this host used (as originator), with connections, packets and bytes",
       entities::kPort, to_source_ports},
      {"ToConnectionsForHost", "To Connections For Host",
       "Connections of this host (either side), in start order", entities::kNetcapConnection,
       to_connections},
      {"ToAnomaliesForHost", "To Anomalies For Host",
       "Anomaly names recorded for this host (either side), with counts", entities::kNetcapAnomaly,
       to_anomalies},
  };
  // One transform per input type (Maltego binds a transform to one input entity, spec §3.6):
  // netcap.<Name> for IPv4, netcap.<Name>IPv6 for IPv6.
  for (const Family& family : families) {
    for (const std::string& input : ips) {
      const bool v6 = input == entities::kIPv6Address;
      TransformSpec spec;
      spec.id = std::string("netcap.") + family.name + (v6 ? "IPv6" : "");
      spec.display_name = std::string(family.display) + (v6 ? " (IPv6)" : "") + " [NETCAP]";
      spec.description = family.description;
      spec.input_entity = input;
      if (family.output == entities::kIPv4Address) {
        spec.output_entities = {std::string(entities::kIPv4Address),
                                std::string(entities::kIPv6Address)};
      } else {
        spec.output_entities = {std::string(family.output)};
      }
      spec.run = family.run;
      Status status = registry.add(std::move(spec));
      if (!status) return status;
    }
  }
  return Status::ok();
}

}  // namespace netcap::catalog
