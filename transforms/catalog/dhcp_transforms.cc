// DHCP (DHCPv4, DHCPv6) and NTP transforms. A netcap.DHCPClient is a client hardware address
// with the host name, vendor class and fingerprint its requests carried (the greatest value
// when a client used several, so output is deterministic).
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kSenders{"sender", "senders"};
constexpr CountLabel kMessages{"message", "messages"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kServers{"server", "servers"};

// Columns of a DHCPClient row after the value: messages, then host name, vendor class and
// fingerprint from the client's requests (BOOTREQUEST, op 1).
#define NETCAP_DHCP_CLIENT_COLUMNS                                     \
  " COUNT(*), MAX(CASE WHEN Operation = 1 THEN Hostname ELSE '' END)," \
  " MAX(CASE WHEN Operation = 1 THEN VendorClassID ELSE '' END),"      \
  " MAX(CASE WHEN Operation = 1 THEN Fingerprint ELSE '' END) "

constexpr std::array<std::string_view, 8> kClientExtra = {
    "properties.hostname", "properties.vendorclass", "properties.fingerprint"};

constexpr QueryTransform kDhcpTransforms[] = {
    {.name = "ToDHCPClients",
     .display = "To DHCP Clients",
     .description = "DHCPv4 clients by hardware address, with host name, vendor class and "
                    "fingerprint",
     .tables = {"DHCPv4"},
     .sql = "SELECT ClientHWAddr," NETCAP_DHCP_CLIENT_COLUMNS
            "FROM DHCPv4 WHERE ClientHWAddr <> '' GROUP BY ClientHWAddr ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDHCPClient,
     .value_property = e::kDHCPClientProperty,
     .counts = {kMessages},
     .extra = kClientExtra},
    {.name = "ToDHCP",
     .display = "To DHCP",
     .description = "DHCPv4 clients that held, requested or were offered this address",
     .input = QueryInput::kIP,
     .tables = {"DHCPv4"},
     .sql = "SELECT ClientHWAddr," NETCAP_DHCP_CLIENT_COLUMNS
            "FROM DHCPv4 WHERE ClientHWAddr IN (SELECT ClientHWAddr FROM DHCPv4"
            " WHERE ClientIP = ?1 OR YourClientIP = ?1 OR RequestedIP = ?1)"
            " GROUP BY ClientHWAddr ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDHCPClient,
     .value_property = e::kDHCPClientProperty,
     .counts = {kMessages},
     .extra = kClientExtra},
    {.name = "ToIPsForDHCPClient",
     .display = "To IPs For DHCP Client",
     .description = "Addresses this DHCPv4 client held, requested or was offered, with messages",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapDHCPClient,
     .input_properties = {e::kDHCPClientProperty},
     .tables = {"DHCPv4"},
     .sql = "SELECT ip, COUNT(*) FROM (SELECT ClientIP AS ip FROM DHCPv4 WHERE ClientHWAddr = ?1"
            " UNION ALL SELECT YourClientIP FROM DHCPv4 WHERE ClientHWAddr = ?1"
            " UNION ALL SELECT RequestedIP FROM DHCPv4 WHERE ClientHWAddr = ?1)"
            " WHERE ip <> '' AND ip <> '0.0.0.0' GROUP BY ip ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kMessages}},
    {.name = "ToDHCPFingerprints",
     .display = "To DHCP Fingerprints",
     .description = "DHCPv4 fingerprints (option 55 lists), with requests and clients",
     .tables = {"DHCPv4"},
     .sql = "SELECT Fingerprint, COUNT(*), COUNT(DISTINCT ClientHWAddr) FROM DHCPv4"
            " WHERE Operation = 1 AND Fingerprint <> '' GROUP BY Fingerprint"
            " ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapDHCPFingerprint,
     .value_property = e::kDHCPFingerprintProperty,
     .counts = {kMessages, kClients}},
    {.name = "ToDHCPClientsForFingerprint",
     .display = "To DHCP Clients For Fingerprint",
     .description = "DHCPv4 clients whose requests carried this fingerprint",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapDHCPFingerprint,
     .input_properties = {e::kDHCPFingerprintProperty},
     .tables = {"DHCPv4"},
     .sql = "SELECT ClientHWAddr," NETCAP_DHCP_CLIENT_COLUMNS
            "FROM DHCPv4 WHERE ClientHWAddr IN (SELECT ClientHWAddr FROM DHCPv4"
            " WHERE Operation = 1 AND Fingerprint = ?1)"
            " GROUP BY ClientHWAddr ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDHCPClient,
     .value_property = e::kDHCPClientProperty,
     .counts = {kMessages},
     .extra = kClientExtra},
    {.name = "ToDHCPV6MessageTypes",
     .display = "To DHCPv6 Message Types",
     .description = "DHCPv6 message types, with messages and senders",
     .tables = {"DHCPv6"},
     .sql = "SELECT MsgTypeName, COUNT(*), COUNT(DISTINCT SrcIP) FROM DHCPv6"
            " WHERE MsgTypeName <> '' GROUP BY MsgTypeName ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDHCPv6MessageType,
     .value_property = e::kDHCPv6MessageTypeProperty,
     .counts = {kMessages, kSenders}},
    {.name = "ToDHCPV6Options",
     .display = "To DHCPv6 Options",
     .description = "Options carried in DHCPv6 messages (by name), with messages and senders",
     .tables = {"DHCPv6"},
     .sql = "SELECT json_extract(o.value, '$.Name') AS name, COUNT(DISTINCT DHCPv6.id),"
            " COUNT(DISTINCT DHCPv6.SrcIP) FROM DHCPv6, json_each(DHCPv6.Options) AS o"
            " WHERE name <> '' GROUP BY name ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDHCPv6Option,
     .value_property = e::kDHCPv6OptionProperty,
     .counts = {kMessages, kSenders}},
    // --- NTP ---
    {.name = "ToNTPHosts",
     .display = "To NTP Hosts",
     .description = "Hosts that sent or received NTP messages, with messages",
     .tables = {"NTP"},
     .sql = "SELECT ip, COUNT(*) FROM (SELECT SrcIP AS ip FROM NTP UNION ALL"
            " SELECT DstIP FROM NTP) WHERE ip <> '' GROUP BY ip ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kMessages}},
    {.name = "ToNTPReferenceIDs",
     .display = "To NTP Reference IDs",
     .description =
         "Reference identifiers in NTP server, broadcast and symmetric messages, with senders",
     .tables = {"NTP"},
     .sql = "SELECT ReferenceID, COUNT(*), COUNT(DISTINCT SrcIP) FROM NTP"
            " WHERE Mode IN (1, 2, 4, 5) AND ReferenceID <> '' GROUP BY ReferenceID"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapNTPReferenceID,
     .value_property = e::kNTPReferenceIDProperty,
     .counts = {kMessages, kServers}},
};

#undef NETCAP_DHCP_CLIENT_COLUMNS

}  // namespace

Status register_dhcp_transforms(TransformRegistry& registry) {
  return register_query_transforms<kDhcpTransforms>(registry);
}

}  // namespace netcap::catalog
