// DNS transforms over the DNS table (one record per message: queries have IsResponse = 0 and
// SrcIP = the client; responses carry Answers as JSON, see proto/dns.proto).
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kQueries{"query", "queries"};
constexpr CountLabel kResponses{"response", "responses"};
constexpr CountLabel kMessages{"message", "messages"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kAnswers{"answer", "answers"};
constexpr CountLabel kNames{"name", "names"};

constexpr QueryTransform kDnsTransforms[] = {
    {.name = "ToDNSQuestions",
     .display = "To DNS Questions",
     .description = "Names queried in the case (first question), with queries and clients",
     .tables = {"DNS"},
     .sql = "SELECT QueryName, COUNT(*), COUNT(DISTINCT SrcIP) FROM DNS"
            " WHERE IsResponse = 0 AND QueryName <> '' GROUP BY QueryName"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kQueries, kClients}},
    {.name = "ToDNSQuestionsForHost",
     .display = "To DNS Questions For Host",
     .description = "Names this host queried, with queries",
     .input = QueryInput::kIP,
     .tables = {"DNS"},
     .sql = "SELECT QueryName, COUNT(*) FROM DNS"
            " WHERE IsResponse = 0 AND SrcIP = ?1 AND QueryName <> '' GROUP BY QueryName"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kQueries}},
    {.name = "ToDNSResponseCodes",
     .display = "To DNS Response Codes",
     .description = "Response codes of DNS responses (NOERROR, NXDOMAIN, ...), with counts",
     .tables = {"DNS"},
     .sql = "SELECT ResponseCodeName, COUNT(*), COUNT(DISTINCT QueryName) FROM DNS"
            " WHERE IsResponse = 1 AND ResponseCodeName <> '' GROUP BY ResponseCodeName"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDNSResponseCode,
     .value_property = e::kDNSResponseCodeProperty,
     .counts = {kResponses, kNames}},
    {.name = "ToDNSOpCodes",
     .display = "To DNS OpCodes",
     .description = "Opcodes of DNS messages (0 query, 4 notify, 5 update, ...), with counts",
     .tables = {"DNS"},
     .sql = "SELECT CAST(OpCode AS TEXT), COUNT(*) FROM DNS GROUP BY OpCode ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDNSOpCode,
     .value_property = e::kDNSOpCodeProperty,
     .counts = {kMessages}},
    {.name = "ToDNSFlagCombinations",
     .display = "To DNS Flag Combinations",
     .description = "Header flag combinations of DNS messages (QR AA TC RD RA AD CD), with counts",
     .tables = {"DNS"},
     .sql = "SELECT CASE WHEN flags = '' THEN 'none' ELSE flags END, COUNT(*) FROM ("
            "SELECT rtrim(CASE WHEN QR THEN 'QR ' ELSE '' END || CASE WHEN AA THEN 'AA ' ELSE ''"
            " END || CASE WHEN TC THEN 'TC ' ELSE '' END || CASE WHEN RD THEN 'RD ' ELSE '' END"
            " || CASE WHEN RA THEN 'RA ' ELSE '' END || CASE WHEN AD THEN 'AD ' ELSE '' END ||"
            " CASE WHEN CD THEN 'CD' ELSE '' END) AS flags FROM DNS)"
            " GROUP BY 1 ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDNSFlagCombination,
     .value_property = e::kDNSFlagCombinationProperty,
     .counts = {kMessages}},
    {.name = "ToDNSQueryTypes",
     .display = "To DNS Query Types",
     .description = "Question types of DNS queries (A, AAAA, MX, ...), with queries and names",
     .tables = {"DNS"},
     .sql = "SELECT QueryType, COUNT(*), COUNT(DISTINCT QueryName) FROM DNS"
            " WHERE IsResponse = 0 AND QueryType <> '' GROUP BY QueryType ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapDNSQueryType,
     .value_property = e::kDNSQueryTypeProperty,
     .counts = {kQueries, kNames}},
    {.name = "ToDNSServers",
     .display = "To DNS Servers",
     .description = "Addresses DNS queries were sent to, with queries and clients",
     .tables = {"DNS"},
     .sql = "SELECT DstIP, COUNT(*), COUNT(DISTINCT SrcIP) FROM DNS"
            " WHERE IsResponse = 0 AND DstIP <> '' GROUP BY DstIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kQueries, kClients}},
    {.name = "ToDNSServersForHost",
     .display = "To DNS Servers For Host",
     .description = "Addresses this host sent DNS queries to, with queries",
     .input = QueryInput::kIP,
     .tables = {"DNS"},
     .sql = "SELECT DstIP, COUNT(*) FROM DNS WHERE IsResponse = 0 AND SrcIP = ?1 AND DstIP <> ''"
            " GROUP BY DstIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kQueries}},
    {.name = "ToDNSClientsForName",
     .display = "To DNS Clients For Name",
     .description = "Hosts that queried this name, with queries",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"DNS"},
     .sql = "SELECT SrcIP, COUNT(*) FROM DNS WHERE IsResponse = 0 AND QueryName = ?1"
            " AND SrcIP <> '' GROUP BY SrcIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kQueries}},
    {.name = "ToDNSAnswers",
     .display = "To DNS Answers",
     .description = "Addresses (A/AAAA answers) returned for this name, with answer counts",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"DNS"},
     .sql = "SELECT json_extract(a.value, '$.IP') AS ip, COUNT(*) FROM DNS,"
            " json_each(DNS.Answers) AS a WHERE DNS.IsResponse = 1 AND DNS.QueryName = ?1"
            " AND ip <> '' GROUP BY ip ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kAnswers}},
    {.name = "ToDNSCNAMEs",
     .display = "To DNS CNAMEs",
     .description = "Canonical names (CNAME answers) returned for this name",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"DNS"},
     .sql = "SELECT json_extract(a.value, '$.CNAME') AS cname, COUNT(*) FROM DNS,"
            " json_each(DNS.Answers) AS a WHERE DNS.IsResponse = 1 AND DNS.QueryName = ?1"
            " AND cname <> '' GROUP BY cname ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kAnswers}},
    {.name = "ToDNSMailServers",
     .display = "To DNS Mail Servers",
     .description = "Mail exchangers (MX answers) returned for this name",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"DNS"},
     .sql = "SELECT json_extract(a.value, '$.MX.Name') AS mx, COUNT(*) FROM DNS,"
            " json_each(DNS.Answers) AS a WHERE DNS.IsResponse = 1 AND DNS.QueryName = ?1"
            " AND mx <> '' GROUP BY mx ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kAnswers}},
    {.name = "ToDNSTXTRecords",
     .display = "To DNS TXT Records",
     .description = "Texts of TXT answers returned for this name",
     .input = QueryInput::kEntity,
     .input_entity = e::kDNSName,
     .input_properties = {e::kFqdnProperty},
     .tables = {"DNS"},
     .sql = "SELECT t.value AS txt, COUNT(*) FROM DNS, json_each(DNS.Answers) AS a,"
            " json_each(a.value, '$.TXTs') AS t WHERE DNS.IsResponse = 1 AND DNS.QueryName = ?1"
            " AND txt <> '' GROUP BY txt ORDER BY 2 DESC, 1 ASC",
     .output = e::kPhrase,
     .value_property = e::kPhraseProperty,
     .counts = {kAnswers}},
    {.name = "ToDNSNamesForIP",
     .display = "To DNS Names For IP",
     .description = "Names whose DNS answers contained this address (passive DNS), with answers",
     .input = QueryInput::kIP,
     .tables = {"DNS"},
     .sql = "SELECT DNS.QueryName, COUNT(*) FROM DNS, json_each(DNS.Answers) AS a"
            " WHERE DNS.IsResponse = 1 AND json_extract(a.value, '$.IP') = ?1"
            " AND DNS.QueryName <> '' GROUP BY DNS.QueryName ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kAnswers},
     .by_input_sql = "SELECT json_extract(a.value, '$.IP') AS InputKey, DNS.QueryName, COUNT(*)"
                     " FROM DNS, json_each(DNS.Answers) AS a WHERE DNS.IsResponse = 1"
                     " AND InputKey IS NOT NULL AND DNS.QueryName <> ''"
                     " GROUP BY 1, 2 ORDER BY 1 ASC, 3 DESC, 2 ASC"},
    {.name = "ToDNSNamesForResponseCode",
     .display = "To DNS Names For Response Code",
     .description = "Names whose responses carried this response code (e.g. NXDOMAIN)",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapDNSResponseCode,
     .input_properties = {e::kDNSResponseCodeProperty},
     .tables = {"DNS"},
     .sql = "SELECT QueryName, COUNT(*) FROM DNS WHERE IsResponse = 1 AND ResponseCodeName = ?1"
            " AND QueryName <> '' GROUP BY QueryName ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kResponses},
     .by_input_sql = "SELECT ResponseCodeName AS InputKey, QueryName, COUNT(*) FROM DNS"
                     " WHERE IsResponse = 1 AND QueryName <> ''"
                     " GROUP BY 1, 2 ORDER BY 1 ASC, 3 DESC, 2 ASC"},
    {.name = "ToDNSNamesForQueryType",
     .display = "To DNS Names For Query Type",
     .description = "Names queried with this question type, with queries",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapDNSQueryType,
     .input_properties = {e::kDNSQueryTypeProperty},
     .tables = {"DNS"},
     .sql = "SELECT QueryName, COUNT(*) FROM DNS WHERE IsResponse = 0 AND QueryType = ?1"
            " AND QueryName <> '' GROUP BY QueryName ORDER BY 2 DESC, 1 ASC",
     .output = e::kDNSName,
     .value_property = e::kFqdnProperty,
     .counts = {kQueries},
     .by_input_sql = "SELECT QueryType AS InputKey, QueryName, COUNT(*) FROM DNS"
                     " WHERE IsResponse = 0 AND QueryName <> ''"
                     " GROUP BY 1, 2 ORDER BY 1 ASC, 3 DESC, 2 ASC"},
};

}  // namespace

Status register_dns_transforms(TransformRegistry& registry) {
  return register_query_transforms<kDnsTransforms>(registry);
}

}  // namespace netcap::catalog
