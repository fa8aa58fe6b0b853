// Transforms from the case entity (netcap.PCAP, value = case directory): hosts, anomaly names,
// transport protocol and connection state distributions. All are case-wide aggregations, so
// their answers are precomputed when a capture ends (precomputed_answers.h).
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kConns{"conn", "conns"};
constexpr CountLabel kPackets{"pkt", "pkts"};
constexpr CountLabel kBytes{"byte", "bytes"};

constexpr QueryTransform kCaseTransforms[] = {
    // Every IP address on either side of a Connection, by bytes (both directions) then address.
    {.name = "ToHosts",
     .display = "To Hosts",
     .description =
         "IP addresses seen in connections, with connections, packets and bytes (both directions)",
     .tables = {"Connection"},
     .sql = "SELECT ip, COUNT(*), SUM(pkts), SUM(bytes) FROM ("
            " SELECT SrcIP AS ip, NumPackets AS pkts, TotalSize AS bytes FROM Connection"
            " UNION ALL SELECT DstIP, NumPackets, TotalSize FROM Connection)"
            " WHERE ip <> '' GROUP BY ip ORDER BY 4 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kConns, kPackets, kBytes}},
    {.name = "ToAnomalyNames",
     .display = "To Anomaly Names",
     .description = "Names of the anomalies recorded while decoding, with counts",
     .tables = {"Anomaly"},
     .sql = "SELECT Name, COUNT(*) FROM Anomaly WHERE Name <> '' GROUP BY Name"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapAnomaly,
     .value_property = e::kAnomalyProperty,
     .counts = {{"anomaly", "anomalies"}}},
    {.name = "ToTransportProtocols",
     .display = "To Transport Protocols",
     .description = "Transport protocols of connections, with connections, packets and bytes",
     .tables = {"Connection"},
     .sql = "SELECT TransportProto, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
            " WHERE TransportProto <> '' GROUP BY 1 ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapIPProtocol,
     .value_property = e::kIPProtocolProperty,
     .counts = {kConns, kPackets, kBytes}},
    {.name = "ToConnectionStates",
     .display = "To Connection States",
     .description = "Connection states (SF, S0, REJ, ...), with connections, packets and bytes",
     .tables = {"Connection"},
     .sql = "SELECT ConnState, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
            " WHERE ConnState <> '' GROUP BY 1 ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapConnectionState,
     .value_property = e::kConnectionStateProperty,
     .counts = {kConns, kPackets, kBytes}},
};

}  // namespace

Status register_case_transforms(TransformRegistry& registry) {
  return register_query_transforms<kCaseTransforms>(registry);
}

}  // namespace netcap::catalog
