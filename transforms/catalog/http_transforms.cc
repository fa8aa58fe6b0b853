// HTTP transforms over the HTTP table (one record per request/response exchange; ClientIP and
// ServerIP; cookies, request headers and parameters as JSON arrays of {Name, Value}).
// Byte counts in link labels are decoded body bytes (request + response).
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

// The URL of an exchange: http://<Host, else the server address><URI>. CONNECT requests have no
// URL (their URI is an authority).
#define NETCAP_HTTP_URL                                                                     \
  "('http://' || CASE WHEN Host <> '' THEN Host WHEN instr(ServerIP, ':') > 0 THEN '[' || " \
  "ServerIP || ']' ELSE ServerIP END || URI)"
#define NETCAP_HTTP_HAS_URL " Method <> 'CONNECT' AND URI <> '' "
#define NETCAP_HTTP_BYTES " SUM(RequestBodySize + ResponseBodySize) "
// Response media type without parameters, lower case.
#define NETCAP_HTTP_MIME                                                                \
  "lower(trim(CASE WHEN instr(ResContentType, ';') > 0 THEN substr(ResContentType, 1, " \
  "instr(ResContentType, ';') - 1) ELSE ResContentType END))"

constexpr CountLabel kRequests{"request", "requests"};
constexpr CountLabel kResponses{"response", "responses"};
constexpr CountLabel kClients{"client", "clients"};
constexpr CountLabel kServers{"server", "servers"};
constexpr CountLabel kBytes{"byte", "bytes"};

constexpr QueryTransform kHttpTransforms[] = {
    // --- hosts and URLs ---
    {.name = "ToHTTPHostnames",
     .display = "To HTTP Hostnames",
     .description = "Host names requested over HTTP, with requests, clients and body bytes",
     .tables = {"HTTP"},
     .sql = "SELECT Host, COUNT(*), COUNT(DISTINCT ClientIP)," NETCAP_HTTP_BYTES
            "FROM HTTP WHERE Host <> '' GROUP BY Host ORDER BY 2 DESC, 1 ASC",
     .output = e::kWebsite,
     .value_property = e::kFqdnProperty,
     .counts = {kRequests, kClients, kBytes}},
    {.name = "ToHTTPHosts",
     .display = "To HTTP Hosts",
     .description = "Host names this host requested over HTTP, with requests and body bytes",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT Host, COUNT(*)," NETCAP_HTTP_BYTES
            "FROM HTTP WHERE ClientIP = ?1 AND Host <> '' GROUP BY Host ORDER BY 2 DESC, 1 ASC",
     .output = e::kWebsite,
     .value_property = e::kFqdnProperty,
     .counts = {kRequests, kBytes}},
    {.name = "ToURLs",
     .display = "To URLs",
     .description = "URLs requested over HTTP, with requests, clients and body bytes",
     .tables = {"HTTP"},
     .sql =
         "SELECT " NETCAP_HTTP_URL " AS url, COUNT(*), COUNT(DISTINCT ClientIP)," NETCAP_HTTP_BYTES
         "FROM HTTP WHERE" NETCAP_HTTP_HAS_URL "GROUP BY url ORDER BY 2 DESC, 1 ASC",
     .output = e::kURL,
     .value_property = e::kURLProperty,
     .counts = {kRequests, kClients, kBytes}},
    {.name = "ToHTTPUniformResourceLocators",
     .display = "To HTTP Uniform Resource Locators",
     .description = "URLs this host requested, with requests and body bytes",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT " NETCAP_HTTP_URL " AS url, COUNT(*)," NETCAP_HTTP_BYTES
            "FROM HTTP WHERE ClientIP = ?1 AND" NETCAP_HTTP_HAS_URL
            "GROUP BY url ORDER BY 2 DESC, 1 ASC",
     .output = e::kURL,
     .value_property = e::kURLProperty,
     .counts = {kRequests, kBytes}},
    {.name = "ToURLsForHost",
     .display = "To URLs For Host",
     .description = "URLs requested from this HTTP host name, with requests, clients and bytes",
     .input = QueryInput::kEntity,
     .input_entity = e::kWebsite,
     .input_properties = {e::kFqdnProperty},
     .tables = {"HTTP"},
     .sql =
         "SELECT " NETCAP_HTTP_URL " AS url, COUNT(*), COUNT(DISTINCT ClientIP)," NETCAP_HTTP_BYTES
         "FROM HTTP WHERE Host = ?1 AND" NETCAP_HTTP_HAS_URL "GROUP BY url ORDER BY 2 DESC, 1 ASC",
     .output = e::kURL,
     .value_property = e::kURLProperty,
     .counts = {kRequests, kClients, kBytes}},
    {.name = "ToVisitorsForHost",
     .display = "To Visitors For Host",
     .description = "Clients that requested this HTTP host name, with requests and body bytes",
     .input = QueryInput::kEntity,
     .input_entity = e::kWebsite,
     .input_properties = {e::kFqdnProperty},
     .tables = {"HTTP"},
     .sql = "SELECT ClientIP, COUNT(*)," NETCAP_HTTP_BYTES
            "FROM HTTP WHERE Host = ?1 GROUP BY ClientIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kRequests, kBytes}},
    {.name = "ToProviderIPProfilesForHost",
     .display = "To Providers For Host",
     .description = "Servers that answered requests for this HTTP host name",
     .input = QueryInput::kEntity,
     .input_entity = e::kWebsite,
     .input_properties = {e::kFqdnProperty},
     .tables = {"HTTP"},
     .sql = "SELECT ServerIP, COUNT(*)," NETCAP_HTTP_BYTES
            "FROM HTTP WHERE Host = ?1 GROUP BY ServerIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kRequests, kBytes}},
    {.name = "ToVisitorsForURL",
     .display = "To Visitors For URL",
     .description = "Clients that requested this URL, with requests and body bytes",
     .input = QueryInput::kEntity,
     .input_entity = e::kURL,
     .input_properties = {e::kURLProperty},
     .tables = {"HTTP"},
     .sql = "SELECT ClientIP, COUNT(*)," NETCAP_HTTP_BYTES "FROM HTTP WHERE" NETCAP_HTTP_HAS_URL
            "AND " NETCAP_HTTP_URL " = ?1 GROUP BY ClientIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kRequests, kBytes}},
    {.name = "ToProviderIPProfilesForURL",
     .display = "To Providers For URL",
     .description = "Servers that answered requests for this URL, with requests and body bytes",
     .input = QueryInput::kEntity,
     .input_entity = e::kURL,
     .input_properties = {e::kURLProperty},
     .tables = {"HTTP"},
     .sql = "SELECT ServerIP, COUNT(*)," NETCAP_HTTP_BYTES "FROM HTTP WHERE" NETCAP_HTTP_HAS_URL
            "AND " NETCAP_HTTP_URL " = ?1 GROUP BY ServerIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kRequests, kBytes}},
    // --- user agents, server names ---
    {.name = "ToUserAgents",
     .display = "To User Agents",
     .description = "HTTP User-Agent values, with requests and clients",
     .tables = {"HTTP"},
     .sql = "SELECT UserAgent, COUNT(*), COUNT(DISTINCT ClientIP) FROM HTTP WHERE UserAgent <> ''"
            " GROUP BY UserAgent ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapUserAgent,
     .value_property = e::kUserAgentProperty,
     .counts = {kRequests, kClients}},
    {.name = "ToHTTPUserAgents",
     .display = "To HTTP User Agents",
     .description = "User-Agent values this host sent, with requests",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT UserAgent, COUNT(*) FROM HTTP WHERE ClientIP = ?1 AND UserAgent <> ''"
            " GROUP BY UserAgent ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapUserAgent,
     .value_property = e::kUserAgentProperty,
     .counts = {kRequests}},
    {.name = "ToClientsForUserAgent",
     .display = "To Clients For User Agent",
     .description = "Hosts that sent this HTTP User-Agent, with requests",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapUserAgent,
     .input_properties = {e::kUserAgentProperty},
     .tables = {"HTTP"},
     .sql = "SELECT ClientIP, COUNT(*) FROM HTTP WHERE UserAgent = ?1"
            " GROUP BY ClientIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kRequests}},
    {.name = "ToServerNames",
     .display = "To Server Names",
     .description = "HTTP Server header values, with responses and servers",
     .tables = {"HTTP"},
     .sql = "SELECT ServerName, COUNT(*), COUNT(DISTINCT ServerIP) FROM HTTP"
            " WHERE ServerName <> '' GROUP BY ServerName ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kNetcapServerName,
     .value_property = e::kServerNameProperty,
     .counts = {kResponses, kServers}},
    {.name = "ToHTTPServerNames",
     .display = "To HTTP Server Names",
     .description = "Server header values in exchanges of this host (either side)",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT ServerName, COUNT(*) FROM HTTP WHERE (ClientIP = ?1 OR ServerIP = ?1)"
            " AND ServerName <> '' GROUP BY ServerName ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapServerName,
     .value_property = e::kServerNameProperty,
     .counts = {kResponses}},
    {.name = "ToServersForServerName",
     .display = "To Servers For Server Name",
     .description = "Servers that answered with this Server header, with responses",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapServerName,
     .input_properties = {e::kServerNameProperty},
     .tables = {"HTTP"},
     .sql = "SELECT ServerIP, COUNT(*) FROM HTTP WHERE ServerName = ?1"
            " GROUP BY ServerIP ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kResponses}},
    // --- methods, status codes, content types ---
    {.name = "ToHTTPMethods",
     .display = "To HTTP Methods",
     .description = "HTTP request methods, with requests and clients",
     .tables = {"HTTP"},
     .sql = "SELECT Method, COUNT(*), COUNT(DISTINCT ClientIP) FROM HTTP WHERE Method <> ''"
            " GROUP BY Method ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPMethod,
     .value_property = e::kHTTPMethodProperty,
     .counts = {kRequests, kClients}},
    {.name = "ToStatusCodes",
     .display = "To HTTP Status Code Distribution",
     .description = "HTTP response status codes in the case, with responses and servers",
     .tables = {"HTTP"},
     .sql = "SELECT CAST(StatusCode AS TEXT), COUNT(*), COUNT(DISTINCT ServerIP) FROM HTTP"
            " WHERE HasResponse = 1 AND StatusCode > 0 GROUP BY StatusCode"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPStatusCode,
     .value_property = e::kHTTPStatusCodeProperty,
     .counts = {kResponses, kServers}},
    {.name = "ToHTTPStatusCodes",
     .display = "To HTTP Status Codes",
     .description = "Status codes of responses in exchanges of this host (either side)",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT CAST(StatusCode AS TEXT), COUNT(*) FROM HTTP"
            " WHERE (ClientIP = ?1 OR ServerIP = ?1) AND HasResponse = 1 AND StatusCode > 0"
            " GROUP BY StatusCode ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPStatusCode,
     .value_property = e::kHTTPStatusCodeProperty,
     .counts = {kResponses}},
    {.name = "ToURLsForStatusCode",
     .display = "To URLs For Status Code",
     .description = "URLs whose responses had this status code, with responses",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapHTTPStatusCode,
     .input_properties = {e::kHTTPStatusCodeProperty},
     .tables = {"HTTP"},
     .sql = "SELECT " NETCAP_HTTP_URL " AS url, COUNT(*) FROM HTTP WHERE" NETCAP_HTTP_HAS_URL
            "AND HasResponse = 1 AND CAST(StatusCode AS TEXT) = ?1"
            " GROUP BY url ORDER BY 2 DESC, 1 ASC",
     .output = e::kURL,
     .value_property = e::kURLProperty,
     .counts = {kResponses}},
    {.name = "ToContentTypes",
     .display = "To HTTP Content Types",
     .description = "Media types of HTTP responses (parameters removed), with responses and bytes",
     .tables = {"HTTP"},
     .sql = "SELECT " NETCAP_HTTP_MIME " AS mime, COUNT(*), SUM(ResponseBodySize) FROM HTTP"
            " WHERE mime <> '' GROUP BY mime ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapContentType,
     .value_property = e::kContentTypeProperty,
     .counts = {kResponses, kBytes}},
    {.name = "ToHTTPContentTypes",
     .display = "To HTTP Content Types For Host",
     .description = "Media types of responses in exchanges of this host (either side)",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT " NETCAP_HTTP_MIME " AS mime, COUNT(*), SUM(ResponseBodySize) FROM HTTP"
            " WHERE (ClientIP = ?1 OR ServerIP = ?1) AND mime <> '' GROUP BY mime"
            " ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapContentType,
     .value_property = e::kContentTypeProperty,
     .counts = {kResponses, kBytes}},
    {.name = "ToURLsForContentType",
     .display = "To URLs For Content Type",
     .description = "URLs whose responses had this media type, with responses and bytes",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapContentType,
     .input_properties = {e::kContentTypeProperty},
     .tables = {"HTTP"},
     .sql = "SELECT " NETCAP_HTTP_URL " AS url, COUNT(*), SUM(ResponseBodySize) FROM HTTP"
            " WHERE" NETCAP_HTTP_HAS_URL "AND " NETCAP_HTTP_MIME " = lower(?1)"
            " GROUP BY url ORDER BY 2 DESC, 1 ASC",
     .output = e::kURL,
     .value_property = e::kURLProperty,
     .counts = {kResponses, kBytes}},
    // --- cookies, headers, parameters: names, then values of a name ---
    {.name = "ToHTTPCookies",
     .display = "To HTTP Cookies",
     .description = "Names of cookies this host sent, with requests",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(c.value, '$.Name') AS name, COUNT(*) FROM HTTP,"
            " json_each(HTTP.Cookies) AS c WHERE HTTP.ClientIP = ?1 AND name <> ''"
            " GROUP BY name ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPCookie,
     .value_property = e::kHTTPCookieProperty,
     .counts = {kRequests}},
    {.name = "ToCookieNames",
     .display = "To HTTP Cookie Names",
     .description = "Names of cookies sent by HTTP clients in the case, with requests and clients",
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(c.value, '$.Name') AS name, COUNT(*),"
            " COUNT(DISTINCT HTTP.ClientIP) FROM HTTP, json_each(HTTP.Cookies) AS c"
            " WHERE name <> '' GROUP BY name ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPCookie,
     .value_property = e::kHTTPCookieProperty,
     .counts = {kRequests, kClients}},
    {.name = "ToCookieValues",
     .display = "To Cookie Values",
     .description = "Values sent for this cookie name, with requests and clients",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapHTTPCookie,
     .input_properties = {e::kHTTPCookieProperty},
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(c.value, '$.Value') AS v, COUNT(*),"
            " COUNT(DISTINCT HTTP.ClientIP), ?1 FROM HTTP, json_each(HTTP.Cookies) AS c"
            " WHERE json_extract(c.value, '$.Name') = ?1 AND v <> ''"
            " GROUP BY v ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPCookieValue,
     .value_property = e::kHTTPCookieValueProperty,
     .counts = {kRequests, kClients},
     .extra = {e::kHTTPCookieProperty}},
    {.name = "ToHTTPHeaders",
     .display = "To HTTP Headers",
     .description = "Names of request headers this host sent, with requests",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(h.value, '$.Name') AS name, COUNT(*) FROM HTTP,"
            " json_each(HTTP.RequestHeaders) AS h WHERE HTTP.ClientIP = ?1 AND name <> ''"
            " GROUP BY name ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPHeader,
     .value_property = e::kHTTPHeaderProperty,
     .counts = {kRequests}},
    {.name = "ToHeaderNames",
     .display = "To HTTP Header Names",
     .description = "Names of request headers in the case, with requests and clients",
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(h.value, '$.Name') AS name, COUNT(*),"
            " COUNT(DISTINCT HTTP.ClientIP) FROM HTTP, json_each(HTTP.RequestHeaders) AS h"
            " WHERE name <> '' GROUP BY name ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPHeader,
     .value_property = e::kHTTPHeaderProperty,
     .counts = {kRequests, kClients}},
    {.name = "ToHeaderValues",
     .display = "To Header Values",
     .description = "Values sent for this request header name, with requests and clients",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapHTTPHeader,
     .input_properties = {e::kHTTPHeaderProperty},
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(h.value, '$.Value') AS v, COUNT(*),"
            " COUNT(DISTINCT HTTP.ClientIP), ?1 FROM HTTP, json_each(HTTP.RequestHeaders) AS h"
            " WHERE json_extract(h.value, '$.Name') = ?1 AND v <> ''"
            " GROUP BY v ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPHeaderValue,
     .value_property = e::kHTTPHeaderValueProperty,
     .counts = {kRequests, kClients},
     .extra = {e::kHTTPHeaderProperty},
     .by_input_sql =
         "SELECT json_extract(h.value, '$.Name') AS InputKey,"
         " json_extract(h.value, '$.Value') AS v, COUNT(*), COUNT(DISTINCT HTTP.ClientIP),"
         " json_extract(h.value, '$.Name') FROM HTTP, json_each(HTTP.RequestHeaders) AS h"
         " WHERE InputKey IS NOT NULL AND v <> '' GROUP BY 1, 2 ORDER BY 1 ASC, 3 DESC, 2 ASC"},
    {.name = "ToHTTPParameters",
     .display = "To HTTP Parameters",
     .description = "Names of request parameters (query string, form) this host sent",
     .input = QueryInput::kIP,
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(p.value, '$.Name') AS name, COUNT(*) FROM HTTP,"
            " json_each(HTTP.Parameters) AS p WHERE HTTP.ClientIP = ?1 AND name <> ''"
            " GROUP BY name ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPParameter,
     .value_property = e::kHTTPParameterProperty,
     .counts = {kRequests}},
    {.name = "ToParameterNames",
     .display = "To HTTP Parameter Names",
     .description = "Names of request parameters in the case, with requests and clients",
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(p.value, '$.Name') AS name, COUNT(*),"
            " COUNT(DISTINCT HTTP.ClientIP) FROM HTTP, json_each(HTTP.Parameters) AS p"
            " WHERE name <> '' GROUP BY name ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPParameter,
     .value_property = e::kHTTPParameterProperty,
     .counts = {kRequests, kClients}},
    {.name = "ToParameterValues",
     .display = "To Parameter Values",
     .description = "Values sent for this request parameter name, with requests and clients",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapHTTPParameter,
     .input_properties = {e::kHTTPParameterProperty},
     .tables = {"HTTP"},
     .sql = "SELECT json_extract(p.value, '$.Value') AS v, COUNT(*),"
            " COUNT(DISTINCT HTTP.ClientIP), ?1 FROM HTTP, json_each(HTTP.Parameters) AS p"
            " WHERE json_extract(p.value, '$.Name') = ?1 AND v <> ''"
            " GROUP BY v ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapHTTPParameterValue,
     .value_property = e::kHTTPParameterValueProperty,
     .counts = {kRequests, kClients},
     .extra = {e::kHTTPParameterProperty}},
};

#undef NETCAP_HTTP_URL
#undef NETCAP_HTTP_HAS_URL
#undef NETCAP_HTTP_BYTES
#undef NETCAP_HTTP_MIME

}  // namespace

Status register_http_transforms(TransformRegistry& registry) {
  return register_query_transforms<kHttpTransforms>(registry);
}

}  // namespace netcap::catalog
