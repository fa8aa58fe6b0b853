#include "entities/entity_catalog.h"

#include <algorithm>

namespace netcap::entities {

namespace {

constexpr PropertySpec kCase{kCaseProperty, "Case directory", PropertyType::kString};

constexpr PropertySpec kIPv4Props[] = {{kIPv4Property, "IPv4 Address", PropertyType::kString},
                                       {kInternalProperty, "Internal", PropertyType::kBool},
                                       kCase};
constexpr PropertySpec kIPv6Props[] = {{kIPv6Property, "IPv6 Address", PropertyType::kString},
                                       {kInternalProperty, "Internal", PropertyType::kBool},
                                       kCase};
constexpr PropertySpec kPortProps[] = {{kPortProperty, "Port", PropertyType::kInt}, kCase};
constexpr PropertySpec kPhraseProps[] = {{kPhraseProperty, "Text", PropertyType::kString}, kCase};
constexpr PropertySpec kMacProps[] = {{kMacProperty, "MAC Address", PropertyType::kString}, kCase};
constexpr PropertySpec kCaseProps[] = {kCase};
constexpr PropertySpec kConnectionProps[] = {
    {kConnectionUidProperty, "UID", PropertyType::kString},
    {"srcip", "Source IP", PropertyType::kString},
    {"srcport", "Source port", PropertyType::kInt},
    {"dstip", "Destination IP", PropertyType::kString},
    {"dstport", "Destination port", PropertyType::kInt},
    {"protocol", "Transport protocol", PropertyType::kString},
    {"state", "Connection state", PropertyType::kString},
    {"totalsize", "Total bytes", PropertyType::kInt},
    {"numpackets", "Packets", PropertyType::kInt},
    {"communityid", "Community ID", PropertyType::kString},
    kCase};
constexpr PropertySpec kAnomalyProps[] = {{kAnomalyProperty, "Anomaly", PropertyType::kString},
                                          kCase};
constexpr PropertySpec kIPProtocolProps[] = {
    {kIPProtocolProperty, "Transport protocol", PropertyType::kString}, kCase};
constexpr PropertySpec kStateProps[] = {
    {kConnectionStateProperty, "Connection state", PropertyType::kString}, kCase};
constexpr PropertySpec kCommunityIDProps[] = {
    {kCommunityIDProperty, "Community ID", PropertyType::kString}, kCase};

// Sorted by id (checked by the tests).
constexpr EntitySpec kCatalog[] = {
    {kIPv4Address, "IPv4 Address", "IPv4 Addresses", "Infrastructure", kIPv4Property, "IPv4Address",
     "An IPv4 address seen in the case.", kIPv4Props},
    {kIPv6Address, "IPv6 Address", "IPv6 Addresses", "Infrastructure", kIPv6Property, "IPv6Address",
     "An IPv6 address seen in the case.", kIPv6Props},
    {kMacAddress, "MAC Address", "MAC Addresses", "Infrastructure", kMacProperty, "MACAddress",
     "A link-layer address.", kMacProps},
    {kPhrase, "Phrase", "Phrases", "Personal", kPhraseProperty, "Phrase", "Free text.",
     kPhraseProps},
    {kPort, "Port", "Ports", "Infrastructure", kPortProperty, "Port", "A TCP/UDP/SCTP port number.",
     kPortProps},
    {kNetcapAnomaly, "Netcap Anomaly", "Netcap Anomalies", "Netcap", kAnomalyProperty, "warning",
     "A named anomaly (<layer>.<problem>) recorded while decoding.", kAnomalyProps},
    {kNetcapCommunityID, "Netcap Community ID", "Netcap Community IDs", "Netcap",
     kCommunityIDProperty, "fingerprint", "The Community ID flow hash of a connection.",
     kCommunityIDProps},
    {kNetcapConnection, "Netcap Connection", "Netcap Connections", "Netcap", kConnectionUidProperty,
     "compare_arrows", "One connection (flow) of the case, by UID.", kConnectionProps},
    {kNetcapConnectionState, "Netcap Connection State", "Netcap Connection States", "Netcap",
     kConnectionStateProperty, "timeline", "A connection state (Zeek conn_state style).",
     kStateProps},
    {kNetcapIPProtocol, "Netcap IP Protocol", "Netcap IP Protocols", "Netcap", kIPProtocolProperty,
     "device_hub", "A transport protocol of connections.", kIPProtocolProps},
    {kNetcapCase, "Netcap Case", "Netcap Cases", "Netcap", kCaseProperty, "insert_drive_file",
     "A netcap case directory (holds index.db); value = the directory.", kCaseProps},
};

}  // namespace

std::span<const EntitySpec> entity_catalog() { return kCatalog; }

const EntitySpec* find_entity(std::string_view id) {
  auto it = std::find_if(std::begin(kCatalog), std::end(kCatalog),
                         [id](const EntitySpec& spec) { return spec.id == id; });
  return it == std::end(kCatalog) ? nullptr : &*it;
}

}  // namespace netcap::entities
