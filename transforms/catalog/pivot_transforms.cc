// Transforms from ports, connections and anomaly names back to hosts and flow identifiers.
#include <charconv>

#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/catalog_util.h"

namespace netcap::catalog {

namespace {

using maltego::TransformRequest;
using maltego::TransformResponse;

Expected<int64_t> input_port(const TransformRequest& request) {
  Expected<std::string> text = input_value(request, {entities::kPortProperty, "properties.port"});
  if (!text) return text.status();
  int64_t port = -1;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, port);
  if (ec != std::errc() || ptr != end || port < 0 || port > 65535) {
    return Status::error("not a port number: '" + *text + "'");
  }
  return port;
}

// Hosts on one side of the connections whose destination port is the input port.
Status hosts_for_port(const TransformContext& context, const TransformRequest& request,
                      TransformResponse& response, bool servers) {
  Expected<int64_t> port = input_port(request);
  if (!port) return port.status();
  const char* sql =
      servers ? "SELECT DstIP, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
                " WHERE DstPort = ?1 AND TransportProto IN ('tcp', 'udp', 'sctp') AND DstIP <> ''"
                " GROUP BY DstIP ORDER BY 2 DESC, 1 ASC"
              : "SELECT SrcIP, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
                " WHERE DstPort = ?1 AND TransportProto IN ('tcp', 'udp', 'sctp') AND SrcIP <> ''"
                " GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC";
  Expected<ResultSet> rows = query(context, sql, {*port}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_ip_entity(response, context, text_of(row[0]))
        .set_link_label(plural(int_of(row[1]), "conn", "conns") + "\n" +
                        plural(int_of(row[2]), "pkt", "pkts") + "\n" +
                        plural(int_of(row[3]), "byte", "bytes"));
  }
  return Status::ok();
}

Status to_servers_for_port(const TransformContext& context, const TransformRequest& request,
                           TransformResponse& response) {
  return hosts_for_port(context, request, response, true);
}

Status to_clients_for_port(const TransformContext& context, const TransformRequest& request,
                           TransformResponse& response) {
  return hosts_for_port(context, request, response, false);
}

Status to_community_id(const TransformContext& context, const TransformRequest& request,
                       TransformResponse& response) {
  // The UID property is authoritative; the value is the UID too (entity main property).
  const std::string* uid_property = request.property(entities::kConnectionUidProperty);
  std::string uid =
      uid_property != nullptr && !uid_property->empty() ? *uid_property : request.value;
  if (uid.empty()) return Status::error("the connection entity has no UID");
  Expected<ResultSet> rows =
      query(context,
            "SELECT CommunityID, COUNT(*) FROM Connection WHERE UID = ?1 AND CommunityID <> ''"
            " GROUP BY CommunityID ORDER BY 1 ASC",
            {uid}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_entity(response, context, entities::kNetcapCommunityID, entities::kCommunityIDProperty,
               text_of(row[0]))
        .set_link_label("community id");
  }
  return Status::ok();
}

Status to_hosts_for_anomaly(const TransformContext& context, const TransformRequest& request,
                            TransformResponse& response) {
  Expected<std::string> name = input_value(request, {entities::kAnomalyProperty});
  if (!name) return name.status();
  if (!context.index.has_table("Anomaly")) return Status::ok();
  Expected<ResultSet> rows = query(context,
                                   "SELECT ip, COUNT(*) FROM ("
                                   " SELECT SrcIP AS ip FROM Anomaly WHERE Name = ?1"
                                   " UNION ALL SELECT DstIP FROM Anomaly WHERE Name = ?1)"
                                   " WHERE ip <> '' GROUP BY ip ORDER BY 2 DESC, 1 ASC",
                                   {*name}, response);
  if (!rows) return rows.status();
  for (const auto& row : rows->rows) {
    add_ip_entity(response, context, text_of(row[0]))
        .set_link_label(plural(int_of(row[1]), "anomaly", "anomalies"));
  }
  return Status::ok();
}

}  // namespace

Status register_pivot_transforms(TransformRegistry& registry) {
  const std::vector<std::string> ips = {std::string(entities::kIPv4Address),
                                        std::string(entities::kIPv6Address)};
  TransformSpec specs[] = {
      {"netcap.ToServersForPort",
       "To Servers For Port [NETCAP]",
       "Hosts that answered connections to this destination port",
       std::string(entities::kPort),
       ips,
       {},
       to_servers_for_port},
      {"netcap.ToClientsForPort",
       "To Clients For Port [NETCAP]",
       "Hosts that opened connections to this destination port",
       std::string(entities::kPort),
       ips,
       {},
       to_clients_for_port},
      {"netcap.ToCommunityID",
       "To Community ID [NETCAP]",
       "The Community ID flow hash of this connection",
       std::string(entities::kNetcapConnection),
       {std::string(entities::kNetcapCommunityID)},
       {},
       to_community_id},
      {"netcap.ToHostsForAnomaly",
       "To Hosts For Anomaly [NETCAP]",
       "Hosts (either side) of the anomalies with this name, with counts",
       std::string(entities::kNetcapAnomaly),
       ips,
       {},
       to_hosts_for_anomaly},
  };
  for (TransformSpec& spec : specs) {
    Status status = registry.add(std::move(spec));
    if (!status) return status;
  }
  return Status::ok();
}

}  // namespace netcap::catalog
