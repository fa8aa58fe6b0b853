// Kerberos transforms (AS/TGS requests: who asked for which principal, KDC errors such as
// pre-authentication failures of password spraying) and SQL server transforms: MySQL and
// PostgreSQL logins and server versions, PostgreSQL query texts.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kRequests{"request", "requests"};
constexpr CountLabel kHosts{"host", "hosts"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kErrors{"error", "errors"};
constexpr CountLabel kConnections{"connection", "connections"};
constexpr CountLabel kServers{"server", "servers"};
constexpr CountLabel kTimes{"time", "times"};

// Kerberos request rows (AS-REQ 10, TGS-REQ 12) naming a client principal "name@REALM".
#define NETCAP_KRB_CLIENT "ClientName || '@' || ClientRealm"
#define NETCAP_KRB_SERVICE "ServerName || '@' || ServerRealm"

constexpr QueryTransform kKerberosSqlTransforms[] = {
    // --- Kerberos ---
    {.name = "ToKerberosClientPrincipals",
     .display = "To Kerberos Client Principals",
     .description = "Client principals (user@REALM) of Kerberos AS and TGS requests, with "
                    "requests and hosts",
     .tables = {"Kerberos"},
     .sql = "SELECT " NETCAP_KRB_CLIENT " AS p, COUNT(*), COUNT(DISTINCT SrcIP) FROM Kerberos"
            " WHERE MsgType IN (10, 12) AND ClientName <> '' GROUP BY p ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kRequests, kHosts}},
    {.name = "ToKerberosClientPrincipalsForHost",
     .display = "To Kerberos Client Principals For Host",
     .description = "Client principals this host asked the KDC for tickets as, with requests",
     .input = QueryInput::kIP,
     .tables = {"Kerberos"},
     .sql = "SELECT " NETCAP_KRB_CLIENT " AS p, COUNT(*) FROM Kerberos"
            " WHERE SrcIP = ?1 AND MsgType IN (10, 12) AND ClientName <> ''"
            " GROUP BY p ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kRequests}},
    {.name = "ToKerberosServicePrincipals",
     .display = "To Kerberos Service Principals",
     .description = "Service principals (SPNs) requested in TGS requests, with requests and "
                    "clients: the tickets a kerberoasting client collects",
     .tables = {"Kerberos"},
     .sql = "SELECT " NETCAP_KRB_SERVICE " AS p, COUNT(*), COUNT(DISTINCT SrcIP) FROM Kerberos"
            " WHERE MsgType = 12 AND ServerName <> '' GROUP BY p ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kRequests, kClients}},
    {.name = "ToHostsForKerberosPrincipal",
     .display = "To Hosts For Kerberos Principal",
     .description = "Hosts that requested tickets as this client principal or for this service "
                    "principal, with requests",
     .input = QueryInput::kEntity,
     .input_entity = e::kAlias,
     .input_properties = {e::kAliasProperty},
     .tables = {"Kerberos"},
     .sql = "SELECT SrcIP, COUNT(*) FROM Kerberos WHERE MsgType IN (10, 12)"
            " AND (" NETCAP_KRB_CLIENT " = ?1 OR " NETCAP_KRB_SERVICE " = ?1)"
            " GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kRequests}},
    {.name = "ToKerberosErrors",
     .display = "To Kerberos Errors",
     .description = "KRB-ERROR codes the KDC answered (KDC_ERR_PREAUTH_FAILED: wrong "
                    "passwords), with errors and clients",
     .tables = {"Kerberos"},
     .sql = "SELECT ErrorName, COUNT(*), COUNT(DISTINCT DstIP) FROM Kerberos"
            " WHERE MsgType = 30 AND ErrorName <> '' GROUP BY ErrorName ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kErrors, kClients}},
    // --- MySQL ---
    {.name = "ToMySQLUsers",
     .display = "To MySQL Users",
     .description = "Accounts MySQL/MariaDB clients logged in with, with connections and clients",
     .tables = {"MySQL"},
     .sql = "SELECT User, COUNT(*), COUNT(DISTINCT ClientIP) FROM MySQL WHERE User <> ''"
            " GROUP BY User ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kConnections, kClients}},
    {.name = "ToMySQLServerVersions",
     .display = "To MySQL Server Versions",
     .description = "Server versions MySQL/MariaDB servers greeted with, with connections and "
                    "servers",
     .tables = {"MySQL"},
     .sql = "SELECT ServerVersion, COUNT(*), COUNT(DISTINCT ServerIP) FROM MySQL"
            " WHERE ServerVersion <> '' GROUP BY ServerVersion ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kConnections, kServers}},
    {.name = "ToMySQLQueries",
     .display = "To MySQL Queries",
     .description = "SQL texts sent to MySQL/MariaDB servers after the login (queries, prepared "
                    "statements, USE; the first 64 per connection), with times sent and clients",
     .tables = {"MySQL"},
     .sql = "SELECT q.value, COUNT(*), COUNT(DISTINCT m.ClientIP) FROM MySQL AS m,"
            " json_each(m.Queries) AS q WHERE q.value <> '' GROUP BY q.value"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kTimes, kClients}},
    // --- PostgreSQL ---
    {.name = "ToPostgreSQLUsers",
     .display = "To PostgreSQL Users",
     .description = "Roles PostgreSQL clients started sessions as, with connections and clients",
     .tables = {"PostgreSQL"},
     .sql = "SELECT User, COUNT(*), COUNT(DISTINCT ClientIP) FROM PostgreSQL WHERE User <> ''"
            " GROUP BY User ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kConnections, kClients}},
    {.name = "ToPostgreSQLServerVersions",
     .display = "To PostgreSQL Server Versions",
     .description = "Server versions PostgreSQL servers reported, with connections and servers",
     .tables = {"PostgreSQL"},
     .sql = "SELECT ServerVersion, COUNT(*), COUNT(DISTINCT ServerIP) FROM PostgreSQL"
            " WHERE ServerVersion <> '' GROUP BY ServerVersion ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kConnections, kServers}},
    {.name = "ToPostgreSQLQueries",
     .display = "To PostgreSQL Queries",
     .description = "SQL texts sent to PostgreSQL servers (simple and extended queries, the "
                    "first 64 per connection), with times sent and clients",
     .tables = {"PostgreSQL"},
     .sql = "SELECT q.value, COUNT(*), COUNT(DISTINCT p.ClientIP) FROM PostgreSQL AS p,"
            " json_each(p.Queries) AS q WHERE q.value <> '' GROUP BY q.value"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kTimes, kClients}},
};

#undef NETCAP_KRB_CLIENT
#undef NETCAP_KRB_SERVICE

}  // namespace

Status register_kerberos_sql_transforms(TransformRegistry& registry) {
  return register_query_transforms<kKerberosSqlTransforms>(registry);
}

}  // namespace netcap::catalog
