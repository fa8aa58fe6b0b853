// TLS transforms over TLSClientHello (SrcIP = client), TLSServerHello (SrcIP = server) and
// TLSCertificate (SrcIP = sender, normally the server). JA3/JA3S hashes are the values of
// netcap.TLSClientHello / netcap.TLSServerHello as in Go netcap.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

// Columns 1.. of a certificate row: handshakes, senders, then the X509Certificate properties.
#define NETCAP_CERT_COLUMNS                                                                \
  " COUNT(*), COUNT(DISTINCT SrcIP), Subject, Issuer, SerialNumber,"                       \
  " (SELECT group_concat(n.value, ', ') FROM json_each(TLSCertificate.DNSNames) AS n),"    \
  " CASE WHEN NotBefore <> 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ', NotBefore / 1000000000,"  \
  " 'unixepoch') ELSE '' END, CASE WHEN NotAfter <> 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ'," \
  " NotAfter / 1000000000, 'unixepoch') ELSE '' END, SHA256 "
#define NETCAP_CERT_VALUE " CASE WHEN SubjectCN <> '' THEN SubjectCN ELSE Subject END "
// TLS version names (RFC 8446 §4.2.1 code points); unknown ones in hex.
#define NETCAP_TLS_VERSION                                                                 \
  " CASE NegotiatedVersion WHEN 772 THEN 'TLS 1.3' WHEN 771 THEN 'TLS 1.2' WHEN 770 THEN " \
  "'TLS 1.1' WHEN 769 THEN 'TLS 1.0' WHEN 768 THEN 'SSL 3.0' ELSE printf('0x%04X', "       \
  "NegotiatedVersion) END "

constexpr CountLabel kHellos{"hello", "hellos"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kServers{"server", "servers"};
constexpr CountLabel kHandshakes{"handshake", "handshakes"};
constexpr CountLabel kSenders{"sender", "senders"};

constexpr QueryTransform kTlsTransforms[] = {
    // --- JA3 / JA3S / JA4 ---
    {.name = "ToJA3Hashes",
     .display = "To JA3 Hashes",
     .description = "JA3 client fingerprints in the case, by number of clients, with hellos",
     .tables = {"TLSClientHello"},
     .sql = "SELECT JA3Hash, COUNT(*), COUNT(DISTINCT SrcIP), MIN(JA3) FROM TLSClientHello"
            " WHERE JA3Hash <> '' GROUP BY JA3Hash ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapTLSClientHello,
     .value_property = e::kTLSClientHelloProperty,
     .counts = {kHellos, kClients},
     .extra = {"properties.ja3"}},
    {.name = "ToJA3HashesForProfile",
     .display = "To JA3 Hashes For Host",
     .description = "JA3 fingerprints of the Client Hellos this host sent, with hellos",
     .input = QueryInput::kIP,
     .tables = {"TLSClientHello"},
     .sql = "SELECT JA3Hash, COUNT(*), MIN(JA3) FROM TLSClientHello"
            " WHERE SrcIP = ?1 AND JA3Hash <> '' GROUP BY JA3Hash ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapTLSClientHello,
     .value_property = e::kTLSClientHelloProperty,
     .counts = {kHellos},
     .extra = {"properties.ja3"}},
    {.name = "ToClientsForJA3",
     .display = "To Clients For JA3",
     .description = "Hosts that sent Client Hellos with this JA3 hash, with hellos",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapTLSClientHello,
     .input_properties = {e::kTLSClientHelloProperty},
     .tables = {"TLSClientHello"},
     .sql = "SELECT SrcIP, COUNT(*) FROM TLSClientHello WHERE JA3Hash = ?1"
            " GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kHellos}},
    {.name = "ToSNIsForJA3",
     .display = "To SNIs For JA3",
     .description = "Server names requested by Client Hellos with this JA3 hash, with hellos",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapTLSClientHello,
     .input_properties = {e::kTLSClientHelloProperty},
     .tables = {"TLSClientHello"},
     .sql = "SELECT SNI, COUNT(*) FROM TLSClientHello WHERE JA3Hash = ?1 AND SNI <> ''"
            " GROUP BY SNI ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kHellos}},
    {.name = "ToJA3SHashes",
     .display = "To JA3S Hashes",
     .description = "JA3S server fingerprints in the case, by number of servers, with hellos",
     .tables = {"TLSServerHello"},
     .sql = "SELECT JA3SHash, COUNT(*), COUNT(DISTINCT SrcIP), MIN(JA3S) FROM TLSServerHello"
            " WHERE JA3SHash <> '' GROUP BY JA3SHash ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapTLSServerHello,
     .value_property = e::kTLSServerHelloProperty,
     .counts = {kHellos, kServers},
     .extra = {"properties.ja3s"}},
    {.name = "ToJA3SHashesForHost",
     .display = "To JA3S Hashes For Host",
     .description = "JA3S fingerprints of the Server Hellos this host sent, with hellos",
     .input = QueryInput::kIP,
     .tables = {"TLSServerHello"},
     .sql = "SELECT JA3SHash, COUNT(*), MIN(JA3S) FROM TLSServerHello"
            " WHERE SrcIP = ?1 AND JA3SHash <> '' GROUP BY JA3SHash ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapTLSServerHello,
     .value_property = e::kTLSServerHelloProperty,
     .counts = {kHellos},
     .extra = {"properties.ja3s"}},
    {.name = "ToServersForJA3S",
     .display = "To Servers For JA3S",
     .description = "Hosts that sent Server Hellos with this JA3S hash, with hellos",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapTLSServerHello,
     .input_properties = {e::kTLSServerHelloProperty},
     .tables = {"TLSServerHello"},
     .sql = "SELECT SrcIP, COUNT(*) FROM TLSServerHello WHERE JA3SHash = ?1"
            " GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kHellos}},
    {.name = "ToJA4Fingerprints",
     .display = "To JA4 Fingerprints",
     .description = "JA4 client fingerprints in the case, by number of clients, with hellos",
     .tables = {"TLSClientHello"},
     .sql = "SELECT JA4, COUNT(*), COUNT(DISTINCT SrcIP) FROM TLSClientHello WHERE JA4 <> ''"
            " GROUP BY JA4 ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapJA4,
     .value_property = e::kJA4Property,
     .counts = {kHellos, kClients}},
    {.name = "ToJA4FingerprintsForHost",
     .display = "To JA4 Fingerprints For Host",
     .description = "JA4 fingerprints of the Client Hellos this host sent, with hellos",
     .input = QueryInput::kIP,
     .tables = {"TLSClientHello"},
     .sql = "SELECT JA4, COUNT(*) FROM TLSClientHello WHERE SrcIP = ?1 AND JA4 <> ''"
            " GROUP BY JA4 ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapJA4,
     .value_property = e::kJA4Property,
     .counts = {kHellos}},
    {.name = "ToClientsForJA4",
     .display = "To Clients For JA4",
     .description = "Hosts that sent Client Hellos with this JA4 fingerprint, with hellos",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapJA4,
     .input_properties = {e::kJA4Property},
     .tables = {"TLSClientHello"},
     .sql = "SELECT SrcIP, COUNT(*) FROM TLSClientHello WHERE JA4 = ?1"
            " GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kHellos}},
    // --- server names (SNI) ---
    {.name = "ToSNIs",
     .display = "To SNIs",
     .description = "TLS server names (SNI) requested in the case, with hellos and clients",
     .tables = {"TLSClientHello"},
     .sql = "SELECT SNI, COUNT(*), COUNT(DISTINCT SrcIP) FROM TLSClientHello WHERE SNI <> ''"
            " GROUP BY SNI ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kHellos, kClients}},
    {.name = "ToServerNameIndicators",
     .display = "To Server Name Indicators",
     .description = "TLS server names (SNI) this host requested, with hellos",
     .input = QueryInput::kIP,
     .tables = {"TLSClientHello"},
     .sql = "SELECT SNI, COUNT(*) FROM TLSClientHello WHERE SrcIP = ?1 AND SNI <> ''"
            " GROUP BY SNI ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kHellos}},
    {.name = "ToClientsForSNI",
     .display = "To Clients For SNI",
     .description = "Hosts that requested this TLS server name, with hellos",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"TLSClientHello"},
     .sql = "SELECT SrcIP, COUNT(*) FROM TLSClientHello WHERE SNI = ?1"
            " GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kHellos}},
    {.name = "ToServersForSNI",
     .display = "To Servers For SNI",
     .description = "Servers Client Hellos for this TLS server name were sent to, with hellos",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"TLSClientHello"},
     .sql = "SELECT DstIP, COUNT(*) FROM TLSClientHello WHERE SNI = ?1"
            " GROUP BY DstIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kHellos}},
    {.name = "ToJA3HashesForSNI",
     .display = "To JA3 Hashes For SNI",
     .description = "JA3 fingerprints of Client Hellos for this server name, with clients",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"TLSClientHello"},
     .sql = "SELECT JA3Hash, COUNT(*), COUNT(DISTINCT SrcIP), MIN(JA3) FROM TLSClientHello"
            " WHERE SNI = ?1 AND JA3Hash <> '' GROUP BY JA3Hash ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapTLSClientHello,
     .value_property = e::kTLSClientHelloProperty,
     .counts = {kHellos, kClients},
     .extra = {"properties.ja3"}},
    // --- certificates ---
    {.name = "ToTLSCertificates",
     .display = "To TLS Certificates",
     .description = "Certificates sent in TLS handshakes (one per SHA-256), with handshakes and "
                    "senders",
     .tables = {"TLSCertificate"},
     .sql = "SELECT" NETCAP_CERT_VALUE "AS cn," NETCAP_CERT_COLUMNS
            "FROM TLSCertificate WHERE SHA256 <> '' GROUP BY SHA256"
            " ORDER BY 2 DESC, 1 ASC, SHA256 ASC",
     .output = e::kX509Certificate,
     .value_property = e::kCertificateProperty,
     .counts = {kHandshakes, kSenders},
     .extra = {"subjectDN", "issuer", "serial", "san", "validFrom", "validTo",
               "properties.sha256"}},
    {.name = "ToCertificatesForHost",
     .display = "To TLS Certificates For Host",
     .description = "Certificates this host sent (as server or client), with handshakes",
     .input = QueryInput::kIP,
     .tables = {"TLSCertificate"},
     .sql = "SELECT" NETCAP_CERT_VALUE "AS cn," NETCAP_CERT_COLUMNS
            "FROM TLSCertificate WHERE SrcIP = ?1 AND SHA256 <> '' GROUP BY SHA256"
            " ORDER BY 2 DESC, 1 ASC, SHA256 ASC",
     .output = e::kX509Certificate,
     .value_property = e::kCertificateProperty,
     .counts = {kHandshakes, kSenders},
     .extra = {"subjectDN", "issuer", "serial", "san", "validFrom", "validTo",
               "properties.sha256"}},
    {.name = "ToCertificateDNSNames",
     .display = "To Certificate DNS Names",
     .description = "DNS names (subjectAltName) of the certificates with this subject",
     .input = QueryInput::kEntity,
     .input_entity = e::kX509Certificate,
     .input_properties = {e::kCertificateProperty, "subjectDN"},
     .tables = {"TLSCertificate"},
     .sql = "SELECT n.value AS dns, COUNT(*) FROM TLSCertificate,"
            " json_each(TLSCertificate.DNSNames) AS n"
            " WHERE (" NETCAP_CERT_VALUE "= ?1 OR Subject = ?1) AND dns <> ''"
            " GROUP BY dns ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kHandshakes}},
    {.name = "ToServersForCertificate",
     .display = "To Servers For Certificate",
     .description = "Hosts that sent a certificate with this subject, with handshakes",
     .input = QueryInput::kEntity,
     .input_entity = e::kX509Certificate,
     .input_properties = {e::kCertificateProperty, "subjectDN"},
     .tables = {"TLSCertificate"},
     .sql = "SELECT SrcIP, COUNT(*) FROM TLSCertificate"
            " WHERE (" NETCAP_CERT_VALUE "= ?1 OR Subject = ?1)"
            " GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kHandshakes}},
    // --- versions, cipher suites ---
    {.name = "ToTLSVersions",
     .display = "To TLS Versions",
     .description = "Negotiated TLS versions (Server Hello), with handshakes and servers",
     .tables = {"TLSServerHello"},
     .sql = "SELECT" NETCAP_TLS_VERSION "AS tls_version, COUNT(*), COUNT(DISTINCT SrcIP)"
            " FROM TLSServerHello WHERE IsHelloRetryRequest = 0 GROUP BY 1"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapTLSVersion,
     .value_property = e::kTLSVersionProperty,
     .counts = {kHandshakes, kServers}},
    {.name = "ToTLSCipherSuites",
     .display = "To TLS Cipher Suites",
     .description = "Cipher suites chosen by servers (hex code points), with handshakes and "
                    "servers",
     .tables = {"TLSServerHello"},
     .sql = "SELECT printf('0x%04X', CipherSuite) AS suite, COUNT(*), COUNT(DISTINCT SrcIP)"
            " FROM TLSServerHello WHERE IsHelloRetryRequest = 0 GROUP BY suite"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapTLSCipherSuite,
     .value_property = e::kTLSCipherSuiteProperty,
     .counts = {kHandshakes, kServers}},
};

#undef NETCAP_CERT_COLUMNS
#undef NETCAP_CERT_VALUE
#undef NETCAP_TLS_VERSION

}  // namespace

Status register_tls_transforms(TransformRegistry& registry) {
  return register_query_transforms<kTlsTransforms>(registry);
}

}  // namespace netcap::catalog
