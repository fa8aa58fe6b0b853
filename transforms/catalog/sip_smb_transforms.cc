// SIP transforms (one SIP record per message; From/To as JSON name-addr objects) and SMB
// transforms (SMB1 and SMB2/3 share the SMB2* tables) (TREE_CONNECT shares, files opened with their
// byte counts).
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kSetups{"setup", "setups"};
constexpr CountLabel kMessages{"message", "messages"};
constexpr CountLabel kRequests{"request", "requests"};
constexpr CountLabel kHosts{"host", "hosts"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kConnects{"connect", "connects"};
constexpr CountLabel kOpens{"open", "opens"};
constexpr CountLabel kBytes{"byte", "bytes"};

// SMBFile rows: name, opens, bytes read + written, share, bytes read, bytes written.
#define NETCAP_SMB_FILE_ROWS(where)                                                       \
  "SELECT FileName, COUNT(*), SUM(BytesRead + BytesWritten), MIN(Share), SUM(BytesRead)," \
  " SUM(BytesWritten) FROM SMB2File WHERE FileName <> '' " where                          \
  " GROUP BY FileName ORDER BY 2 DESC, 1 ASC"

constexpr QueryTransform kSipSmbTransforms[] = {
    // --- SIP ---
    {.name = "ToSIPCalls",
     .display = "To SIP Calls",
     .description = "SIP dialogs by Call-ID, with messages and the From/To URIs",
     .tables = {"SIP"},
     .sql = "SELECT CallID, COUNT(*), MIN(json_extract(\"From\", '$.URI')),"
            " MIN(json_extract(\"To\", '$.URI')) FROM SIP WHERE CallID <> ''"
            " GROUP BY CallID ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSIPCall,
     .value_property = e::kSIPCallProperty,
     .counts = {kMessages},
     .extra = {"properties.from", "properties.to"}},
    {.name = "ToSIPCallsForHost",
     .display = "To SIP Calls For Host",
     .description = "SIP dialogs this host took part in (either side), with messages",
     .input = QueryInput::kIP,
     .tables = {"SIP"},
     .sql = "SELECT CallID, COUNT(*), MIN(json_extract(\"From\", '$.URI')),"
            " MIN(json_extract(\"To\", '$.URI')) FROM SIP"
            " WHERE (SrcIP = ?1 OR DstIP = ?1) AND CallID <> ''"
            " GROUP BY CallID ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSIPCall,
     .value_property = e::kSIPCallProperty,
     .counts = {kMessages},
     .extra = {"properties.from", "properties.to"}},
    {.name = "ToHostsForSIPCall",
     .display = "To Hosts For SIP Call",
     .description = "Hosts that sent or received messages of this SIP dialog, with messages",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapSIPCall,
     .input_properties = {e::kSIPCallProperty},
     .tables = {"SIP"},
     .sql = "SELECT ip, COUNT(*) FROM (SELECT SrcIP AS ip FROM SIP WHERE CallID = ?1"
            " UNION ALL SELECT DstIP FROM SIP WHERE CallID = ?1) WHERE ip <> ''"
            " GROUP BY ip ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kMessages}},
    {.name = "ToSIPUserAgents",
     .display = "To SIP User Agents",
     .description = "SIP User-Agent values, with messages and hosts",
     .tables = {"SIP"},
     .sql = "SELECT UserAgent, COUNT(*), COUNT(DISTINCT SrcIP) FROM SIP WHERE UserAgent <> ''"
            " GROUP BY UserAgent ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapUserAgent,
     .value_property = e::kUserAgentProperty,
     .counts = {kMessages, kHosts}},
    {.name = "ToSIPMethods",
     .display = "To SIP Methods",
     .description = "SIP request methods, with requests and hosts",
     .tables = {"SIP"},
     .sql = "SELECT Method, COUNT(*), COUNT(DISTINCT SrcIP) FROM SIP"
            " WHERE IsRequest = 1 AND Method <> '' GROUP BY Method ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSIPMethod,
     .value_property = e::kSIPMethodProperty,
     .counts = {kRequests, kHosts}},
    // --- SMB2 ---
    {.name = "ToSMBShares",
     .display = "To SMB Shares",
     .description = "SMB shares (SMB1 and SMB2/3) connected to (TREE_CONNECT paths), with connects "
                    "and clients",
     .tables = {"SMB2TreeConnect"},
     .sql = "SELECT Path, COUNT(*), COUNT(DISTINCT ClientIP) FROM SMB2TreeConnect"
            " WHERE Path <> '' GROUP BY Path ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSMBShare,
     .value_property = e::kSMBShareProperty,
     .counts = {kConnects, kClients}},
    {.name = "ToSMBSharesForHost",
     .display = "To SMB Shares For Host",
     .description = "SMB shares this host connected to or served, with connects",
     .input = QueryInput::kIP,
     .tables = {"SMB2TreeConnect"},
     .sql = "SELECT Path, COUNT(*) FROM SMB2TreeConnect"
            " WHERE (ClientIP = ?1 OR ServerIP = ?1) AND Path <> ''"
            " GROUP BY Path ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSMBShare,
     .value_property = e::kSMBShareProperty,
     .counts = {kConnects}},
    {.name = "ToClientsForSMBShare",
     .display = "To Clients For SMB Share",
     .description = "Hosts that connected to this SMB share, with connects",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapSMBShare,
     .input_properties = {e::kSMBShareProperty},
     .tables = {"SMB2TreeConnect"},
     .sql = "SELECT ClientIP, COUNT(*) FROM SMB2TreeConnect WHERE Path = ?1"
            " GROUP BY ClientIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kConnects}},
    {.name = "ToSMBFiles",
     .display = "To SMB Files",
     .description = "Files opened over SMB (SMB1 and SMB2/3), with opens and bytes read + written",
     .tables = {"SMB2File"},
     .sql = NETCAP_SMB_FILE_ROWS(""),
     .output = e::kNetcapSMBFile,
     .value_property = e::kSMBFileProperty,
     .counts = {kOpens, kBytes},
     .extra = {"properties.share", "properties.bytesread", "properties.byteswritten"}},
    {.name = "ToSMBFilesForShare",
     .display = "To SMB Files For Share",
     .description = "Files opened on this SMB share, with opens and bytes read + written",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapSMBShare,
     .input_properties = {e::kSMBShareProperty},
     .tables = {"SMB2File"},
     .sql = NETCAP_SMB_FILE_ROWS("AND Share = ?1"),
     .output = e::kNetcapSMBFile,
     .value_property = e::kSMBFileProperty,
     .counts = {kOpens, kBytes},
     .extra = {"properties.share", "properties.bytesread", "properties.byteswritten"}},
    {.name = "ToSMBFilesForHost",
     .display = "To SMB Files For Host",
     .description = "Files this host opened or served over SMB, with opens and bytes",
     .input = QueryInput::kIP,
     .tables = {"SMB2File"},
     .sql = NETCAP_SMB_FILE_ROWS("AND (ClientIP = ?1 OR ServerIP = ?1)"),
     .output = e::kNetcapSMBFile,
     .value_property = e::kSMBFileProperty,
     .counts = {kOpens, kBytes},
     .extra = {"properties.share", "properties.bytesread", "properties.byteswritten"}},
    {.name = "ToSMBUsers",
     .display = "To SMB Users",
     .description = "Users (DOMAIN\\user) of SMB NTLM session setups, with setups and clients",
     .tables = {"SMB2SessionSetup"},
     .sql = "SELECT CASE WHEN Domain <> '' THEN Domain || '\\' || User ELSE User END AS u,"
            " COUNT(*), COUNT(DISTINCT ClientIP) FROM SMB2SessionSetup WHERE User <> ''"
            " GROUP BY u ORDER BY 2 DESC, 1 ASC",
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kSetups, kClients}},
};

#undef NETCAP_SMB_FILE_ROWS

}  // namespace

Status register_sip_smb_transforms(TransformRegistry& registry) {
  return register_query_transforms<kSipSmbTransforms>(registry);
}

}  // namespace netcap::catalog
