// Transforms over the summary records of forensics/profiles (proto/profile.proto): software,
// services, devices and host details. List fields are JSON arrays in the index, read with
// json_each. Transforms that already exist over the raw records are not repeated here (DNS names
// of an address: ToDNSNamesForIP; SSH servers: ToSSHServersForHost; servers of an application
// protocol: ToServersForApplication).
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kSightings{"sighting", "sightings"};
constexpr CountLabel kConns{"conn", "conns"};
constexpr CountLabel kHosts{"host", "hosts"};
constexpr CountLabel kPackets{"pkt", "pkts"};

// "Product Version" (Product alone when no version): the value of a netcap.Software.
#define NETCAP_SOFTWARE_VALUE "Product || CASE WHEN Version <> '' THEN ' ' || Version ELSE '' END"
// "IP:port/transport" ("[IPv6]:port/transport"): the value of a netcap.Service.
#define NETCAP_SERVICE_VALUE                                                              \
  "CASE WHEN instr(IP, ':') > 0 THEN '[' || IP || ']' ELSE IP END || ':' || Port || '/' " \
  "|| Transport"
// Software rows grouped by value: sightings, hosts, then product, version, sources, vendor.
#define NETCAP_SOFTWARE_SELECT                                                    \
  "SELECT " NETCAP_SOFTWARE_VALUE                                                 \
  " AS v, SUM(Count), MAX(json_array_length(Hosts)), MAX(Product), MAX(Version)," \
  " group_concat(DISTINCT Source), MAX(Vendor) FROM Software "
#define NETCAP_SERVICE_SELECT                                                                \
  "SELECT " NETCAP_SERVICE_VALUE                                                             \
  " AS v, Connections, json_array_length(Clients), Protocol, Product, Version, Banner FROM " \
  "Service "

constexpr std::array<std::string_view, 8> kSoftwareExtra = {
    "properties.product", "properties.version", "properties.source", "properties.vendor"};
constexpr std::array<std::string_view, 8> kServiceExtra = {
    "properties.protocol", "properties.product", "properties.version", "properties.banner"};

constexpr QueryTransform kProfileTransforms[] = {
    {.name = "ToSoftware",
     .display = "To Software",
     .description = "Software seen in the case (user agents, server banners, mailers), with "
                    "sightings and hosts",
     .tables = {"Software"},
     .sql = NETCAP_SOFTWARE_SELECT "GROUP BY v ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSoftware,
     .value_property = e::kSoftwareProperty,
     .counts = {kSightings, kHosts},
     .extra = kSoftwareExtra},
    {.name = "ToSoftwareForHost",
     .display = "To Software For Host",
     .description = "Software this host runs (its user agents, its servers' banners)",
     .input = QueryInput::kIP,
     .tables = {"Software"},
     .sql = NETCAP_SOFTWARE_SELECT
     "WHERE EXISTS (SELECT 1 FROM json_each(Software.Hosts) WHERE value = ?1)"
     " GROUP BY v ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSoftware,
     .value_property = e::kSoftwareProperty,
     .counts = {kSightings, kHosts},
     .extra = kSoftwareExtra},
    {.name = "ToHostsForSoftware",
     .display = "To Hosts For Software",
     .description = "Hosts running this software",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapSoftware,
     .input_properties = {e::kSoftwareProperty},
     .tables = {"Software"},
     .sql = "SELECT j.value, SUM(s.Count) FROM Software AS s, json_each(s.Hosts) AS j"
            " WHERE (s.Product || CASE WHEN s.Version <> '' THEN ' ' || s.Version ELSE '' END)"
            " = ?1 GROUP BY 1 ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kSightings}},
    {.name = "ToServices",
     .display = "To Services",
     .description = "Services offered in the case (server address, port, protocol, product), "
                    "with connections and clients",
     .tables = {"Service"},
     .sql = NETCAP_SERVICE_SELECT "ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapService,
     .value_property = e::kServiceProperty,
     .counts = {kConns, kHosts},
     .extra = kServiceExtra},
    {.name = "ToServicesForHost",
     .display = "To Services For Host",
     .description = "Services this host offers, with protocol, banner and product",
     .input = QueryInput::kIP,
     .tables = {"Service"},
     .sql = NETCAP_SERVICE_SELECT "WHERE IP = ?1 ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapService,
     .value_property = e::kServiceProperty,
     .counts = {kConns, kHosts},
     .extra = kServiceExtra},
    {.name = "ToClientsForService",
     .display = "To Clients For Service",
     .description = "Client addresses that connected to this service",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapService,
     .input_properties = {e::kServiceProperty},
     .tables = {"Service"},
     .sql =
         "SELECT j.value FROM Service, json_each(Service.Clients) AS j WHERE " NETCAP_SERVICE_VALUE
         " = ?1 ORDER BY 1 ASC",
     .output = kIPOutput,
     .by_input_sql = "SELECT " NETCAP_SERVICE_VALUE " AS InputKey, j.value FROM Service,"
                     " json_each(Service.Clients) AS j ORDER BY 1 ASC, 2 ASC"},
    {.name = "ToDevices",
     .display = "To Devices",
     .description = "MAC addresses seen in the case with their IEEE vendor and DHCP host name",
     .tables = {"DeviceProfile"},
     .sql = "SELECT MAC, PacketsSent + PacketsReceived, Vendor, DHCPHostname FROM DeviceProfile"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kMacAddress,
     .value_property = e::kMacProperty,
     .counts = {kPackets},
     .extra = {"properties.vendor", "properties.hostname"}},
    {.name = "ToDevicesForHost",
     .display = "To Devices For Host",
     .description = "MAC addresses this address was seen with, with their IEEE vendor",
     .input = QueryInput::kIP,
     .tables = {"HostProfile", "DeviceProfile"},
     .sql = "SELECT j.value, COALESCE(d.Vendor, '') FROM HostProfile AS h, json_each(h.MACs) AS j"
            " LEFT JOIN DeviceProfile AS d ON d.MAC = j.value WHERE h.IP = ?1 ORDER BY 1 ASC",
     .output = e::kMacAddress,
     .value_property = e::kMacProperty,
     .extra = {"properties.vendor"}},
    {.name = "ToIPsForDevice",
     .display = "To IPs For Device",
     .description = "Addresses this MAC address used (connections, DHCP)",
     .input = QueryInput::kEntity,
     .input_entity = e::kMacAddress,
     .input_properties = {e::kMacProperty},
     .tables = {"DeviceProfile"},
     .sql = "SELECT j.value FROM DeviceProfile AS d, json_each(d.IPs) AS j"
            " WHERE d.MAC = lower(?1) ORDER BY 1 ASC",
     .output = kIPOutput},
    {.name = "ToOperatingSystemForHost",
     .display = "To Operating System For Host",
     .description = "The operating system of this host: named by its software (user agent, "
                    "banner), else p0f's guess from its TCP SYN or SYN+ACK",
     .input = QueryInput::kIP,
     .tables = {"HostProfile"},
     .sql = "SELECT OS FROM HostProfile WHERE IP = ?1 AND OS <> ''",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty},
    {.name = "ToRegisteredDomains",
     .display = "To Registered Domains",
     .description = "Registered domains (Public Suffix List) of the names in the case, with hosts",
     .tables = {"HostProfile"},
     .sql = "SELECT j.value, COUNT(*) FROM HostProfile AS h, json_each(h.RegisteredDomains) AS j"
            " GROUP BY 1 ORDER BY 2 DESC, 1 ASC",
     .output = e::kDomain,
     .value_property = e::kFqdnProperty,
     .counts = {kHosts}},
    {.name = "ToRegisteredDomainsForHost",
     .display = "To Registered Domains For Host",
     .description = "Registered domains of this host's DNS names and of the names it visited "
                    "(SNI, HTTP Host)",
     .input = QueryInput::kIP,
     .tables = {"HostProfile"},
     .sql = "SELECT j.value FROM HostProfile AS h, json_each(h.RegisteredDomains) AS j"
            " WHERE h.IP = ?1 ORDER BY 1 ASC",
     .output = e::kDomain,
     .value_property = e::kFqdnProperty},
    {.name = "ToHostsForDomain",
     .display = "To Hosts For Domain",
     .description = "Hosts named under this registered domain or visiting names under it",
     .input = QueryInput::kEntity,
     .input_entity = e::kDomain,
     .input_properties = {e::kFqdnProperty},
     .tables = {"HostProfile"},
     .sql = "SELECT IP, BytesSent + BytesReceived FROM HostProfile WHERE EXISTS"
            " (SELECT 1 FROM json_each(HostProfile.RegisteredDomains) WHERE value = lower(?1))"
            " ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {{"byte", "bytes"}},
     .by_input_sql = "SELECT d.value AS InputKey, IP, BytesSent + BytesReceived FROM HostProfile,"
                     " json_each(HostProfile.RegisteredDomains) AS d GROUP BY 1, 2"
                     " ORDER BY 1 ASC, 3 DESC, 2 ASC",
     .input_key = "lower(?1)"},
};

#undef NETCAP_SOFTWARE_VALUE
#undef NETCAP_SERVICE_VALUE
#undef NETCAP_SOFTWARE_SELECT
#undef NETCAP_SERVICE_SELECT

}  // namespace

Status register_profile_transforms(TransformRegistry& registry) {
  return register_query_transforms<kProfileTransforms>(registry);
}

}  // namespace netcap::catalog
