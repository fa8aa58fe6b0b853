// Mail transforms over Mail (one record per message, from SMTP, POP3 or IMAP), its MIME parts
// (JSON) and the SMTPCommand / POP3Command / IMAPCommand tables. Addresses are compared in
// lower case; a header address "Name <a@b>" becomes "a@b" (the first one of a list).
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

// The address in a header value: between the first '<' and the following '>', else the value.
#define NETCAP_MAIL_ADDRESS(column)                                                            \
  "lower(trim(CASE WHEN instr(" column ", '<') > 0 AND instr(" column ", '>') > instr(" column \
  ", '<') THEN substr(" column ", instr(" column ", '<') + 1, instr(" column                   \
  ", '>') - instr(" column ", '<') - 1) ELSE " column " END))"
#define NETCAP_MAIL_SENDER \
  "CASE WHEN MailFrom <> '' THEN lower(MailFrom) ELSE " NETCAP_MAIL_ADDRESS("\"From\"") " END"
#define NETCAP_MAIL_SUBJECT "CASE WHEN Subject <> '' THEN Subject ELSE '(no subject)' END"
// Row of a netcap.Mail: value, attachments, size, then the extra properties.
#define NETCAP_MAIL_ROW                                     \
  "SELECT " NETCAP_MAIL_SUBJECT                             \
  ", Attachments, Size, \"From\", \"To\", Date, MessageID," \
  " Attachments, Size FROM Mail "
#define NETCAP_MAIL_HOST " (ClientIP = ?1 OR ServerIP = ?1) "

constexpr CountLabel kParts{"part", "parts"};
constexpr CountLabel kMails{"mail", "mails"};
constexpr CountLabel kAttachments{"attachment", "attachments"};
constexpr CountLabel kBytes{"byte", "bytes"};
constexpr CountLabel kCommands{"command", "commands"};
constexpr CountLabel kClients{"client", "clients"};

constexpr std::array<std::string_view, 8> kMailExtra = {
    "properties.from",      "properties.to",          "properties.date",
    "properties.messageid", "properties.attachments", "properties.size"};

constexpr QueryTransform kMailTransforms[] = {
    {.name = "ToEmails",
     .display = "To Mails",
     .description = "Mail messages (SMTP, POP3, IMAP) by subject, in time order, with "
                    "attachments and size",
     .tables = {"Mail"},
     .sql = NETCAP_MAIL_ROW "ORDER BY Timestamp ASC, id ASC",
     .output = e::kNetcapMail,
     .value_property = e::kMailProperty,
     .counts = {kAttachments, kBytes},
     .extra = kMailExtra},
    {.name = "ToMails",
     .display = "To Mails For Host",
     .description = "Mail messages this host sent, relayed or fetched (either side)",
     .input = QueryInput::kIP,
     .tables = {"Mail"},
     .sql = NETCAP_MAIL_ROW "WHERE" NETCAP_MAIL_HOST "ORDER BY Timestamp ASC, id ASC",
     .output = e::kNetcapMail,
     .value_property = e::kMailProperty,
     .counts = {kAttachments, kBytes},
     .extra = kMailExtra},
    {.name = "ToMailsForEmailAddress",
     .display = "To Mails For Email Address",
     .description = "Mail messages from or to this address (envelope, From, To, Cc)",
     .input = QueryInput::kEntity,
     .input_entity = e::kEmailAddress,
     .input_properties = {e::kEmailProperty},
     .tables = {"Mail"},
     .sql = NETCAP_MAIL_ROW
     "WHERE lower(MailFrom) = lower(?1) OR EXISTS (SELECT 1 FROM json_each(Mail.RcptTo)"
     " WHERE lower(value) = lower(?1)) OR instr(lower(\"From\"), lower(?1)) > 0"
     " OR instr(lower(\"To\"), lower(?1)) > 0 OR instr(lower(Cc), lower(?1)) > 0"
     " ORDER BY Timestamp ASC, id ASC",
     .output = e::kNetcapMail,
     .value_property = e::kMailProperty,
     .counts = {kAttachments, kBytes},
     .extra = kMailExtra},
    {.name = "ToMailSenders",
     .display = "To Mail Senders",
     .description = "Sender addresses (envelope MAIL FROM, else the From header), with mails",
     .tables = {"Mail"},
     .sql = "SELECT addr, COUNT(*) FROM (SELECT " NETCAP_MAIL_SENDER " AS addr FROM Mail)"
            " WHERE addr <> '' GROUP BY addr ORDER BY 2 DESC, 1 ASC",
     .output = e::kEmailAddress,
     .value_property = e::kEmailProperty,
     .counts = {kMails}},
    {.name = "ToMailFrom",
     .display = "To Mail From",
     .description = "Sender addresses of the mails of this host (either side), with mails",
     .input = QueryInput::kIP,
     .tables = {"Mail"},
     .sql = "SELECT addr, COUNT(*) FROM (SELECT " NETCAP_MAIL_SENDER " AS addr FROM Mail"
            " WHERE" NETCAP_MAIL_HOST ") WHERE addr <> '' GROUP BY addr ORDER BY 2 DESC, 1 ASC",
     .output = e::kEmailAddress,
     .value_property = e::kEmailProperty,
     .counts = {kMails}},
    {.name = "ToMailRecipients",
     .display = "To Mail Recipients",
     .description = "Recipient addresses (envelope RCPT TO, else the To header), with mails",
     .tables = {"Mail"},
     .sql = "SELECT addr, COUNT(*) FROM (SELECT lower(r.value) AS addr FROM Mail,"
            " json_each(Mail.RcptTo) AS r UNION ALL SELECT " NETCAP_MAIL_ADDRESS(
                "\"To\"") " FROM Mail WHERE json_array_length(RcptTo) = 0)"
                          " WHERE addr <> '' GROUP BY addr ORDER BY 2 DESC, 1 ASC",
     .output = e::kEmailAddress,
     .value_property = e::kEmailProperty,
     .counts = {kMails}},
    {.name = "ToMailTo",
     .display = "To Mail To",
     .description = "Recipient addresses of the mails of this host (either side), with mails",
     .input = QueryInput::kIP,
     .tables = {"Mail"},
     .sql = "SELECT addr, COUNT(*) FROM (SELECT lower(r.value) AS addr FROM Mail,"
            " json_each(Mail.RcptTo) AS r WHERE" NETCAP_MAIL_HOST
            "UNION ALL SELECT " NETCAP_MAIL_ADDRESS(
                "\"To\"") " FROM Mail"
                          " WHERE json_array_length(RcptTo) = 0 AND" NETCAP_MAIL_HOST
                          ") WHERE addr <> '' GROUP BY addr ORDER BY 2 DESC, 1 ASC",
     .output = e::kEmailAddress,
     .value_property = e::kEmailProperty,
     .counts = {kMails}},
    {.name = "ToMailAttachments",
     .display = "To Mail Attachments",
     .description = "Files attached to mails (by name and SHA-256), with mails and size",
     .tables = {"Mail"},
     .sql = "SELECT json_extract(p.value, '$.FileName') AS fname, COUNT(*),"
            " MAX(json_extract(p.value, '$.DecodedSize')),"
            " MIN(json_extract(p.value, '$.ContentType')),"
            " MAX(json_extract(p.value, '$.DecodedSize')), json_extract(p.value, '$.SHA256') AS sha"
            " FROM Mail, json_each(Mail.Parts) AS p"
            " WHERE json_extract(p.value, '$.IsAttachment') = 1 AND fname <> ''"
            " GROUP BY fname, sha ORDER BY 2 DESC, 1 ASC, sha ASC",
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kMails, kBytes},
     .extra = {"properties.contenttype", "properties.size", "properties.sha256"}},
    {.name = "ToAttachmentsForMail",
     .display = "To Attachments For Mail",
     .description = "Files attached to the mails with this subject (or Message-ID)",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapMail,
     .input_properties = {e::kMailProperty, "properties.messageid"},
     .tables = {"Mail"},
     .sql = "SELECT json_extract(p.value, '$.FileName') AS fname, COUNT(*),"
            " MAX(json_extract(p.value, '$.DecodedSize')),"
            " MIN(json_extract(p.value, '$.ContentType')),"
            " MAX(json_extract(p.value, '$.DecodedSize')), json_extract(p.value, '$.SHA256') AS sha"
            " FROM Mail, json_each(Mail.Parts) AS p"
            " WHERE (" NETCAP_MAIL_SUBJECT " = ?1 OR MessageID = ?1)"
            " AND json_extract(p.value, '$.IsAttachment') = 1 AND fname <> ''"
            " GROUP BY fname, sha ORDER BY 2 DESC, 1 ASC, sha ASC",
     .output = e::kFile,
     .value_property = e::kFileProperty,
     .counts = {kMails, kBytes},
     .extra = {"properties.contenttype", "properties.size", "properties.sha256"}},
    {.name = "ToAttachmentHashes",
     .display = "To Attachment Hashes",
     .description = "SHA-256 and MD5 hashes of the mail attachments with this file name",
     .input = QueryInput::kEntity,
     .input_entity = e::kFile,
     .input_properties = {e::kFileProperty},
     .tables = {"Mail"},
     .sql = "SELECT h, COUNT(*), t FROM (SELECT json_extract(p.value, '$.SHA256') AS h,"
            " 'sha256' AS t FROM Mail, json_each(Mail.Parts) AS p"
            " WHERE json_extract(p.value, '$.FileName') = ?1 UNION ALL"
            " SELECT json_extract(p.value, '$.MD5'), 'md5' FROM Mail, json_each(Mail.Parts) AS p"
            " WHERE json_extract(p.value, '$.FileName') = ?1)"
            " WHERE h <> '' GROUP BY h, t ORDER BY 3 DESC, 2 DESC, 1 ASC",
     .output = e::kHash,
     .value_property = e::kHashProperty,
     .counts = {kAttachments},
     .extra = {"hash_type"}},
    {.name = "ToMailContentTypes",
     .display = "To Mail Content Types",
     .description = "Media types of MIME parts of mails, with parts and decoded bytes",
     .tables = {"Mail"},
     .sql = "SELECT lower(json_extract(p.value, '$.ContentType')) AS ct, COUNT(*),"
            " SUM(json_extract(p.value, '$.DecodedSize')) FROM Mail, json_each(Mail.Parts) AS p"
            " WHERE ct <> '' GROUP BY ct ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapContentType,
     .value_property = e::kContentTypeProperty,
     .counts = {kParts, kBytes}},
    {.name = "ToSMTPCommandTypes",
     .display = "To SMTP Command Types",
     .description = "SMTP command verbs, with commands and clients",
     .tables = {"SMTPCommand"},
     .sql = "SELECT Command, COUNT(*), COUNT(DISTINCT ClientIP) FROM SMTPCommand"
            " WHERE Command <> '' GROUP BY Command ORDER BY 2 DESC, 1 ASC",
     .output = e::kNetcapSMTPCommandType,
     .value_property = e::kSMTPCommandTypeProperty,
     .counts = {kCommands, kClients}},
    {.name = "ToMailUsers",
     .display = "To Mail Users",
     .description = "User names this host authenticated with over SMTP, POP3 or IMAP",
     .input = QueryInput::kIP,
     .sql = "SELECT user, COUNT(*) FROM ({sources}) GROUP BY user ORDER BY 2 DESC, 1 ASC",
     .sources = {{{"SMTPCommand",
                   "SELECT AuthUser AS user FROM SMTPCommand"
                   " WHERE ClientIP = ?1 AND AuthUser <> ''"},
                  {"POP3Command",
                   "SELECT AuthUser FROM POP3Command"
                   " WHERE ClientIP = ?1 AND AuthUser <> ''"},
                  {"IMAPCommand",
                   "SELECT AuthUser FROM IMAPCommand"
                   " WHERE ClientIP = ?1 AND AuthUser <> ''"}}},
     .output = e::kAlias,
     .value_property = e::kAliasProperty,
     .counts = {kCommands}},
};

#undef NETCAP_MAIL_ADDRESS
#undef NETCAP_MAIL_SENDER
#undef NETCAP_MAIL_SUBJECT
#undef NETCAP_MAIL_ROW
#undef NETCAP_MAIL_HOST

}  // namespace

Status register_mail_transforms(TransformRegistry& registry) {
  return register_query_transforms<kMailTransforms>(registry);
}

}  // namespace netcap::catalog
