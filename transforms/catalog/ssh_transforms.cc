// SSH transforms over the SSH table (one record per session: banners, HASSH fingerprints) and
// application-protocol transforms over Connection.ApplicationProto.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kSessions{"session", "sessions"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kServers{"server", "servers"};
constexpr CountLabel kConns{"conn", "conns"};
constexpr CountLabel kPackets{"pkt", "pkts"};
constexpr CountLabel kBytes{"byte", "bytes"};

constexpr QueryTransform kSshTransforms[] = {
    {.name = "ToSSHClients",
     .display = "To SSH Clients",
     .description = "SSH client identification strings, with sessions and client hosts",
     .tables = {"SSH"},
     .sql = "SELECT ClientBanner, COUNT(*), COUNT(DISTINCT ClientIP) FROM SSH"
            " WHERE ClientBanner <> '' GROUP BY ClientBanner ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSSHClient,
     .value_property = e::kSSHClientProperty,
     .counts = {kSessions, kClients}},
    {.name = "ToSSHServers",
     .display = "To SSH Servers",
     .description = "SSH server identification strings, with sessions and server hosts",
     .tables = {"SSH"},
     .sql = "SELECT ServerBanner, COUNT(*), COUNT(DISTINCT ServerIP) FROM SSH"
            " WHERE ServerBanner <> '' GROUP BY ServerBanner ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSSHServer,
     .value_property = e::kSSHServerProperty,
     .counts = {kSessions, kServers}},
    {.name = "ToSSHClientsForHost",
     .display = "To SSH Clients For Host",
     .description = "SSH client identification strings this host sent, with sessions",
     .input = QueryInput::kIP,
     .tables = {"SSH"},
     .sql = "SELECT ClientBanner, COUNT(*) FROM SSH WHERE ClientIP = ?1 AND ClientBanner <> ''"
            " GROUP BY ClientBanner ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSSHClient,
     .value_property = e::kSSHClientProperty,
     .counts = {kSessions}},
    {.name = "ToSSHServersForHost",
     .display = "To SSH Servers For Host",
     .description = "SSH server identification strings this host sent, with sessions",
     .input = QueryInput::kIP,
     .tables = {"SSH"},
     .sql = "SELECT ServerBanner, COUNT(*) FROM SSH WHERE ServerIP = ?1 AND ServerBanner <> ''"
            " GROUP BY ServerBanner ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSSHServer,
     .value_property = e::kSSHServerProperty,
     .counts = {kSessions}},
    {.name = "ToHostsForSSHClient",
     .display = "To Hosts For SSH Client",
     .description = "Hosts that sent this SSH client identification string, with sessions",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapSSHClient,
     .input_properties = {e::kSSHClientProperty},
     .tables = {"SSH"},
     .sql = "SELECT ClientIP, COUNT(*) FROM SSH WHERE ClientBanner = ?1"
            " GROUP BY ClientIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kSessions}},
    {.name = "ToHostsForSSHServer",
     .display = "To Hosts For SSH Server",
     .description = "Hosts that sent this SSH server identification string, with sessions",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapSSHServer,
     .input_properties = {e::kSSHServerProperty},
     .tables = {"SSH"},
     .sql = "SELECT ServerIP, COUNT(*) FROM SSH WHERE ServerBanner = ?1"
            " GROUP BY ServerIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kSessions}},
    {.name = "ToHASSHFingerprints",
     .display = "To HASSH Fingerprints",
     .description = "HASSH client fingerprints, by number of clients, with sessions",
     .tables = {"SSH"},
     .sql = "SELECT HASSH, COUNT(*), COUNT(DISTINCT ClientIP), MIN(HASSHAlgorithms) FROM SSH"
            " WHERE HASSH <> '' GROUP BY HASSH ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapHASSH,
     .value_property = e::kHASSHProperty,
     .counts = {kSessions, kClients},
     .extra = {"properties.algorithms"}},
    {.name = "ToHASSHServerFingerprints",
     .display = "To HASSH Server Fingerprints",
     .description = "HASSHServer fingerprints, by number of servers, with sessions",
     .tables = {"SSH"},
     .sql = "SELECT HASSHServer, COUNT(*), COUNT(DISTINCT ServerIP), MIN(HASSHServerAlgorithms)"
            " FROM SSH WHERE HASSHServer <> '' GROUP BY HASSHServer"
            " ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapHASSHServer,
     .value_property = e::kHASSHServerProperty,
     .counts = {kSessions, kServers},
     .extra = {"properties.algorithms"}},
    {.name = "ToClientsForHASSH",
     .display = "To Clients For HASSH",
     .description = "Hosts whose SSH client had this HASSH fingerprint, with sessions",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapHASSH,
     .input_properties = {e::kHASSHProperty},
     .tables = {"SSH"},
     .sql = "SELECT ClientIP, COUNT(*) FROM SSH WHERE HASSH = ?1"
            " GROUP BY ClientIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kSessions}},
    {.name = "ToServersForHASSHServer",
     .display = "To Servers For HASSH Server",
     .description = "Hosts whose SSH server had this HASSHServer fingerprint, with sessions",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapHASSHServer,
     .input_properties = {e::kHASSHServerProperty},
     .tables = {"SSH"},
     .sql = "SELECT ServerIP, COUNT(*) FROM SSH WHERE HASSHServer = ?1"
            " GROUP BY ServerIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kSessions}},
    // --- application protocols of connections ---
    {.name = "ToApplicationProtocols",
     .display = "To Application Protocols",
     .description = "Application protocols detected on connections, with connections, packets "
                    "and bytes",
     .tables = {"Connection"},
     .sql = "SELECT ApplicationProto, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
            " WHERE ApplicationProto <> '' GROUP BY ApplicationProto ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapApplication,
     .value_property = e::kApplicationProperty,
     .counts = {kConns, kPackets, kBytes}},
    {.name = "ToApplications",
     .display = "To Applications",
     .description = "Application protocols of this host's connections (either side), with "
                    "connections, packets and bytes",
     .input = QueryInput::kIP,
     .tables = {"Connection"},
     .sql = "SELECT ApplicationProto, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
            " WHERE (SrcIP = ?1 OR DstIP = ?1) AND ApplicationProto <> ''"
            " GROUP BY ApplicationProto ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapApplication,
     .value_property = e::kApplicationProperty,
     .counts = {kConns, kPackets, kBytes}},
    {.name = "ToClientsForApplication",
     .display = "To Clients For Application",
     .description = "Originators of connections with this application protocol",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapApplication,
     .input_properties = {e::kApplicationProperty},
     .tables = {"Connection"},
     .sql = "SELECT SrcIP, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
            " WHERE ApplicationProto = ?1 GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kConns, kPackets, kBytes},
     .by_input_sql = "SELECT ApplicationProto AS InputKey, SrcIP, COUNT(*), SUM(NumPackets),"
                     " SUM(TotalSize) FROM Connection WHERE ApplicationProto <> ''"
                     " GROUP BY 1, 2 ORDER BY 1 ASC, 3 DESC, 2 ASC"},
    {.name = "ToServersForApplication",
     .display = "To Servers For Application",
     .description = "Responders of connections with this application protocol",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapApplication,
     .input_properties = {e::kApplicationProperty},
     .tables = {"Connection"},
     .sql = "SELECT DstIP, COUNT(*), SUM(NumPackets), SUM(TotalSize) FROM Connection"
            " WHERE ApplicationProto = ?1 GROUP BY DstIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kConns, kPackets, kBytes},
     .by_input_sql = "SELECT ApplicationProto AS InputKey, DstIP, COUNT(*), SUM(NumPackets),"
                     " SUM(TotalSize) FROM Connection WHERE ApplicationProto <> ''"
                     " GROUP BY 1, 2 ORDER BY 1 ASC, 3 DESC, 2 ASC"},
};

}  // namespace

Status register_ssh_transforms(TransformRegistry& registry) {
  return register_query_transforms<kSshTransforms>(registry);
}

}  // namespace netcap::catalog
