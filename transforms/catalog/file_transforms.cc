// File transforms over the File table (one record per transferred file, proto/file.proto) and
// the stored contents in CASE/files/<sha256[0:2]>/<sha256> (docs/files.md). A maltego.File
// entity's value is the file's name from the protocol; it carries the SHA-256 in
// properties.sha256, which the file-input transforms use (the name is not unique).
// Content transforms read at most kMaxScanBytes of a stored file and only text (no NUL byte in
// the first kBinaryProbeBytes).
#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/catalog_util.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;
using maltego::TransformRequest;
using maltego::TransformResponse;

constexpr size_t kMaxScanBytes = 4 * 1024 * 1024;
constexpr size_t kBinaryProbeBytes = 8 * 1024;
// Distinct values one content transform returns.
constexpr size_t kMaxFound = 10000;

constexpr CountLabel kTransfers{"transfer", "transfers"};
constexpr CountLabel kFiles{"file", "files"};

// One entity per content (SHA-256): its first name, transfers, and the File properties.
#define NETCAP_FILE_SELECT                                                               \
  "SELECT CASE WHEN MIN(Name) <> '' THEN MIN(Name) ELSE SHA256 END AS label, COUNT(*), " \
  "MIN(Protocol), MIN(MimeType), MAX(Size), SHA256 FROM File "
#define NETCAP_FILE_GROUP " GROUP BY SHA256 ORDER BY 1 ASC, SHA256 ASC"

constexpr QueryTransform kFileTransforms[] = {
    {.name = "ToFiles",
     .display = "To Files",
     .description = "Files extracted from HTTP, FTP, SMB and mail, one per content",
     .tables = {"File"},
     .sql = NETCAP_FILE_SELECT "WHERE SHA256 <> ''" NETCAP_FILE_GROUP,
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kTransfers},
     .extra = {"source", "properties.contenttype", "properties.size", "properties.sha256"}},
    {.name = "ToFilesForHost",
     .display = "To Files For Host",
     .description = "Files this host sent or received",
     .input = QueryInput::kIP,
     .tables = {"File"},
     .sql = NETCAP_FILE_SELECT
     "WHERE SHA256 <> '' AND (ClientIP = ?1 OR ServerIP = ?1)" NETCAP_FILE_GROUP,
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kTransfers},
     .extra = {"source", "properties.contenttype", "properties.size", "properties.sha256"}},
    {.name = "ToFileTypes",
     .display = "To File Types",
     .description = "MIME types of the extracted files (detected from the content)",
     .tables = {"File"},
     .sql = "SELECT MimeType, COUNT(DISTINCT SHA256), COUNT(*) FROM File WHERE MimeType <> ''"
            " GROUP BY MimeType ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapContentType,
     .value_property = e::kContentTypeProperty,
     .counts = {kFiles, kTransfers}},
    {.name = "ToFilesForContentType",
     .display = "To Files For Content Type",
     .description = "Files whose detected or declared MIME type is this one",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapContentType,
     .input_properties = {e::kContentTypeProperty},
     .tables = {"File"},
     .sql = NETCAP_FILE_SELECT
     "WHERE SHA256 <> '' AND (MimeType = ?1 OR DeclaredType = ?1)" NETCAP_FILE_GROUP,
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kTransfers},
     .extra = {"source", "properties.contenttype", "properties.size", "properties.sha256"}},
    {.name = "ToFilesForName",
     .display = "To Files With This Name",
     .description = "Files transferred under this name (every content seen with it)",
     .input = QueryInput::kEntity,
     .input_entity = e::kFile,
     .input_properties = {e::kFileProperty},
     .tables = {"File"},
     .sql = NETCAP_FILE_SELECT "WHERE SHA256 <> '' AND Name = ?1" NETCAP_FILE_GROUP,
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kTransfers},
     .extra = {"source", "properties.contenttype", "properties.size", "properties.sha256"}},
};

#undef NETCAP_FILE_SELECT
#undef NETCAP_FILE_GROUP

bool is_sha256(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The input file's SHA-256 (properties.sha256, else a value that is one), checked against the
// index. Empty when there is none.
Expected<std::string> input_sha256(const TransformContext& context, const TransformRequest& request,
                                   TransformResponse& response) {
  std::string sha;
  if (const std::string* p = request.property("properties.sha256"); p != nullptr) sha = *p;
  if (sha.empty()) sha = request.value;
  for (char& c : sha) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // No file table (nothing extracted) or no hash on the entity: nothing to answer.
  if (!context.index.has_table("File") || !is_sha256(sha)) return std::string();
  Expected<ResultSet> rows = query(
      context, "SELECT 1 FROM File WHERE SHA256 = ?1 AND Path <> '' LIMIT 1", {sha}, response);
  if (!rows) return rows.status();
  return rows->rows.empty() ? std::string() : sha;
}

Status to_file_hashes(const TransformContext& context, const TransformRequest& request,
                      TransformResponse& response) {
  std::string sha;
  if (const std::string* p = request.property("properties.sha256"); p != nullptr) sha = *p;
  if (sha.empty()) sha = request.value;
  if (!context.index.has_table("File")) return Status::ok();
  Expected<ResultSet> rows =
      query(context, "SELECT MIN(MD5), MIN(SHA1), MIN(SHA256) FROM File WHERE SHA256 = lower(?1)",
            {sha}, response);
  if (!rows) return rows.status();
  static constexpr const char* kTypes[] = {"MD5", "SHA1", "SHA256"};
  for (const auto& row : rows->rows) {
    for (size_t i = 0; i < 3; ++i) {
      const std::string h = text_of(row[i]);
      if (h.empty()) continue;
      add_entity(response, context, e::kHash, e::kHashProperty, h)
          .add_property("hash_type", kTypes[i], "Hash type");
    }
  }
  return Status::ok();
}

Status to_extracted_file_path(const TransformContext& context, const TransformRequest& request,
                              TransformResponse& response) {
  Expected<std::string> sha = input_sha256(context, request, response);
  if (!sha) return sha.status();
  if (sha->empty()) return Status::ok();
  const std::string path = context.case_dir + "/files/" + sha->substr(0, 2) + "/" + *sha;
  add_entity(response, context, e::kPhrase, e::kPhraseProperty, path);
  return Status::ok();
}

// The stored text of the input file (bounded), or empty for binary content.
Expected<std::string> stored_text(const TransformContext& context, const TransformRequest& request,
                                  TransformResponse& response) {
  Expected<std::string> sha = input_sha256(context, request, response);
  if (!sha) return sha.status();
  if (sha->empty()) return std::string();
  std::ifstream in(context.case_dir + "/files/" + sha->substr(0, 2) + "/" + *sha, std::ios::binary);
  if (!in) return Status::error("stored file " + *sha + " is missing from the case");
  std::string data(kMaxScanBytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  if (data.substr(0, kBinaryProbeBytes).find('\0') != std::string::npos) return std::string();
  return data;
}

bool url_char(char c) {
  return c > ' ' && c < 127 && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`' &&
         c != '\\' && c != '{' && c != '}' && c != '|' && c != '^';
}
bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}
bool local_char(char c) { return host_char(c) || c == '_' || c == '%' || c == '+'; }
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
// A host name with at least one dot and an alphabetic last label of 2+ characters.
bool plausible_domain(std::string_view h) {
  while (!h.empty() && h.back() == '.') h.remove_suffix(1);
  const size_t dot = h.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || h.size() - dot < 3) return false;
  for (char c : h.substr(dot + 1)) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  }
  return h.front() != '.' && h.front() != '-';
}

struct Found {
  std::set<std::string> urls, domains, ips, emails;
};

// Scans text for http(s) URLs, e-mail addresses, their host names, and IPv4 addresses.
Found scan(std::string_view t) {
  Found f;
  for (size_t i = 0; i < t.size(); ++i) {
    if ((t[i] == 'h' || t[i] == 'H') &&
        (t.substr(i, 7) == "http://" || t.substr(i, 8) == "https://")) {
      size_t end = i;
      while (end < t.size() && url_char(t[end])) ++end;
      std::string url(t.substr(i, end - i));
      while (!url.empty() &&
             (url.back() == '.' || url.back() == ',' || url.back() == ')' || url.back() == ';'))
        url.pop_back();
      const size_t host_start = url.find("://") + 3;
      size_t host_end = host_start;
      while (host_end < url.size() && host_char(url[host_end])) ++host_end;
      const std::string host = lower(url.substr(host_start, host_end - host_start));
      if (!host.empty()) {
        if (f.urls.size() < kMaxFound) f.urls.insert(url);
        if (plausible_domain(host) && f.domains.size() < kMaxFound) f.domains.insert(host);
      }
      i = end;
      continue;
    }
    if (t[i] == '@' && i > 0) {
      size_t s = i;
      while (s > 0 && local_char(t[s - 1])) --s;
      size_t end = i + 1;
      while (end < t.size() && host_char(t[end])) ++end;
      std::string domain = lower(std::string(t.substr(i + 1, end - i - 1)));
      while (!domain.empty() && domain.back() == '.') domain.pop_back();
      if (s < i && plausible_domain(domain)) {
        if (f.emails.size() < kMaxFound)
          f.emails.insert(lower(std::string(t.substr(s, i - s))) + "@" + domain);
        if (f.domains.size() < kMaxFound) f.domains.insert(domain);
      }
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(t[i])) &&
        (i == 0 || !(std::isalnum(static_cast<unsigned char>(t[i - 1])) || t[i - 1] == '.'))) {
      size_t end = i;
      while (end < t.size() && (std::isdigit(static_cast<unsigned char>(t[end])) || t[end] == '.'))
        ++end;
      const std::string cand(t.substr(i, end - i));
      const bool boundary = end >= t.size() || !std::isalnum(static_cast<unsigned char>(t[end]));
      in_addr addr;
      if (boundary && cand.size() <= 15 && inet_pton(AF_INET, cand.c_str(), &addr) == 1 &&
          f.ips.size() < kMaxFound)
        f.ips.insert(cand);
      i = end;
    }
  }
  return f;
}

template <typename Emit>
Status scan_transform(const TransformContext& context, const TransformRequest& request,
                      TransformResponse& response, Emit&& emit) {
  Expected<std::string> text = stored_text(context, request, response);
  if (!text) return text.status();
  if (text->empty()) return Status::ok();
  emit(scan(*text));
  return Status::ok();
}

Status to_urls_in_file(const TransformContext& context, const TransformRequest& request,
                       TransformResponse& response) {
  return scan_transform(context, request, response, [&](const Found& f) {
    for (const std::string& u : f.urls) add_entity(response, context, e::kURL, e::kURLProperty, u);
  });
}
Status to_domains_in_file(const TransformContext& context, const TransformRequest& request,
                          TransformResponse& response) {
  return scan_transform(context, request, response, [&](const Found& f) {
    for (const std::string& d : f.domains)
      add_entity(response, context, e::kDNSName, e::kFqdnProperty, d);
  });
}
Status to_ips_in_file(const TransformContext& context, const TransformRequest& request,
                      TransformResponse& response) {
  return scan_transform(context, request, response, [&](const Found& f) {
    for (const std::string& ip : f.ips) add_ip_entity(response, context, ip);
  });
}
Status to_emails_in_file(const TransformContext& context, const TransformRequest& request,
                         TransformResponse& response) {
  return scan_transform(context, request, response, [&](const Found& f) {
    for (const std::string& m : f.emails)
      add_entity(response, context, e::kEmailAddress, e::kEmailProperty, m);
  });
}

}  // namespace

Status register_file_transforms(TransformRegistry& registry) {
  if (Status s = register_query_transforms<kFileTransforms>(registry); !s) return s;
  const std::string in(e::kFile);
  TransformSpec specs[] = {
      {"netcap.ToFileHashes",
       "To File Hashes [NETCAP]",
       "MD5, SHA1 and SHA256 of an extracted file",
       in,
       {std::string(e::kHash)},
       {},
       to_file_hashes},
      {"netcap.ToExtractedFilePath",
       "To Extracted File Path [NETCAP]",
       "Where the extracted file's content is stored on disk (CASE/files/...)",
       in,
       {std::string(e::kPhrase)},
       {},
       to_extracted_file_path},
      {"netcap.ToURLsInFile",
       "To URLs In File [NETCAP]",
       "http(s) URLs in a text file's content (first 4 MiB)",
       in,
       {std::string(e::kURL)},
       {},
       to_urls_in_file},
      {"netcap.ToDomainsInFile",
       "To Domains In File [NETCAP]",
       "Host names of the URLs and e-mail addresses in a text file's content (first 4 MiB)",
       in,
       {std::string(e::kDNSName)},
       {},
       to_domains_in_file},
      {"netcap.ToIPsInFile",
       "To IP Addresses In File [NETCAP]",
       "IPv4 addresses in a text file's content (first 4 MiB)",
       in,
       {std::string(e::kIPv4Address)},
       {},
       to_ips_in_file},
      {"netcap.ToEmailAddressesInFile",
       "To Email Addresses In File [NETCAP]",
       "E-mail addresses in a text file's content (first 4 MiB)",
       in,
       {std::string(e::kEmailAddress)},
       {},
       to_emails_in_file},
  };
  for (TransformSpec& spec : specs) {
    Status status = registry.add(std::move(spec));
    if (!status) return status;
  }
  return Status::ok();
}

}  // namespace netcap::catalog
