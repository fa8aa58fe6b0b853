// Credentials records (proto/credentials.proto): every login attempt the application sessions
// saw, with cleartext secrets, crackable hashes (hashcat lines) and the server's answer.
//
// login_transforms.cc keeps the ToLoginInformation* family: a union over the per-protocol tables
// that carry a user name (FTP, Telnet, mail AUTH, SMB2, SIP), which also answers for cases indexed
// before Credentials records existed. The transforms here read the Credentials table only (it
// also has HTTP Basic/Digest/NTLM/form logins, hashes and results) and output the same
// netcap.Credentials entity ("<service>: <user>"), so ToClientsForCredentials applies to both.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kAttempts{"attempt", "attempts"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kAccepted{"accepted", "accepted"};

// Rows: value, attempts, clients, accepted, then service, user, password, hash, method, mode,
// result (the most telling: accepted over rejected over unknown).
#define NETCAP_CREDENTIAL_ROWS(where)                                                         \
  "SELECT Service || ': ' || CASE WHEN Domain <> '' THEN Domain || '\\' ELSE '' END || User," \
  " COUNT(*), COUNT(DISTINCT ClientIP), SUM(Result = 'accepted'), Service, User,"             \
  " MAX(Secret), MAX(Hash), group_concat(DISTINCT Method), MAX(HashcatMode),"                 \
  " CASE WHEN SUM(Result = 'accepted') > 0 THEN 'accepted' WHEN SUM(Result = 'rejected') > 0" \
  " THEN 'rejected' ELSE '' END FROM Credentials " where                                      \
  " GROUP BY 1, Service, User ORDER BY 2 DESC, 1 ASC"

constexpr std::array<std::string_view, 8> kCredentialExtra = {
    "properties.service", "properties.user",        "properties.password", "properties.hash",
    "properties.method",  "properties.hashcatmode", "properties.result"};

// A netcap.Service value: "IP:port/transport", IPv6 in brackets (profile_transforms.cc).
#define NETCAP_CREDENTIAL_SERVICE_MATCH                                                     \
  "(CASE WHEN instr(ServerIP, ':') > 0 THEN '[' || ServerIP || ']' ELSE ServerIP END ||"    \
  " ':' || ServerPort || '/' || CASE WHEN Service = 'sip' THEN 'udp' ELSE 'tcp' END = ?1"   \
  " OR CASE WHEN instr(ServerIP, ':') > 0 THEN '[' || ServerIP || ']' ELSE ServerIP END ||" \
  " ':' || ServerPort || '/tcp' = ?1)"

constexpr QueryTransform kCredentialTransforms[] = {
    {.name = "ToCredentials",
     .display = "To Credentials",
     .description = "Logins seen in the case (HTTP, FTP, mail, Telnet, SIP, SMB), with attempts, "
                    "clients, cleartext secret or crackable hash and the server's answer",
     .tables = {"Credentials"},
     .sql = NETCAP_CREDENTIAL_ROWS(""),
     .output = e::kNetcapCredentials,
     .value_property = e::kCredentialsProperty,
     .counts = {kAttempts, kClients, kAccepted},
     .extra = kCredentialExtra},
    {.name = "ToCredentialsForHost",
     .display = "To Credentials For Host",
     .description = "Logins this host sent as a client",
     .input = QueryInput::kIP,
     .tables = {"Credentials"},
     .sql = NETCAP_CREDENTIAL_ROWS("WHERE ClientIP = ?1"),
     .output = e::kNetcapCredentials,
     .value_property = e::kCredentialsProperty,
     .counts = {kAttempts, kClients, kAccepted},
     .extra = kCredentialExtra},
    {.name = "ToCredentialsForServer",
     .display = "To Credentials For Server",
     .description = "Logins sent to this host as a server",
     .input = QueryInput::kIP,
     .tables = {"Credentials"},
     .sql = NETCAP_CREDENTIAL_ROWS("WHERE ServerIP = ?1"),
     .output = e::kNetcapCredentials,
     .value_property = e::kCredentialsProperty,
     .counts = {kAttempts, kClients, kAccepted},
     .extra = kCredentialExtra},
    {.name = "ToCredentialsForService",
     .display = "To Credentials For Service",
     .description = "Logins sent to this service (server address, port and transport)",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapService,
     .input_properties = {e::kServiceProperty},
     .tables = {"Credentials"},
     .sql = NETCAP_CREDENTIAL_ROWS("WHERE " NETCAP_CREDENTIAL_SERVICE_MATCH),
     .output = e::kNetcapCredentials,
     .value_property = e::kCredentialsProperty,
     .counts = {kAttempts, kClients, kAccepted},
     .extra = kCredentialExtra},
    {.name = "ToCredentialsForUser",
     .display = "To Credentials For User",
     .description = "Logins with this user name, on any service",
     .input = QueryInput::kEntity,
     .input_entity = e::kAlias,
     .input_properties = {e::kAliasProperty},
     .tables = {"Credentials"},
     .sql = NETCAP_CREDENTIAL_ROWS("WHERE User = ?1"),
     .output = e::kNetcapCredentials,
     .value_property = e::kCredentialsProperty,
     .counts = {kAttempts, kClients, kAccepted},
     .extra = kCredentialExtra},
    {.name = "ToCredentialUsers",
     .display = "To Credential Users",
     .description = "User names of the logins in the case, with attempts and clients",
     .tables = {"Credentials"},
     .sql = "SELECT User, COUNT(*), COUNT(DISTINCT ClientIP) FROM Credentials WHERE User <> ''"
            " GROUP BY User ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kAttempts, kClients}},
    {.name = "ToCredentialSecrets",
     .display = "To Credential Secrets",
     .description = "Passwords sent in clear, with attempts and the users they were sent for",
     .tables = {"Credentials"},
     .sql = "SELECT Secret, COUNT(*), COUNT(DISTINCT User) FROM Credentials WHERE Secret <> ''"
            " GROUP BY Secret ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kAttempts, {"user", "users"}}},
    {.name = "ToCredentialHashes",
     .display = "To Credential Hashes",
     .description = "Crackable challenge responses (hashcat input lines) with their hashcat mode "
                    "and user",
     .tables = {"Credentials"},
     .sql = "SELECT Hash, COUNT(*), MAX(HashcatMode), MAX(User), MAX(Method) FROM Credentials"
            " WHERE Hash <> '' GROUP BY Hash ORDER BY 2 DESC, 1 ASC",
     .output = e::kHash,
     .value_property = e::kHashProperty,
     .counts = {kAttempts},
     .extra = {"properties.hashcatmode", "properties.user", "properties.method"}},
};

#undef NETCAP_CREDENTIAL_ROWS
#undef NETCAP_CREDENTIAL_SERVICE_MATCH

}  // namespace

Status register_credential_transforms(TransformRegistry& registry) {
  return register_query_transforms<kCredentialTransforms>(registry);
}

}  // namespace netcap::catalog
