// Transforms from the case entity (netcap.PCAP, value = case directory): hosts, anomaly names,
// transport protocol and connection state distributions.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/catalog_util.h"

namespace netcap::catalog {

namespace {

using maltego::TransformRequest;
using maltego::TransformResponse;

std::string traffic_label(int64_t conns, int64_t packets, int64_t bytes) {
  return plural(conns, "conn", "conns") + "\n" + plural(packets, "pkt", "pkts") + "\n" +
         plural(bytes, "byte", "bytes");
}

// Every IP address on either side of a Connection, by bytes (both directions) then address.
Status to_hosts(const TransformContext& context, const TransformRequest&,
                TransformResponse& response) {
  Expected<ResultSet> rows = query(context,
                                   "SELECT ip, COUNT(*), SUM(pkts), SUM(bytes) FROM ("
                                   " SELECT SrcIP AS ip, NumPackets AS pkts, TotalSize AS bytes"
                                   " FROM Connection"
                                   " UNION ALL SELECT DstIP, NumPackets, TotalSize FROM Connection)"
                                   " WHERE ip <> '' GROUP BY ip ORDER BY 4 DESC, 1 ASC",
                                   {}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_ip_entity(response, context, text_of(row[0]))
        .set_link_label(traffic_label(int_of(row[1]), int_of(row[2]), int_of(row[3])));
  }
  return Status::ok();
}

Status to_anomaly_names(const TransformContext& context, const TransformRequest&,
                        TransformResponse& response) {
  if (!context.index.has_table("Anomaly")) return Status::ok();  // no anomaly recorded
  Expected<ResultSet> rows =
      query(context,
            "SELECT Name, COUNT(*) FROM Anomaly WHERE Name <> '' GROUP BY Name"
            " ORDER BY 2 DESC, 1 ASC",
            {}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_entity(response, context, entities::kNetcapAnomaly, entities::kAnomalyProperty,
               text_of(row[0]))
        .set_link_label(plural(int_of(row[1]), "anomaly", "anomalies"));
  }
  return Status::ok();
}

// A distribution of Connection.<column>: one entity per distinct value.
Status distribution(const TransformContext& context, TransformResponse& response,
                    std::string_view column, std::string_view type,
                    std::string_view value_property) {
  // `column` is one of the two constants below, never user input; the identifier is quoted.
  const std::string sql = "SELECT " + quote_identifier(column) +
                          ", COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection WHERE " +
                          quote_identifier(column) + " <> '' GROUP BY 1 ORDER BY 2 DESC, 1 ASC";
  Expected<ResultSet> rows = query(context, sql, {}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_entity(response, context, type, value_property, text_of(row[0]))
        .set_link_label(traffic_label(int_of(row[1]), int_of(row[2]), int_of(row[3])));
  }
  return Status::ok();
}

Status to_transport_protocols(const TransformContext& context, const TransformRequest&,
                              TransformResponse& response) {
  return distribution(context, response, "TransportProto", entities::kNetcapIPProtocol,
                      entities::kIPProtocolProperty);
}

Status to_connection_states(const TransformContext& context, const TransformRequest&,
                            TransformResponse& response) {
  return distribution(context, response, "ConnState", entities::kNetcapConnectionState,
                      entities::kConnectionStateProperty);
}

}  // namespace

Status register_case_transforms(TransformRegistry& registry) {
  const std::string in(entities::kNetcapCase);
  TransformSpec specs[] = {
      {"netcap.ToHosts",
       "To Hosts [NETCAP]",
       "IP addresses seen in connections, with connections, packets and bytes (both directions)",
       in,
       {std::string(entities::kIPv4Address), std::string(entities::kIPv6Address)},
       {},
       to_hosts},
      {"netcap.ToAnomalyNames",
       "To Anomaly Names [NETCAP]",
       "Names of the anomalies recorded while decoding, with counts",
       in,
       {std::string(entities::kNetcapAnomaly)},
       {},
       to_anomaly_names},
      {"netcap.ToTransportProtocols",
       "To Transport Protocols [NETCAP]",
       "Transport protocols of connections, with connections, packets and bytes",
       in,
       {std::string(entities::kNetcapIPProtocol)},
       {},
       to_transport_protocols},
      {"netcap.ToConnectionStates",
       "To Connection States [NETCAP]",
       "Connection states (SF, S0, REJ, ...), with connections, packets and bytes",
       in,
       {std::string(entities::kNetcapConnectionState)},
       {},
       to_connection_states},
  };
  for (TransformSpec& spec : specs) {
    Status status = registry.add(std::move(spec));
    if (!status) return status;
  }
  return Status::ok();
}

}  // namespace netcap::catalog
