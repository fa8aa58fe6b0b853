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
inline constexpr std::string_view kDNSName = "maltego.DNSName";
inline constexpr std::string_view kDomain = "maltego.Domain";    // a registered domain (PSL)
inline constexpr std::string_view kWebsite = "maltego.Website";  // base maltego.DNSName
inline constexpr std::string_view kURL = "maltego.URL";
inline constexpr std::string_view kEmailAddress = "maltego.EmailAddress";
inline constexpr std::string_view kX509Certificate = "maltego.X509Certificate";
inline constexpr std::string_view kHash = "maltego.Hash";
inline constexpr std::string_view kFile = "maltego.File";
inline constexpr std::string_view kAlias = "maltego.Alias";

// netcap entities (netcap.md §5.2). netcap.PCAP is netcap's entry point; here its value is the
// case directory written by `netcap capture -o CASE`.
inline constexpr std::string_view kNetcapCase = "netcap.PCAP";
inline constexpr std::string_view kNetcapConnection = "netcap.Connection";
inline constexpr std::string_view kNetcapPCAPSlice = "netcap.PCAPSlice";
inline constexpr std::string_view kNetcapAlert = "netcap.Alert";
inline constexpr std::string_view kNetcapAnomaly = "netcap.Anomaly";
inline constexpr std::string_view kNetcapIPProtocol = "netcap.IPProtocol";
inline constexpr std::string_view kNetcapConnectionState = "netcap.ConnectionState";
inline constexpr std::string_view kNetcapCommunityID = "netcap.CommunityID";

// Application-protocol entities. Where Go netcap has the entity (netcap.md §5.2) its id and its
// value property (properties.<lowercase name>) are kept; the others follow the same scheme.
// HTTP
inline constexpr std::string_view kNetcapUserAgent = "netcap.UserAgent";
inline constexpr std::string_view kNetcapServerName = "netcap.ServerName";
inline constexpr std::string_view kNetcapContentType = "netcap.ContentType";
inline constexpr std::string_view kNetcapHTTPStatusCode = "netcap.HTTPStatusCode";
inline constexpr std::string_view kNetcapHTTPMethod = "netcap.HTTPMethod";
inline constexpr std::string_view kNetcapHTTPCookie = "netcap.HTTPCookie";
inline constexpr std::string_view kNetcapHTTPCookieValue = "netcap.HTTPCookieValue";
inline constexpr std::string_view kNetcapHTTPHeader = "netcap.HTTPHeader";
inline constexpr std::string_view kNetcapHTTPHeaderValue = "netcap.HTTPHeaderValue";
inline constexpr std::string_view kNetcapHTTPParameter = "netcap.HTTPParameter";
inline constexpr std::string_view kNetcapHTTPParameterValue = "netcap.HTTPParameterValue";
// DNS
inline constexpr std::string_view kNetcapDNSResponseCode = "netcap.DNSResponseCode";
inline constexpr std::string_view kNetcapDNSOpCode = "netcap.DNSOpCode";
inline constexpr std::string_view kNetcapDNSQueryType = "netcap.DNSQueryType";
inline constexpr std::string_view kNetcapDNSFlagCombination = "netcap.DNSFlagCombination";
// TLS: netcap.TLSClientHello / TLSServerHello carry a JA3 / JA3S hash as in Go netcap.
inline constexpr std::string_view kNetcapTLSClientHello = "netcap.TLSClientHello";
inline constexpr std::string_view kNetcapTLSServerHello = "netcap.TLSServerHello";
inline constexpr std::string_view kNetcapJA4 = "netcap.JA4";
inline constexpr std::string_view kNetcapTLSVersion = "netcap.TLSVersion";
inline constexpr std::string_view kNetcapTLSCipherSuite = "netcap.TLSCipherSuite";
// SSH
inline constexpr std::string_view kNetcapSSHClient = "netcap.SSHClient";
inline constexpr std::string_view kNetcapSSHServer = "netcap.SSHServer";
inline constexpr std::string_view kNetcapHASSH = "netcap.HASSH";
inline constexpr std::string_view kNetcapHASSHServer = "netcap.HASSHServer";
// DHCP, NTP
inline constexpr std::string_view kNetcapDHCPClient = "netcap.DHCPClient";
inline constexpr std::string_view kNetcapDHCPFingerprint = "netcap.DHCPFingerprint";
inline constexpr std::string_view kNetcapDHCPv6MessageType = "netcap.DHCPv6MessageType";
inline constexpr std::string_view kNetcapDHCPv6Option = "netcap.DHCPv6Option";
inline constexpr std::string_view kNetcapNTPReferenceID = "netcap.NTPReferenceID";
// Mail, FTP, Telnet, logins
inline constexpr std::string_view kNetcapMail = "netcap.Mail";
inline constexpr std::string_view kNetcapSMTPCommandType = "netcap.SMTPCommandType";
inline constexpr std::string_view kNetcapFTPCommand = "netcap.FTPCommand";
inline constexpr std::string_view kNetcapCredentials = "netcap.Credentials";
// SIP, SMB, application protocols
inline constexpr std::string_view kNetcapSIPCall = "netcap.SIPCall";
inline constexpr std::string_view kNetcapSIPMethod = "netcap.SIPMethod";
inline constexpr std::string_view kNetcapSMBShare = "netcap.SMBShare";
inline constexpr std::string_view kNetcapSMBFile = "netcap.SMBFile";
inline constexpr std::string_view kNetcapApplication = "netcap.Application";
inline constexpr std::string_view kNetcapService = "netcap.Service";    // profiles
inline constexpr std::string_view kNetcapSoftware = "netcap.Software";  // profiles

// Entities of Go netcap graphs (netcap.md §5.2) accepted as inputs: each names its base type
// (EntitySpec::base), and a request of such a type runs the transforms of the base.
inline constexpr std::string_view kNetcapCompatIPAddr = "netcap.IPAddr";
inline constexpr std::string_view kNetcapCompatInternalSourceIP = "netcap.InternalSourceIP";
inline constexpr std::string_view kNetcapCompatExternalSourceIP = "netcap.ExternalSourceIP";
inline constexpr std::string_view kNetcapCompatInternalDestinationIP =
    "netcap.InternalDestinationIP";
inline constexpr std::string_view kNetcapCompatExternalDestinationIP =
    "netcap.ExternalDestinationIP";
inline constexpr std::string_view kNetcapCompatInternalIPProfile = "netcap.InternalIPProfile";
inline constexpr std::string_view kNetcapCompatExternalIPProfile = "netcap.ExternalIPProfile";
inline constexpr std::string_view kNetcapCompatHost = "netcap.Host";
inline constexpr std::string_view kNetcapCompatDNSName = "netcap.DNSName";
inline constexpr std::string_view kNetcapCompatDomain = "netcap.Domain";
inline constexpr std::string_view kNetcapCompatURL = "netcap.URL";
inline constexpr std::string_view kNetcapCompatEmail = "netcap.Email";
inline constexpr std::string_view kNetcapCompatMD5Hash = "netcap.MD5Hash";
inline constexpr std::string_view kNetcapCompatFile = "netcap.File";
inline constexpr std::string_view kNetcapCompatPort = "netcap.Port";
inline constexpr std::string_view kNetcapCompatSourcePort = "netcap.SourcePort";
inline constexpr std::string_view kNetcapCompatDestinationPort = "netcap.DestinationPort";
inline constexpr std::string_view kNetcapCompatContactedPort = "netcap.ContactedPort";
inline constexpr std::string_view kNetcapCompatDevice = "netcap.Device";

// Value distributions of header fields (ValueDistribution records).
inline constexpr std::string_view kNetcapEthernetType = "netcap.EthernetType";
inline constexpr std::string_view kNetcapTCPFlag = "netcap.TCPFlag";
inline constexpr std::string_view kNetcapIPv6TrafficClass = "netcap.IPv6TrafficClass";
inline constexpr std::string_view kNetcapLinkType = "netcap.LinkType";
inline constexpr std::string_view kNetcapICMPv4ControlMessageType =
    "netcap.ICMPv4ControlMessageType";
inline constexpr std::string_view kNetcapICMPv6ControlMessageType =
    "netcap.ICMPv6ControlMessageType";
inline constexpr std::string_view kNetcapIGMPType = "netcap.IGMPType";
inline constexpr std::string_view kNetcapIGMPGroupRecordType = "netcap.IGMPGroupRecordType";

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
inline constexpr std::string_view kAlertProperty = "properties.alert";
inline constexpr std::string_view kAnomalyProperty = "properties.anomaly";
inline constexpr std::string_view kIPProtocolProperty = "properties.ipprotocol";
inline constexpr std::string_view kConnectionStateProperty = "properties.connectionstate";
inline constexpr std::string_view kCommunityIDProperty = "properties.communityid";
inline constexpr std::string_view kSlicePathProperty = "properties.slicepath";
inline constexpr std::string_view kConnectionUidProperty = "uid";
// Standard entities (maltego.md §4).
inline constexpr std::string_view kFqdnProperty = "fqdn";  // DNSName, Website, Domain
inline constexpr std::string_view kURLProperty = "url";
inline constexpr std::string_view kEmailProperty = "email";
inline constexpr std::string_view kCertificateProperty = "subject";
inline constexpr std::string_view kHashProperty = "properties.hash";
inline constexpr std::string_view kFileProperty = "description";
inline constexpr std::string_view kAliasProperty = "alias";
// netcap application-protocol entities.
// Value distributions: the name, and the field's number in kDistributionNumberProperty.
inline constexpr std::string_view kEthernetTypeProperty = "properties.ethernettype";
inline constexpr std::string_view kTCPFlagProperty = "properties.tcpflag";
inline constexpr std::string_view kIPv6TrafficClassProperty = "properties.ipv6trafficclass";
inline constexpr std::string_view kLinkTypeProperty = "properties.linktype";
inline constexpr std::string_view kICMPv4ControlMessageTypeProperty =
    "properties.icmpv4controlmessagetype";
inline constexpr std::string_view kICMPv6ControlMessageTypeProperty =
    "properties.icmpv6controlmessagetype";
inline constexpr std::string_view kIGMPTypeProperty = "properties.igmptype";
inline constexpr std::string_view kIGMPGroupRecordTypeProperty = "properties.igmpgrouprecordtype";
inline constexpr std::string_view kDistributionNumberProperty = "properties.number";
inline constexpr std::string_view kUserAgentProperty = "properties.useragent";
inline constexpr std::string_view kServerNameProperty = "properties.servername";
inline constexpr std::string_view kContentTypeProperty = "properties.contenttype";
inline constexpr std::string_view kHTTPStatusCodeProperty = "properties.httpstatuscode";
inline constexpr std::string_view kHTTPMethodProperty = "properties.httpmethod";
inline constexpr std::string_view kHTTPCookieProperty = "properties.httpcookie";
inline constexpr std::string_view kHTTPCookieValueProperty = "properties.httpcookievalue";
inline constexpr std::string_view kHTTPHeaderProperty = "properties.httpheader";
inline constexpr std::string_view kHTTPHeaderValueProperty = "properties.httpheadervalue";
inline constexpr std::string_view kHTTPParameterProperty = "properties.httpparameter";
inline constexpr std::string_view kHTTPParameterValueProperty = "properties.httpparametervalue";
inline constexpr std::string_view kDNSResponseCodeProperty = "properties.dnsresponsecode";
inline constexpr std::string_view kDNSOpCodeProperty = "properties.dnsopcode";
inline constexpr std::string_view kDNSQueryTypeProperty = "properties.dnsquerytype";
inline constexpr std::string_view kDNSFlagCombinationProperty = "properties.dnsflagcombination";
inline constexpr std::string_view kTLSClientHelloProperty = "properties.tlsclienthello";
inline constexpr std::string_view kTLSServerHelloProperty = "properties.tlsserverhello";
inline constexpr std::string_view kJA4Property = "properties.ja4";
inline constexpr std::string_view kTLSVersionProperty = "properties.tlsversion";
inline constexpr std::string_view kTLSCipherSuiteProperty = "properties.tlsciphersuite";
inline constexpr std::string_view kSSHClientProperty = "properties.sshclient";
inline constexpr std::string_view kSSHServerProperty = "properties.sshserver";
inline constexpr std::string_view kHASSHProperty = "properties.hassh";
inline constexpr std::string_view kHASSHServerProperty = "properties.hasshserver";
inline constexpr std::string_view kDHCPClientProperty = "properties.dhcpclient";
inline constexpr std::string_view kDHCPFingerprintProperty = "properties.dhcpfingerprint";
inline constexpr std::string_view kDHCPv6MessageTypeProperty = "properties.dhcpv6messagetype";
inline constexpr std::string_view kDHCPv6OptionProperty = "properties.dhcpv6option";
inline constexpr std::string_view kNTPReferenceIDProperty = "properties.ntpreferenceid";
inline constexpr std::string_view kMailProperty = "properties.mail";
inline constexpr std::string_view kSMTPCommandTypeProperty = "properties.smtpcommandtype";
inline constexpr std::string_view kFTPCommandProperty = "properties.ftpcommand";
inline constexpr std::string_view kCredentialsProperty = "properties.credentials";
inline constexpr std::string_view kSIPCallProperty = "properties.sipcall";
inline constexpr std::string_view kSIPMethodProperty = "properties.sipmethod";
inline constexpr std::string_view kSMBShareProperty = "properties.smbshare";
inline constexpr std::string_view kSMBFileProperty = "properties.smbfile";
inline constexpr std::string_view kApplicationProperty = "properties.application";
inline constexpr std::string_view kServiceProperty = "properties.service";    // "IP:port/tcp"
inline constexpr std::string_view kSoftwareProperty = "properties.software";  // "Product Version"

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
  std::string_view base = {};        // the parent type (inherits its transforms), empty: none
  bool value_is_first_line = false;  // a multi-line value whose first line is the key
};

// True when `type` is `declared` or derives from it through EntitySpec::base (types outside the
// catalog match only themselves).
bool entity_is_a(std::string_view type, std::string_view declared);

// The whole catalog, sorted by id.
std::span<const EntitySpec> entity_catalog();

// nullptr if `id` is not in the catalog.
const EntitySpec* find_entity(std::string_view id);

}  // namespace netcap::entities
