// The Maltego entity catalog netcap reads and writes, declared once (spec
// /work/shared/reference/maltego.md §4 for the standard entities, netcap.md §5.2 for netcap's).
// Transforms name entities only through the constants below, so a misspelt id is a compile
// error; the registry checks every input/output id against entity_catalog().
// All data is immutable static storage: thread-safe, valid for the whole program.
#pragma once

#include <span>
#include <string_view>

namespace netcap::entities {

// Maltego standard entities (maltego.md §4): used wherever one fits.
inline constexpr std::string_view kIPv4Address = "maltego.IPv4Address";
inline constexpr std::string_view kIPv6Address = "maltego.IPv6Address";
inline constexpr std::string_view kPort = "maltego.Port";
inline constexpr std::string_view kPhrase = "maltego.Phrase";
inline constexpr std::string_view kMacAddress = "maltego.MacAddress";  // no maltego.MACAddress

// netcap entities (netcap.md §5.2). netcap.PCAP is netcap's entry point; here its value is the
// case directory written by `netcap capture -o CASE`.
inline constexpr std::string_view kNetcapCase = "netcap.PCAP";
inline constexpr std::string_view kNetcapConnection = "netcap.Connection";
inline constexpr std::string_view kNetcapAnomaly = "netcap.Anomaly";
inline constexpr std::string_view kNetcapIPProtocol = "netcap.IPProtocol";
inline constexpr std::string_view kNetcapConnectionState = "netcap.ConnectionState";
inline constexpr std::string_view kNetcapCommunityID = "netcap.CommunityID";

// Every entity netcap outputs carries the case directory in this property (netcap's `path`
// convention, netcap.md §5.1), so the next transform knows which index to open.
inline constexpr std::string_view kCaseProperty = "path";

// Value properties of the entities above (maltego.md §4; netcap: properties.<lowercase name>).
inline constexpr std::string_view kIPv4Property = "ipv4-address";
inline constexpr std::string_view kIPv6Property = "ipv6-address";
inline constexpr std::string_view kInternalProperty = "ipaddress.internal";
inline constexpr std::string_view kPortProperty = "port.number";
inline constexpr std::string_view kPhraseProperty = "text";
inline constexpr std::string_view kMacProperty = "macaddress";
inline constexpr std::string_view kAnomalyProperty = "properties.anomaly";
inline constexpr std::string_view kIPProtocolProperty = "properties.ipprotocol";
inline constexpr std::string_view kConnectionStateProperty = "properties.connectionstate";
inline constexpr std::string_view kCommunityIDProperty = "properties.communityid";
inline constexpr std::string_view kConnectionUidProperty = "uid";

enum class PropertyType { kString, kInt, kBool };

struct PropertySpec {
  std::string_view name;
  std::string_view display_name;
  PropertyType type = PropertyType::kString;
};

struct EntitySpec {
  std::string_view id;
  std::string_view display_name;
  std::string_view plural;
  std::string_view category;       // "Netcap" for netcap's own, Maltego's category otherwise
  std::string_view main_property;  // the value property
  std::string_view icon;           // icon resource name
  std::string_view description;
  std::span<const PropertySpec> properties;  // includes main_property and kCaseProperty
};

// The whole catalog, sorted by id.
std::span<const EntitySpec> entity_catalog();

// nullptr if `id` is not in the catalog.
const EntitySpec* find_entity(std::string_view id);

}  // namespace netcap::entities
