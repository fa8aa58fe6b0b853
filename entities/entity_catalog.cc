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
constexpr PropertySpec kMacProps[] = {{kMacProperty, "MAC Address", PropertyType::kString},
                                      {"properties.vendor", "Vendor (IEEE)", PropertyType::kString},
                                      kCase};
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
constexpr PropertySpec kPCAPSliceProps[] = {
    {kSlicePathProperty, "Slice file", PropertyType::kString},
    {"filter", "BPF filter", PropertyType::kString},
    {"packets", "Packets", PropertyType::kInt},
    {"bytes", "Bytes", PropertyType::kInt},
    {"truncated", "Truncated at the size limit", PropertyType::kBool},
    kCase};
constexpr PropertySpec kAlertProps[] = {{kAlertProperty, "Alert signature", PropertyType::kString},
                                        {"signatureid", "Signature id", PropertyType::kInt},
                                        {"category", "Category", PropertyType::kString},
                                        {"severity", "Severity", PropertyType::kInt},
                                        kCase};
constexpr PropertySpec kAnomalyProps[] = {{kAnomalyProperty, "Anomaly", PropertyType::kString},
                                          kCase};
constexpr PropertySpec kIPProtocolProps[] = {
    {kIPProtocolProperty, "Transport protocol", PropertyType::kString}, kCase};
constexpr PropertySpec kStateProps[] = {
    {kConnectionStateProperty, "Connection state", PropertyType::kString}, kCase};
constexpr PropertySpec kCommunityIDProps[] = {
    {kCommunityIDProperty, "Community ID", PropertyType::kString}, kCase};

constexpr PropertySpec kDNSNameProps[] = {{kFqdnProperty, "DNS Name", PropertyType::kString},
                                          kCase};
constexpr PropertySpec kWebsiteProps[] = {
    {kFqdnProperty, "Website", PropertyType::kString},
    {"website.ssl-enabled", "SSL Enabled", PropertyType::kBool},
    {"ports", "Ports", PropertyType::kString},
    kCase};
constexpr PropertySpec kURLProps[] = {{kURLProperty, "URL", PropertyType::kString},
                                      {"short-title", "Short title", PropertyType::kString},
                                      {"title", "Title", PropertyType::kString},
                                      kCase};
constexpr PropertySpec kEmailAddressProps[] = {
    {kEmailProperty, "Email Address", PropertyType::kString}, kCase};
constexpr PropertySpec kX509CertificateProps[] = {
    {kCertificateProperty, "Subject", PropertyType::kString},
    {"subjectDN", "Subject DN", PropertyType::kString},
    {"issuer", "Issuer", PropertyType::kString},
    {"issuerDN", "Issuer DN", PropertyType::kString},
    {"serial", "Serial", PropertyType::kString},
    {"san", "Subject alternative names", PropertyType::kString},
    {"validFrom", "Valid from", PropertyType::kString},
    {"validTo", "Valid to", PropertyType::kString},
    {"properties.sha256", "SHA-256", PropertyType::kString},
    kCase};
constexpr PropertySpec kHashProps[] = {{kHashProperty, "Hash", PropertyType::kString},
                                       {"hash_type", "Hash type", PropertyType::kString},
                                       kCase};
constexpr PropertySpec kFileProps[] = {
    {kFileProperty, "Description", PropertyType::kString},
    {"source", "Source", PropertyType::kString},
    {"properties.contenttype", "Content type", PropertyType::kString},
    {"properties.size", "Size", PropertyType::kInt},
    {"properties.sha256", "SHA-256", PropertyType::kString},
    kCase};
constexpr PropertySpec kAliasProps[] = {{kAliasProperty, "Alias", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapUserAgentProps[] = {
    {kUserAgentProperty, "User agent", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapServerNameProps[] = {
    {kServerNameProperty, "Server name", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapContentTypeProps[] = {
    {kContentTypeProperty, "Content type", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapHTTPStatusCodeProps[] = {
    {kHTTPStatusCodeProperty, "Status code", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapHTTPMethodProps[] = {
    {kHTTPMethodProperty, "Method", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapHTTPCookieProps[] = {
    {kHTTPCookieProperty, "Cookie name", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapHTTPCookieValueProps[] = {
    {kHTTPCookieValueProperty, "Cookie value", PropertyType::kString},
    {"properties.httpcookie", "Cookie name", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapHTTPHeaderProps[] = {
    {kHTTPHeaderProperty, "Header name", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapHTTPHeaderValueProps[] = {
    {kHTTPHeaderValueProperty, "Header value", PropertyType::kString},
    {"properties.httpheader", "Header name", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapHTTPParameterProps[] = {
    {kHTTPParameterProperty, "Parameter name", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapHTTPParameterValueProps[] = {
    {kHTTPParameterValueProperty, "Parameter value", PropertyType::kString},
    {"properties.httpparameter", "Parameter name", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapDNSResponseCodeProps[] = {
    {kDNSResponseCodeProperty, "Response code", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapDNSOpCodeProps[] = {
    {kDNSOpCodeProperty, "OpCode", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapDNSQueryTypeProps[] = {
    {kDNSQueryTypeProperty, "Query type", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapTLSClientHelloProps[] = {
    {kTLSClientHelloProperty, "JA3 hash", PropertyType::kString},
    {"properties.ja3", "JA3 string", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapTLSServerHelloProps[] = {
    {kTLSServerHelloProperty, "JA3S hash", PropertyType::kString},
    {"properties.ja3s", "JA3S string", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapJA4Props[] = {{kJA4Property, "JA4", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapTLSVersionProps[] = {
    {kTLSVersionProperty, "TLS version", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapTLSCipherSuiteProps[] = {
    {kTLSCipherSuiteProperty, "Cipher suite", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapSSHClientProps[] = {
    {kSSHClientProperty, "Client banner", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapSSHServerProps[] = {
    {kSSHServerProperty, "Server banner", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapHASSHProps[] = {
    {kHASSHProperty, "HASSH", PropertyType::kString},
    {"properties.algorithms", "Algorithms", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapHASSHServerProps[] = {
    {kHASSHServerProperty, "HASSH server", PropertyType::kString},
    {"properties.algorithms", "Algorithms", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapDHCPClientProps[] = {
    {kDHCPClientProperty, "Client MAC", PropertyType::kString},
    {"properties.hostname", "Host name", PropertyType::kString},
    {"properties.vendorclass", "Vendor class", PropertyType::kString},
    {"properties.fingerprint", "Fingerprint", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapDHCPFingerprintProps[] = {
    {kDHCPFingerprintProperty, "Fingerprint", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapDHCPv6MessageTypeProps[] = {
    {kDHCPv6MessageTypeProperty, "Message type", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapNTPReferenceIDProps[] = {
    {kNTPReferenceIDProperty, "Reference ID", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapMailProps[] = {
    {kMailProperty, "Subject", PropertyType::kString},
    {"properties.from", "From", PropertyType::kString},
    {"properties.to", "To", PropertyType::kString},
    {"properties.date", "Date", PropertyType::kString},
    {"properties.messageid", "Message-ID", PropertyType::kString},
    {"properties.attachments", "Attachments", PropertyType::kInt},
    {"properties.size", "Size", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapSMTPCommandTypeProps[] = {
    {kSMTPCommandTypeProperty, "Command", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapFTPCommandProps[] = {
    {kFTPCommandProperty, "Command", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCredentialsProps[] = {
    {kCredentialsProperty, "Credentials", PropertyType::kString},
    {"properties.service", "Service", PropertyType::kString},
    {"properties.user", "User", PropertyType::kString},
    {"properties.password", "Password", PropertyType::kString},
    {"properties.hash", "Hash (hashcat input)", PropertyType::kString},
    {"properties.hashcatmode", "hashcat Mode", PropertyType::kString},
    {"properties.method", "Method", PropertyType::kString},
    {"properties.result", "Result", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapSIPCallProps[] = {
    {kSIPCallProperty, "Call-ID", PropertyType::kString},
    {"properties.from", "From", PropertyType::kString},
    {"properties.to", "To", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapSIPMethodProps[] = {
    {kSIPMethodProperty, "Method", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapSMBShareProps[] = {
    {kSMBShareProperty, "Share path", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapSMBFileProps[] = {
    {kSMBFileProperty, "File name", PropertyType::kString},
    {"properties.share", "Share", PropertyType::kString},
    {"properties.bytesread", "Bytes read", PropertyType::kInt},
    {"properties.byteswritten", "Bytes written", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapApplicationProps[] = {
    {kApplicationProperty, "Application protocol", PropertyType::kString}, kCase};
constexpr PropertySpec kDomainProps[] = {{kFqdnProperty, "Domain Name", PropertyType::kString},
                                         kCase};
constexpr PropertySpec kNetcapServiceProps[] = {
    {kServiceProperty, "Service", PropertyType::kString},
    {"properties.protocol", "Protocol", PropertyType::kString},
    {"properties.product", "Product", PropertyType::kString},
    {"properties.version", "Version", PropertyType::kString},
    {"properties.banner", "Banner", PropertyType::kString},
    kCase};
constexpr PropertySpec kNetcapSoftwareProps[] = {
    {kSoftwareProperty, "Software", PropertyType::kString},
    {"properties.product", "Product", PropertyType::kString},
    {"properties.version", "Version", PropertyType::kString},
    {"properties.source", "Found by", PropertyType::kString},
    {"properties.vendor", "Vendor", PropertyType::kString},
    kCase};

constexpr PropertySpec kNetcapDNSFlagCombinationProps[] = {
    {kDNSFlagCombinationProperty, "Flags", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapDHCPv6OptionProps[] = {
    {kDHCPv6OptionProperty, "Option", PropertyType::kString}, kCase};

// netcap's entities (netcap.md §5.2) that only Go netcap graphs carry: they are inputs, declared
// with their Maltego base type so every transform of the base applies to them.
constexpr PropertySpec kNetcapCompatIPAddrProps[] = {
    {"properties.ipaddr", "IP Address", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatInternalSourceIPProps[] = {
    {"properties.internalsourceip", "Internal Source IP", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatExternalSourceIPProps[] = {
    {"properties.externalsourceip", "External Source IP", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatInternalDestinationIPProps[] = {
    {"properties.internaldestinationip", "Internal Destination IP", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatExternalDestinationIPProps[] = {
    {"properties.externaldestinationip", "External Destination IP", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatInternalIPProfileProps[] = {
    {"properties.internalipprofile", "Internal IP Profile", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatExternalIPProfileProps[] = {
    {"properties.externalipprofile", "External IP Profile", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatHostProps[] = {
    {"properties.host", "HTTP Host", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatDNSNameProps[] = {
    {"properties.dnsname", "DNS Name", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatDomainProps[] = {
    {"properties.domain", "Domain", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatURLProps[] = {{"properties.url", "URL", PropertyType::kString},
                                                  kCase};
constexpr PropertySpec kNetcapCompatEmailProps[] = {
    {"properties.email", "Email", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatMD5HashProps[] = {
    {"properties.md5hash", "MD5 Hash", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatFileProps[] = {
    {"properties.file", "File", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatPortProps[] = {
    {"properties.port", "Port", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatSourcePortProps[] = {
    {"properties.sourceport", "Source Port", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatDestinationPortProps[] = {
    {"properties.destinationport", "Destination Port", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatContactedPortProps[] = {
    {"properties.contactedport", "Contacted Port", PropertyType::kString}, kCase};
constexpr PropertySpec kNetcapCompatDeviceProps[] = {
    {"properties.device", "Device", PropertyType::kString}, kCase};

// Value distributions.
constexpr PropertySpec kNetcapEthernetTypeProps[] = {
    {kEthernetTypeProperty, "Ethernet Type", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapTCPFlagProps[] = {
    {kTCPFlagProperty, "TCP Flag Combination", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapIPv6TrafficClassProps[] = {
    {kIPv6TrafficClassProperty, "IPv6 Traffic Class", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapLinkTypeProps[] = {
    {kLinkTypeProperty, "Link Type", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapICMPv4ControlMessageTypeProps[] = {
    {kICMPv4ControlMessageTypeProperty, "ICMPv4 Control Message Type", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapICMPv6ControlMessageTypeProps[] = {
    {kICMPv6ControlMessageTypeProperty, "ICMPv6 Control Message Type", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapIGMPTypeProps[] = {
    {kIGMPTypeProperty, "IGMP Type", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};
constexpr PropertySpec kNetcapIGMPGroupRecordTypeProps[] = {
    {kIGMPGroupRecordTypeProperty, "IGMP Group Record Type", PropertyType::kString},
    {kDistributionNumberProperty, "Number", PropertyType::kInt},
    kCase};

// Sorted by id (checked by the tests).
constexpr EntitySpec kCatalog[] = {
    {kAlias, "Alias", "Aliases", "Personal", kAliasProperty, "Alias",
     "A user name seen in a login (FTP, Telnet, mail, SMB).", kAliasProps},
    {kDNSName, "DNS Name", "DNS Names", "Infrastructure", kFqdnProperty, "DNSName",
     "A DNS name (queried name, TLS server name, certificate name).", kDNSNameProps},
    {kDomain, "Domain", "Domains", "Infrastructure", kFqdnProperty, "Domain",
     "A registered domain (Public Suffix List): the organisation level of DNS names.",
     kDomainProps},
    {kEmailAddress, "Email Address", "Email Addresses", "Personal", kEmailProperty, "EmailAddress",
     "A mail address (envelope or header).", kEmailAddressProps},
    {kFile, "File", "Files", "Personal", kFileProperty, "File",
     "A file transferred in the case (mail attachment, FTP transfer); value: its name.",
     kFileProps},
    {kHash, "Hash", "Hashes", "Personal", kHashProperty, "Hash", "A hash of extracted content.",
     kHashProps},
    {kIPv4Address, "IPv4 Address", "IPv4 Addresses", "Infrastructure", kIPv4Property, "IPv4Address",
     "An IPv4 address seen in the case.", kIPv4Props},
    {kIPv6Address, "IPv6 Address", "IPv6 Addresses", "Infrastructure", kIPv6Property, "IPv6Address",
     "An IPv6 address seen in the case.", kIPv6Props},
    {kMacAddress,
     "MAC Address",
     "MAC Addresses",
     "Infrastructure",
     kMacProperty,
     "MACAddress",
     "A link-layer address.",
     kMacProps,
     {},
     true},  // an address never spans lines; Go netcap's Device adds the vendor on a second
    {kPhrase, "Phrase", "Phrases", "Personal", kPhraseProperty, "Phrase", "Free text.",
     kPhraseProps},
    {kPort, "Port", "Ports", "Infrastructure", kPortProperty, "Port", "A TCP/UDP/SCTP port number.",
     kPortProps},
    {kURL, "URL", "URLs", "Infrastructure", kURLProperty, "URL",
     "A URL requested over HTTP (http://Host/URI).", kURLProps},
    {kWebsite, "Website", "Websites", "Infrastructure", kFqdnProperty, "Website",
     "A web site by HTTP Host name.", kWebsiteProps},
    {kX509Certificate, "SSL Certificate", "SSL Certificates", "Infrastructure",
     kCertificateProperty, "X509Certificate",
     "An X.509 certificate seen in a TLS handshake (value: subject common name).",
     kX509CertificateProps},
    {kNetcapAlert, "Netcap Alert", "Netcap Alerts", "Netcap", kAlertProperty, "report",
     "An IDS alert signature imported by 'netcap label' (Suricata EVE JSON).", kAlertProps},
    {kNetcapAnomaly, "Netcap Anomaly", "Netcap Anomalies", "Netcap", kAnomalyProperty, "warning",
     "A named anomaly (<layer>.<problem>) recorded while decoding.", kAnomalyProps},
    {kNetcapApplication, "Netcap Application", "Netcap Applications", "Netcap",
     kApplicationProperty, "apps",
     "An application protocol of connections (content-based detection).", kNetcapApplicationProps},
    {kNetcapCommunityID, "Netcap Community ID", "Netcap Community IDs", "Netcap",
     kCommunityIDProperty, "fingerprint", "The Community ID flow hash of a connection.",
     kCommunityIDProps},
    {kNetcapConnection, "Netcap Connection", "Netcap Connections", "Netcap", kConnectionUidProperty,
     "compare_arrows", "One connection (flow) of the case, by UID.", kConnectionProps},
    {kNetcapConnectionState, "Netcap Connection State", "Netcap Connection States", "Netcap",
     kConnectionStateProperty, "timeline", "A connection state (Zeek conn_state style).",
     kStateProps},
    {kNetcapCompatContactedPort, "Netcap Contacted Port", "Netcap Contacted Ports", "Netcap",
     "properties.contactedport", "Port", "A port a host contacted, in a Go netcap graph.",
     kNetcapCompatContactedPortProps, "maltego.Port", false},
    {kNetcapContentType, "Netcap Content Type", "Netcap Content Types", "Netcap",
     kContentTypeProperty, "description", "A MIME content type (HTTP response, mail part).",
     kNetcapContentTypeProps},
    {kNetcapCredentials, "Netcap Credentials", "Netcap Credentials", "Netcap", kCredentialsProperty,
     "vpn_key", "A login seen in clear or as an authentication user: \"<service>: <user>\".",
     kNetcapCredentialsProps},
    {kNetcapDHCPClient, "Netcap DHCP Client", "Netcap DHCP Clients", "Netcap", kDHCPClientProperty,
     "devices",
     "A DHCPv4 client by hardware address, with its host name, vendor class and fingerprint.",
     kNetcapDHCPClientProps},
    {kNetcapDHCPFingerprint, "Netcap DHCP Fingerprint", "Netcap DHCP Fingerprints", "Netcap",
     kDHCPFingerprintProperty, "fingerprint",
     "A DHCPv4 fingerprint (the parameter request list, comma separated).",
     kNetcapDHCPFingerprintProps},
    {kNetcapDHCPv6MessageType, "Netcap DHCPv6 Message Type", "Netcap DHCPv6 Message Types",
     "Netcap", kDHCPv6MessageTypeProperty, "devices", "A DHCPv6 message type.",
     kNetcapDHCPv6MessageTypeProps},
    {kNetcapDHCPv6Option, "Netcap DHCPv6 Option", "Netcap DHCPv6 Options", "Netcap",
     kDHCPv6OptionProperty, "devices", "A DHCPv6 option by name.", kNetcapDHCPv6OptionProps},
    {kNetcapDNSFlagCombination, "Netcap DNS Flag Combination", "Netcap DNS Flag Combinations",
     "Netcap", kDNSFlagCombinationProperty, "dns",
     "The header flags set in a DNS message (QR AA TC RD RA AD CD), space separated.",
     kNetcapDNSFlagCombinationProps},
    {kNetcapCompatDNSName, "Netcap DNS Name", "Netcap DNS Names", "Netcap", "properties.dnsname",
     "DNSName", "A DNS name in a Go netcap graph.", kNetcapCompatDNSNameProps, "maltego.DNSName",
     false},
    {kNetcapDNSOpCode, "Netcap DNS OpCode", "Netcap DNS OpCodes", "Netcap", kDNSOpCodeProperty,
     "dns", "A DNS header opcode (0 query, 4 notify, 5 update, ...).", kNetcapDNSOpCodeProps},
    {kNetcapDNSQueryType, "Netcap DNS Query Type", "Netcap DNS Query Types", "Netcap",
     kDNSQueryTypeProperty, "dns", "A DNS question type mnemonic (A, AAAA, MX, ...).",
     kNetcapDNSQueryTypeProps},
    {kNetcapDNSResponseCode, "Netcap DNS Response Code", "Netcap DNS Response Codes", "Netcap",
     kDNSResponseCodeProperty, "dns", "A DNS response code mnemonic (NOERROR, NXDOMAIN, ...).",
     kNetcapDNSResponseCodeProps},
    {kNetcapCompatDestinationPort, "Netcap Destination Port", "Netcap Destination Ports", "Netcap",
     "properties.destinationport", "Port", "A destination port in a Go netcap graph.",
     kNetcapCompatDestinationPortProps, "maltego.Port", false},
    {kNetcapCompatDevice, "Netcap Device", "Netcap Devices", "Netcap", "properties.device",
     "MACAddress",
     "A device in a Go netcap graph; its value is the MAC and the vendor on two lines (the first "
     "line is read).",
     kNetcapCompatDeviceProps, "maltego.MacAddress", true},
    {kNetcapCompatDomain, "Netcap Domain", "Netcap Domains", "Netcap", "properties.domain",
     "Domain", "A domain in a Go netcap graph.", kNetcapCompatDomainProps, "maltego.Domain", false},
    {kNetcapCompatEmail, "Netcap Email", "Netcap Emails", "Netcap", "properties.email",
     "EmailAddress",
     "A mail address in a Go netcap graph (base maltego.EmailAddress; Go netcap names the "
     "non-existent maltego.Email).",
     kNetcapCompatEmailProps, "maltego.EmailAddress", false},
    {kNetcapEthernetType, "Netcap Ethernet Type", "Netcap Ethernet Types", "Netcap",
     kEthernetTypeProperty, "settings_ethernet",
     "EtherType of Ethernet frames (IANA name, hex when unnamed).", kNetcapEthernetTypeProps},
    {kNetcapCompatExternalDestinationIP, "Netcap External Destination IP",
     "Netcap External Destination IPs", "Netcap", "properties.externaldestinationip", "IPv4Address",
     "A public destination address in a Go netcap graph.", kNetcapCompatExternalDestinationIPProps,
     "netcap.IPAddr", false},
    {kNetcapCompatExternalIPProfile, "Netcap External IP Profile", "Netcap External IP Profiles",
     "Netcap", "properties.externalipprofile", "IPv4Address",
     "A public host profile in a Go netcap graph.", kNetcapCompatExternalIPProfileProps,
     "netcap.IPAddr", false},
    {kNetcapCompatExternalSourceIP, "Netcap External Source IP", "Netcap External Source IPs",
     "Netcap", "properties.externalsourceip", "IPv4Address",
     "A public source address in a Go netcap graph.", kNetcapCompatExternalSourceIPProps,
     "netcap.IPAddr", false},
    {kNetcapFTPCommand, "Netcap FTP Command", "Netcap FTP Commands", "Netcap", kFTPCommandProperty,
     "folder", "An FTP command verb.", kNetcapFTPCommandProps},
    {kNetcapCompatFile, "Netcap File", "Netcap Files", "Netcap", "properties.file", "File",
     "A file in a Go netcap graph.", kNetcapCompatFileProps, "maltego.File", false},
    {kNetcapHASSH, "Netcap HASSH", "Netcap HASSHs", "Netcap", kHASSHProperty, "fingerprint",
     "An SSH client fingerprint (HASSH, MD5 of the KEXINIT algorithm lists).", kNetcapHASSHProps},
    {kNetcapHASSHServer, "Netcap HASSH Server", "Netcap HASSH Servers", "Netcap",
     kHASSHServerProperty, "fingerprint", "An SSH server fingerprint (HASSHServer).",
     kNetcapHASSHServerProps},
    {kNetcapHTTPCookie, "Netcap HTTP Cookie", "Netcap HTTP Cookies", "Netcap", kHTTPCookieProperty,
     "cookie", "The name of a cookie sent by HTTP clients.", kNetcapHTTPCookieProps},
    {kNetcapHTTPCookieValue, "Netcap HTTP Cookie Value", "Netcap HTTP Cookie Values", "Netcap",
     kHTTPCookieValueProperty, "cookie", "A value of an HTTP cookie.", kNetcapHTTPCookieValueProps},
    {kNetcapHTTPHeader, "Netcap HTTP Header", "Netcap HTTP Headers", "Netcap", kHTTPHeaderProperty,
     "list", "The name of an HTTP request header.", kNetcapHTTPHeaderProps},
    {kNetcapHTTPHeaderValue, "Netcap HTTP Header Value", "Netcap HTTP Header Values", "Netcap",
     kHTTPHeaderValueProperty, "list", "A value of an HTTP request header.",
     kNetcapHTTPHeaderValueProps},
    {kNetcapHTTPMethod, "Netcap HTTP Method", "Netcap HTTP Methods", "Netcap", kHTTPMethodProperty,
     "call_made", "An HTTP request method.", kNetcapHTTPMethodProps},
    {kNetcapHTTPParameter, "Netcap HTTP Parameter", "Netcap HTTP Parameters", "Netcap",
     kHTTPParameterProperty, "tune",
     "The name of an HTTP request parameter (query string or form).", kNetcapHTTPParameterProps},
    {kNetcapHTTPParameterValue, "Netcap HTTP Parameter Value", "Netcap HTTP Parameter Values",
     "Netcap", kHTTPParameterValueProperty, "tune", "A value of an HTTP request parameter.",
     kNetcapHTTPParameterValueProps},
    {kNetcapHTTPStatusCode, "Netcap HTTP Status Code", "Netcap HTTP Status Codes", "Netcap",
     kHTTPStatusCodeProperty, "info", "An HTTP response status code.", kNetcapHTTPStatusCodeProps},
    {kNetcapCompatHost, "Netcap HTTP Host", "Netcap HTTP Hosts", "Netcap", "properties.host",
     "Website",
     "An HTTP Host name in a Go netcap graph (base maltego.Website, not netcap.IPAddr as in Go "
     "netcap: the value is a name).",
     kNetcapCompatHostProps, "maltego.Website", false},
    {kNetcapICMPv4ControlMessageType, "Netcap ICMPv4 Control Message Type",
     "Netcap ICMPv4 Control Message Types", "Netcap", kICMPv4ControlMessageTypeProperty,
     "network_check", "An ICMPv4 type and code (\"DestinationUnreachable/PortUnreachable\").",
     kNetcapICMPv4ControlMessageTypeProps},
    {kNetcapICMPv6ControlMessageType, "Netcap ICMPv6 Control Message Type",
     "Netcap ICMPv6 Control Message Types", "Netcap", kICMPv6ControlMessageTypeProperty,
     "network_check", "An ICMPv6 type and code (\"NeighborSolicitation\").",
     kNetcapICMPv6ControlMessageTypeProps},
    {kNetcapIGMPGroupRecordType, "Netcap IGMP Group Record Type", "Netcap IGMP Group Record Types",
     "Netcap", kIGMPGroupRecordTypeProperty, "group_work", "An IGMPv3 group record type.",
     kNetcapIGMPGroupRecordTypeProps},
    {kNetcapIGMPType, "Netcap IGMP Type", "Netcap IGMP Types", "Netcap", kIGMPTypeProperty,
     "group_work", "An IGMP message type.", kNetcapIGMPTypeProps},
    {kNetcapCompatIPAddr, "Netcap IP Address", "Netcap IP Addresses", "Netcap", "properties.ipaddr",
     "IPv4Address",
     "An IP address in a Go netcap graph (base maltego.IPv4Address: every IPv4 transform applies).",
     kNetcapCompatIPAddrProps, "maltego.IPv4Address", false},
    {kNetcapIPProtocol, "Netcap IP Protocol", "Netcap IP Protocols", "Netcap", kIPProtocolProperty,
     "device_hub", "A transport protocol of connections.", kIPProtocolProps},
    {kNetcapIPv6TrafficClass, "Netcap IPv6 Traffic Class", "Netcap IPv6 Traffic Classes", "Netcap",
     kIPv6TrafficClassProperty, "traffic", "An IPv6 traffic class: DSCP name and ECN codepoint.",
     kNetcapIPv6TrafficClassProps},
    {kNetcapCompatInternalDestinationIP, "Netcap Internal Destination IP",
     "Netcap Internal Destination IPs", "Netcap", "properties.internaldestinationip", "IPv4Address",
     "A private destination address in a Go netcap graph.", kNetcapCompatInternalDestinationIPProps,
     "netcap.IPAddr", false},
    {kNetcapCompatInternalIPProfile, "Netcap Internal IP Profile", "Netcap Internal IP Profiles",
     "Netcap", "properties.internalipprofile", "IPv4Address",
     "A private host profile in a Go netcap graph.", kNetcapCompatInternalIPProfileProps,
     "netcap.IPAddr", false},
    {kNetcapCompatInternalSourceIP, "Netcap Internal Source IP", "Netcap Internal Source IPs",
     "Netcap", "properties.internalsourceip", "IPv4Address",
     "A private source address in a Go netcap graph.", kNetcapCompatInternalSourceIPProps,
     "netcap.IPAddr", false},
    {kNetcapJA4, "Netcap JA4 Fingerprint", "Netcap JA4 Fingerprints", "Netcap", kJA4Property,
     "fingerprint", "A JA4 TLS client fingerprint (FoxIO).", kNetcapJA4Props},
    {kNetcapLinkType, "Netcap Link Type", "Netcap Link Types", "Netcap", kLinkTypeProperty,
     "settings_ethernet", "An ARP hardware (link) type.", kNetcapLinkTypeProps},
    {kNetcapCompatMD5Hash, "Netcap MD5 Hash", "Netcap MD5 Hashes", "Netcap", "properties.md5hash",
     "Hash", "An MD5 hash in a Go netcap graph.", kNetcapCompatMD5HashProps, "maltego.Hash", false},
    {kNetcapMail, "Netcap Mail", "Netcap Mails", "Netcap", kMailProperty, "email",
     "A mail message (SMTP, POP3, IMAP); value: its subject.", kNetcapMailProps},
    {kNetcapNTPReferenceID, "Netcap NTP Reference ID", "Netcap NTP Reference IDs", "Netcap",
     kNTPReferenceIDProperty, "schedule",
     "An NTP reference identifier (upstream server or clock source).", kNetcapNTPReferenceIDProps},
    {kNetcapCase, "Netcap Case", "Netcap Cases", "Netcap", kCaseProperty, "insert_drive_file",
     "A netcap case directory (holds index.db); value = the directory.", kCaseProps},
    {kNetcapPCAPSlice, "Netcap PCAP Slice", "Netcap PCAP Slices", "Netcap", kSlicePathProperty,
     "content_cut",
     "A pcap file cut from the case's captures (a flow, a host or a port); value = its path, "
     "to open in Wireshark.",
     kPCAPSliceProps},
    {kNetcapCompatPort, "Netcap Port", "Netcap Ports", "Netcap", "properties.port", "Port",
     "A port in a Go netcap graph.", kNetcapCompatPortProps, "maltego.Port", false},
    {kNetcapSIPCall, "Netcap SIP Call", "Netcap SIP Calls", "Netcap", kSIPCallProperty, "phone",
     "A SIP dialog by Call-ID.", kNetcapSIPCallProps},
    {kNetcapSIPMethod, "Netcap SIP Method", "Netcap SIP Methods", "Netcap", kSIPMethodProperty,
     "phone", "A SIP request method.", kNetcapSIPMethodProps},
    {kNetcapSMBFile, "Netcap SMB File", "Netcap SMB Files", "Netcap", kSMBFileProperty,
     "insert_drive_file", "A file opened over SMB2.", kNetcapSMBFileProps},
    {kNetcapSMBShare, "Netcap SMB Share", "Netcap SMB Shares", "Netcap", kSMBShareProperty,
     "folder_shared", "An SMB2 tree (share) path.", kNetcapSMBShareProps},
    {kNetcapSMTPCommandType, "Netcap SMTP Command Type", "Netcap SMTP Command Types", "Netcap",
     kSMTPCommandTypeProperty, "email", "An SMTP command verb.", kNetcapSMTPCommandTypeProps},
    {kNetcapSSHClient, "Netcap SSH Client", "Netcap SSH Clients", "Netcap", kSSHClientProperty,
     "computer", "An SSH client identification string (banner).", kNetcapSSHClientProps},
    {kNetcapSSHServer, "Netcap SSH Server", "Netcap SSH Servers", "Netcap", kSSHServerProperty,
     "storage", "An SSH server identification string (banner).", kNetcapSSHServerProps},
    {kNetcapServerName, "Netcap Server Name", "Netcap Server Names", "Netcap", kServerNameProperty,
     "dns", "An HTTP Server header value (server software).", kNetcapServerNameProps},
    {kNetcapService, "Netcap Service", "Netcap Services", "Netcap", kServiceProperty, "dns",
     "A service offered by a server (address:port/transport) with protocol, banner and product.",
     kNetcapServiceProps},
    {kNetcapSoftware, "Netcap Software", "Netcap Software", "Netcap", kSoftwareProperty, "apps",
     "Software seen on the wire (user agent, server banner, mailer): \"Product Version\".",
     kNetcapSoftwareProps},
    {kNetcapCompatSourcePort, "Netcap Source Port", "Netcap Source Ports", "Netcap",
     "properties.sourceport", "Port", "A source port in a Go netcap graph.",
     kNetcapCompatSourcePortProps, "maltego.Port", false},
    {kNetcapTCPFlag, "Netcap TCP Flag Combination", "Netcap TCP Flag Combinations", "Netcap",
     kTCPFlagProperty, "flag", "A combination of TCP header flags (\"SYN ACK\").",
     kNetcapTCPFlagProps},
    {kNetcapTLSCipherSuite, "Netcap TLS Cipher Suite", "Netcap TLS Cipher Suites", "Netcap",
     kTLSCipherSuiteProperty, "lock",
     "A cipher suite chosen by a TLS server (IANA code point, hex).", kNetcapTLSCipherSuiteProps},
    {kNetcapTLSClientHello, "Netcap TLS Client Hello (JA3)", "Netcap TLS Client Hellos (JA3)",
     "Netcap", kTLSClientHelloProperty, "fingerprint",
     "A TLS client fingerprint: the JA3 hash of Client Hellos (as in Go netcap).",
     kNetcapTLSClientHelloProps},
    {kNetcapTLSServerHello, "Netcap TLS Server Hello (JA3S)", "Netcap TLS Server Hellos (JA3S)",
     "Netcap", kTLSServerHelloProperty, "fingerprint",
     "A TLS server fingerprint: the JA3S hash of Server Hellos (as in Go netcap).",
     kNetcapTLSServerHelloProps},
    {kNetcapTLSVersion, "Netcap TLS Version", "Netcap TLS Versions", "Netcap", kTLSVersionProperty,
     "lock", "A negotiated TLS/SSL version.", kNetcapTLSVersionProps},
    {kNetcapCompatURL, "Netcap URL", "Netcap URLs", "Netcap", "properties.url", "URL",
     "A URL in a Go netcap graph.", kNetcapCompatURLProps, "maltego.URL", false},
    {kNetcapUserAgent, "Netcap User Agent", "Netcap User Agents", "Netcap", kUserAgentProperty,
     "web", "An HTTP or SIP User-Agent header value.", kNetcapUserAgentProps},
};

}  // namespace

std::span<const EntitySpec> entity_catalog() { return kCatalog; }

const EntitySpec* find_entity(std::string_view id) {
  auto it = std::find_if(std::begin(kCatalog), std::end(kCatalog),
                         [id](const EntitySpec& spec) { return spec.id == id; });
  return it == std::end(kCatalog) ? nullptr : &*it;
}

bool entity_is_a(std::string_view type, std::string_view declared) {
  // The catalog is finite and acyclic (checked by the tests); the bound guards a bad edit.
  for (int depth = 0; depth < 8; ++depth) {
    if (type == declared) return true;
    const EntitySpec* spec = find_entity(type);
    if (spec == nullptr || spec->base.empty()) return false;
    type = spec->base;
  }
  return false;
}

}  // namespace netcap::entities
