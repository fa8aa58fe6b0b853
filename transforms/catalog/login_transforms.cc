// Logins and clear-text sessions: FTP (commands, users, transferred files), Telnet (users,
// typed commands) and netcap.Credentials gathered from every table that records a user name
// (FTP, Telnet, SMTP/POP3/IMAP AUTH, SMB NTLM, SIP digest, MySQL, PostgreSQL, Kerberos AS-REQ).
// Tables that are absent are left out of the union.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kRecords{"record", "records"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kCommands{"command", "commands"};
constexpr CountLabel kSessions{"session", "sessions"};
constexpr CountLabel kTransfers{"transfer", "transfers"};
constexpr CountLabel kBytes{"byte", "bytes"};

// (service, user, password, client) rows, one per table that has them.
constexpr std::array<UnionSource, kMaxUnionSources> kLoginSources = {{
    {"FTP",
     "SELECT 'ftp' AS service, User AS user, Password AS password, ClientIP AS client FROM FTP"
     " WHERE Command = 'PASS' AND User <> ''"},
    {"Telnet", "SELECT 'telnet', Username, Password, ClientIP FROM Telnet WHERE Username <> ''"},
    {"SMTPCommand", "SELECT 'smtp', AuthUser, '', ClientIP FROM SMTPCommand WHERE AuthUser <> ''"},
    {"POP3Command", "SELECT 'pop3', AuthUser, '', ClientIP FROM POP3Command WHERE AuthUser <> ''"},
    {"IMAPCommand", "SELECT 'imap', AuthUser, '', ClientIP FROM IMAPCommand WHERE AuthUser <> ''"},
    {"SMB2SessionSetup",
     "SELECT 'smb', CASE WHEN Domain <> '' THEN Domain || '\\' || User ELSE User END, '',"
     " ClientIP FROM SMB2SessionSetup WHERE User <> ''"},
    {"SIP",
     "SELECT 'sip', json_extract(Authorization, '$.Username'), '', SrcIP FROM SIP"
     " WHERE HasAuthorization = 1 AND json_extract(Authorization, '$.Username') <> ''"},
    {"MySQL", "SELECT 'mysql', User, '', ClientIP FROM MySQL WHERE User <> ''"},
    {"PostgreSQL", "SELECT 'postgres', User, '', ClientIP FROM PostgreSQL WHERE User <> ''"},
    {"Kerberos",
     "SELECT 'kerberos', ClientName || '@' || ClientRealm, '', SrcIP FROM Kerberos"
     " WHERE MsgType = 10 AND ClientName <> ''"},
}};

// Credentials rows: value "<service>: <user>", records, clients, then service, user, password.
#define NETCAP_LOGIN_ROWS(where)                                                     \
  "SELECT service || ': ' || user, COUNT(*), COUNT(DISTINCT client), service, user," \
  " MAX(password) FROM ({sources}) " where " GROUP BY service, user ORDER BY 2 DESC, 1 ASC"

constexpr std::array<std::string_view, 8> kCredentialsExtra = {
    "properties.service", "properties.user", "properties.password"};

constexpr QueryTransform kLoginTransforms[] = {
    {.name = "ToLoginInformation",
     .display = "To Login Information",
     .description = "User names (and clear-text passwords) seen in FTP, Telnet, mail AUTH, SMB, "
                    "SIP, MySQL, PostgreSQL and Kerberos logins, with records and clients",
     .sql = NETCAP_LOGIN_ROWS(""),
     .sources = kLoginSources,
     .output = e::kNetcapCredentials,
     .value_property = e::kCredentialsProperty,
     .counts = {kRecords, kClients},
     .extra = kCredentialsExtra},
    {.name = "ToLoginInformationForHost",
     .display = "To Login Information For Host",
     .description = "Logins (user names, clear-text passwords) this host sent",
     .input = QueryInput::kIP,
     .sql = NETCAP_LOGIN_ROWS("WHERE client = ?1"),
     .sources = kLoginSources,
     .output = e::kNetcapCredentials,
     .value_property = e::kCredentialsProperty,
     .counts = {kRecords, kClients},
     .extra = kCredentialsExtra},
    {.name = "ToClientsForCredentials",
     .display = "To Clients For Credentials",
     .description = "Hosts that logged in with these credentials (service and user)",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapCredentials,
     .input_properties = {e::kCredentialsProperty},
     .sql = "SELECT client, COUNT(*) FROM ({sources}) WHERE service || ': ' || user = ?1"
            " GROUP BY client ORDER BY 2 DESC, 1 ASC",
     .sources = kLoginSources,
     .output = kIPOutput,
     .counts = {kRecords}},
    {.name = "ToClientsForUser",
     .display = "To Clients For User",
     .description = "Hosts that logged in with this user name (any service)",
     .input = QueryInput::kEntity,
     .input_entity = e::kAlias,
     .input_properties = {e::kAliasProperty},
     .sql = "SELECT client, COUNT(*) FROM ({sources}) WHERE user = ?1"
            " GROUP BY client ORDER BY 2 DESC, 1 ASC",
     .sources = kLoginSources,
     .output = kIPOutput,
     .counts = {kRecords}},
    // --- FTP ---
    {.name = "ToFTPUsers",
     .display = "To FTP Users",
     .description = "User names given in FTP USER commands, with commands and clients",
     .tables = {"FTP"},
     .sql = "SELECT User, COUNT(*), COUNT(DISTINCT ClientIP) FROM FTP"
            " WHERE Command = 'USER' AND User <> '' GROUP BY User ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kCommands, kClients}},
    {.name = "ToFTPCommands",
     .display = "To FTP Commands",
     .description = "FTP command verbs, with commands and clients",
     .tables = {"FTP"},
     .sql = "SELECT Command, COUNT(*), COUNT(DISTINCT ClientIP) FROM FTP WHERE Command <> ''"
            " GROUP BY Command ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapFTPCommand,
     .value_property = e::kFTPCommandProperty,
     .counts = {kCommands, kClients}},
    {.name = "ToFTPFiles",
     .display = "To FTP Files",
     .description = "Files transferred over FTP data connections, with transfers and bytes",
     .tables = {"FTPData"},
     .sql = "SELECT FileName, COUNT(*), SUM(Bytes), SUM(Bytes) FROM FTPData WHERE FileName <> ''"
            " GROUP BY FileName ORDER BY 2 DESC, 1 ASC",
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kTransfers, kBytes},
     .extra = {"properties.size"}},
    {.name = "ToFTPFilesForHost",
     .display = "To FTP Files For Host",
     .description = "Files this host transferred over FTP (either side), with transfers and bytes",
     .input = QueryInput::kIP,
     .tables = {"FTPData"},
     .sql = "SELECT FileName, COUNT(*), SUM(Bytes), SUM(Bytes) FROM FTPData"
            " WHERE (ClientIP = ?1 OR ServerIP = ?1) AND FileName <> ''"
            " GROUP BY FileName ORDER BY 2 DESC, 1 ASC",
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kTransfers, kBytes},
     .extra = {"properties.size"}},
    // --- Telnet ---
    {.name = "ToTelnetUsers",
     .display = "To Telnet Users",
     .description = "User names typed at Telnet login prompts, with sessions and clients",
     .tables = {"Telnet"},
     .sql = "SELECT Username, COUNT(*), COUNT(DISTINCT ClientIP) FROM Telnet"
            " WHERE Username <> '' GROUP BY Username ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kSessions, kClients}},
    {.name = "ToTelnetCommands",
     .display = "To Telnet Commands",
     .description = "Command lines typed in Telnet sessions after login, with sessions",
     .tables = {"Telnet"},
     .sql = "SELECT c.value AS line, COUNT(DISTINCT Telnet.id) FROM Telnet, "
            "json_each(Telnet.Commands) AS c"
            " WHERE line <> '' GROUP BY line ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kSessions}},
    {.name = "ToTelnetCommandsForHost",
     .display = "To Telnet Commands For Host",
     .description = "Command lines this host typed in Telnet sessions",
     .input = QueryInput::kIP,
     .tables = {"Telnet"},
     .sql = "SELECT c.value AS line, COUNT(DISTINCT Telnet.id) FROM Telnet, "
            "json_each(Telnet.Commands) AS c"
            " WHERE Telnet.ClientIP = ?1 AND line <> '' GROUP BY line ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kSessions}},
};

#undef NETCAP_LOGIN_ROWS

}  // namespace

Status register_login_transforms(TransformRegistry& registry) {
  return register_query_transforms<kLoginTransforms>(registry);
}

}  // namespace netcap::catalog
