// Tests of the application-protocol transforms (DNS, HTTP, TLS, SSH, DHCP, NTP, mail, logins,
// SIP, SMB, application protocols): a small case index is written through the real index sink
// from hand-built records, the transforms run through the registry, and every answer is
// compared with values worked out by hand from those records (entity types, values, link
// labels and the main extra properties).
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/sinks/record_sink.h"
#include "entities/entity_catalog.h"
#include "proto/connection.pb.h"
#include "proto/dhcp.pb.h"
#include "proto/dns.pb.h"
#include "proto/ftp.pb.h"
#include "proto/http.pb.h"
#include "proto/mail.pb.h"
#include "proto/ntp.pb.h"
#include "proto/sip.pb.h"
#include "proto/smb.pb.h"
#include "proto/ssh.pb.h"
#include "proto/telnet.pb.h"
#include "proto/tls.pb.h"
#include "transforms/maltego/response.h"
#include "transforms/registry.h"

namespace fs = std::filesystem;
using namespace netcap;

namespace {

const std::string kV4(entities::kIPv4Address);
const std::string kV6(entities::kIPv6Address);

// One output entity: type, value, link label and its properties.
struct Got {
  std::string type, value, label;
  std::map<std::string, std::string> properties;
};

// Type, value and label only, for comparisons.
struct Row {
  std::string type, value, label;
  bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
  return out << "{" << row.type << ", '" << row.value << "', '" << row.label << "'}";
}

// --- records -----------------------------------------------------------------------------

DNS dns_query(const std::string& client, const std::string& server, const std::string& name,
              const std::string& type) {
  DNS r;
  r.set_srcip(client);
  r.set_dstip(server);
  r.set_srcport(40000);
  r.set_dstport(53);
  r.set_isresponse(false);
  r.set_queryname(name);
  r.set_querytype(type);
  r.set_opcode(0);
  r.add_questions()->set_name(name);
  return r;
}

DNS dns_response(const std::string& server, const std::string& client, const std::string& name,
                 const std::string& rcode) {
  DNS r;
  r.set_srcip(server);
  r.set_dstip(client);
  r.set_isresponse(true);
  r.set_qr(true);
  r.set_queryname(name);
  r.set_querytype("A");
  r.set_responsecodename(rcode);
  return r;
}

HTTP http(const std::string& client, const std::string& server, const std::string& method,
          const std::string& host, const std::string& uri, const std::string& agent, int status,
          const std::string& content_type, const std::string& server_name, int64_t req_body,
          int64_t res_body) {
  HTTP r;
  r.set_clientip(client);
  r.set_serverip(server);
  r.set_method(method);
  r.set_host(host);
  r.set_uri(uri);
  r.set_useragent(agent);
  r.set_statuscode(status);
  r.set_rescontenttype(content_type);
  r.set_servername(server_name);
  r.set_requestbodysize(req_body);
  r.set_responsebodysize(res_body);
  r.set_hasrequest(true);
  r.set_hasresponse(status != 0);
  return r;
}

TLSClientHello client_hello(const std::string& client, const std::string& server,
                            const std::string& sni, const std::string& ja3_hash,
                            const std::string& ja4) {
  TLSClientHello r;
  r.set_srcip(client);
  r.set_dstip(server);
  r.set_sni(sni);
  r.set_ja3hash(ja3_hash);
  r.set_ja3("771,4865-4866," + ja3_hash);
  r.set_ja4(ja4);
  return r;
}

TLSServerHello server_hello(const std::string& server, const std::string& client,
                            const std::string& ja3s_hash, int version, int suite) {
  TLSServerHello r;
  r.set_srcip(server);
  r.set_dstip(client);
  r.set_ja3shash(ja3s_hash);
  r.set_ja3s("771,4865," + ja3s_hash);
  r.set_negotiatedversion(version);
  r.set_ciphersuite(suite);
  return r;
}

void write_records(RecordSink& sink) {
  std::vector<std::unique_ptr<google::protobuf::Message>> records;
  auto add = [&](auto record) {
    records.push_back(std::make_unique<decltype(record)>(std::move(record)));
  };

  // DNS: example.com asked 3 times by 2 clients, bad.test once (NXDOMAIN).
  add(dns_query("10.0.0.1", "8.8.8.8", "example.com", "A"));
  add(dns_query("10.0.0.1", "8.8.8.8", "example.com", "A"));
  add(dns_query("10.0.0.2", "8.8.8.8", "example.com", "AAAA"));
  add(dns_query("10.0.0.2", "1.1.1.1", "bad.test", "A"));
  {
    DNS r = dns_response("8.8.8.8", "10.0.0.1", "example.com", "NOERROR");
    auto* cname = r.add_answers();
    cname->set_name("example.com");
    cname->set_cname("cdn.example.net");
    auto* a = r.add_answers();
    a->set_name("cdn.example.net");
    a->set_ip("93.184.216.34");
    auto* aaaa = r.add_answers();
    aaaa->set_name("cdn.example.net");
    aaaa->set_ip("2606:2800::1");
    auto* txt = r.add_answers();
    txt->add_txts("v=spf1 -all");
    add(std::move(r));
  }
  {
    DNS r = dns_response("8.8.8.8", "10.0.0.1", "example.com", "NOERROR");
    r.add_answers()->set_ip("93.184.216.34");
    add(std::move(r));
  }
  add(dns_response("1.1.1.1", "10.0.0.2", "bad.test", "NXDOMAIN"));

  // HTTP: one URL visited by two clients, a 404 POST without Host, a CONNECT.
  {
    HTTP r = http("10.0.0.1", "93.184.216.34", "GET", "example.com", "/index.html?q=1", "curl/8",
                  200, "text/html; charset=utf-8", "nginx", 0, 100);
    auto* c = r.add_cookies();
    c->set_name("sid");
    c->set_value("abc");
    auto* p = r.add_parameters();
    p->set_name("q");
    p->set_value("1");
    auto* h = r.add_requestheaders();
    h->set_name("Host");
    h->set_value("example.com");
    h = r.add_requestheaders();
    h->set_name("User-Agent");
    h->set_value("curl/8");
    add(std::move(r));
  }
  {
    HTTP r = http("10.0.0.2", "93.184.216.34", "GET", "example.com", "/index.html?q=1",
                  "Mozilla/5.0", 200, "text/html", "nginx", 0, 50);
    auto* c = r.add_cookies();
    c->set_name("sid");
    c->set_value("xyz");
    auto* p = r.add_parameters();
    p->set_name("q");
    p->set_value("2");
    add(std::move(r));
  }
  add(http("10.0.0.1", "192.0.2.7", "POST", "", "/upload", "curl/8", 404, "application/json",
           "Apache", 10, 5));
  add(http("10.0.0.1", "192.0.2.8", "CONNECT", "example.org:443", "example.org:443", "curl/8", 200,
           "", "", 0, 0));

  // TLS
  add(client_hello("10.0.0.1", "93.184.216.34", "example.com", "aaa", "t13d_one"));
  add(client_hello("10.0.0.2", "93.184.216.34", "example.com", "aaa", "t13d_one"));
  add(client_hello("10.0.0.1", "192.0.2.7", "other.test", "bbb", "t12d_two"));
  add(server_hello("93.184.216.34", "10.0.0.1", "sss", 0x0304, 0x1301));
  add(server_hello("93.184.216.34", "10.0.0.2", "sss", 0x0304, 0x1301));
  add(server_hello("192.0.2.7", "10.0.0.1", "ttt", 0x0303, 0xC02F));
  for (const char* client : {"10.0.0.1", "10.0.0.2"}) {
    TLSCertificate r;
    r.set_srcip("93.184.216.34");
    r.set_dstip(client);
    r.set_subjectcn("example.com");
    r.set_subject("CN=example.com,O=Example");
    r.set_issuer("CN=Test CA");
    r.set_serialnumber("01");
    r.add_dnsnames("example.com");
    r.add_dnsnames("www.example.com");
    r.set_notbefore(int64_t{1700000000} * 1000000000);
    r.set_sha256("c1");
    add(std::move(r));
  }

  // SSH: two clients with the same software and HASSH, one server.
  for (const char* client : {"10.0.0.1", "10.0.0.2"}) {
    SSH r;
    r.set_clientip(client);
    r.set_serverip("192.0.2.22");
    r.set_clientbanner("SSH-2.0-OpenSSH_9.0");
    r.set_serverbanner("SSH-2.0-dropbear");
    r.set_hassh("h1");
    r.set_hasshalgorithms("curve25519-sha256;aes128-ctr;hmac-sha2-256;none");
    r.set_hasshserver("hs1");
    add(std::move(r));
  }

  // DHCP: the laptop asks for and gets 10.0.0.1; a phone with the same fingerprint.
  {
    DHCPv4 r;
    r.set_operation(1);
    r.set_clienthwaddr("aa:bb:cc:00:00:01");
    r.set_hostname("laptop");
    r.set_vendorclassid("MSFT 5.0");
    r.set_fingerprint("1,3,6,15");
    r.set_requestedip("10.0.0.1");
    r.set_clientip("0.0.0.0");
    add(std::move(r));
  }
  {
    DHCPv4 r;
    r.set_operation(2);
    r.set_clienthwaddr("aa:bb:cc:00:00:01");
    r.set_yourclientip("10.0.0.1");
    r.set_clientip("0.0.0.0");
    add(std::move(r));
  }
  {
    DHCPv4 r;
    r.set_operation(1);
    r.set_clienthwaddr("aa:bb:cc:00:00:02");
    r.set_hostname("phone");
    r.set_fingerprint("1,3,6,15");
    add(std::move(r));
  }
  {
    DHCPv6 r;
    r.set_srcip("fe80::1");
    r.set_msgtypename("SOLICIT");
    r.add_options()->set_name("CLIENTID");
    r.add_options()->set_name("ORO");
    r.add_options()->set_name("ORO");  // counted once per message
    add(std::move(r));
  }
  // NTP: a client request and a server answer from a GPS clock.
  {
    NTP r;
    r.set_srcip("10.0.0.1");
    r.set_dstip("192.0.2.123");
    r.set_mode(3);
    r.set_referenceid("");
    add(NTP(r));
    r.set_srcip("192.0.2.123");
    r.set_dstip("10.0.0.1");
    r.set_mode(4);
    r.set_referenceid("GPS");
    add(std::move(r));
  }

  // Mail: a sent report with an attachment, a fetched mail without envelope.
  {
    Mail r;
    r.set_timestamp(1);
    r.set_clientip("10.0.0.1");
    r.set_serverip("192.0.2.25");
    r.set_protocol("smtp");
    r.set_mailfrom("Alice@Example.com");
    r.add_rcptto("bob@example.org");
    r.add_rcptto("carol@example.org");
    r.set_from("Alice <alice@example.com>");
    r.set_to("Bob <bob@example.org>");
    r.set_subject("Report");
    r.set_messageid("<m1@example.com>");
    r.set_size(2000);
    r.set_attachments(1);
    auto* part = r.add_parts();
    part->set_filename("r.pdf");
    part->set_isattachment(true);
    part->set_contenttype("application/pdf");
    part->set_decodedsize(1000);
    part->set_sha256("f1");
    part->set_md5("m1");
    part = r.add_parts();
    part->set_contenttype("text/plain");
    part->set_decodedsize(20);
    add(std::move(r));
  }
  {
    Mail r;
    r.set_timestamp(2);
    r.set_clientip("10.0.0.2");
    r.set_serverip("192.0.2.110");
    r.set_protocol("pop3");
    r.set_from("\"Eve\" <eve@evil.test>");
    r.set_to("bob@example.org");
    r.set_size(300);
    add(std::move(r));
  }
  for (const char* verb : {"EHLO", "AUTH", "MAIL"}) {
    SMTPCommand r;
    r.set_clientip("10.0.0.1");
    r.set_serverip("192.0.2.25");
    r.set_command(verb);
    if (std::string(verb) == "AUTH") r.set_authuser("alice");
    add(std::move(r));
  }
  {
    POP3Command r;
    r.set_clientip("10.0.0.2");
    r.set_command("USER");
    r.set_authuser("bob");
    add(std::move(r));
  }

  // FTP: an anonymous login and one download.
  {
    FTP r;
    r.set_clientip("10.0.0.2");
    r.set_serverip("192.0.2.21");
    r.set_command("USER");
    r.set_argument("anonymous");
    r.set_user("anonymous");
    add(FTP(r));
    r.set_command("PASS");
    r.set_argument("guest@");
    r.set_password("guest@");
    add(FTP(r));
    r.set_command("RETR");
    r.set_argument("file.txt");
    r.set_password("");
    add(FTP(r));
  }
  {
    FTPData r;
    r.set_clientip("10.0.0.2");
    r.set_serverip("192.0.2.21");
    r.set_filename("file.txt");
    r.set_bytes(1234);
    add(std::move(r));
  }
  // Telnet: root logs in and types three lines.
  {
    Telnet r;
    r.set_clientip("10.0.0.2");
    r.set_serverip("192.0.2.23");
    r.set_username("root");
    r.set_password("toor");
    r.add_commands("id");
    r.add_commands("ls -la");
    r.add_commands("id");
    add(std::move(r));
  }
  // SMB2: CORP\admin opens a file on a share.
  {
    SMB2SessionSetup r;
    r.set_clientip("10.0.0.2");
    r.set_serverip("192.0.2.45");
    r.set_user("admin");
    r.set_domain("CORP");
    add(std::move(r));
  }
  {
    SMB2TreeConnect r;
    r.set_clientip("10.0.0.2");
    r.set_serverip("192.0.2.45");
    r.set_path("\\\\srv\\share");
    add(std::move(r));
  }
  {
    SMB2File r;
    r.set_clientip("10.0.0.2");
    r.set_serverip("192.0.2.45");
    r.set_share("\\\\srv\\share");
    r.set_filename("doc.txt");
    r.set_bytesread(10);
    r.set_byteswritten(5);
    add(std::move(r));
  }
  // SIP: an authenticated INVITE and its answer.
  {
    SIP r;
    r.set_srcip("10.0.0.1");
    r.set_dstip("192.0.2.50");
    r.set_isrequest(true);
    r.set_method("INVITE");
    r.set_callid("call-1");
    r.set_useragent("Linphone");
    r.mutable_from()->set_uri("sip:alice@example.com");
    r.mutable_to()->set_uri("sip:bob@example.com");
    r.set_hasauthorization(true);
    r.mutable_authorization()->set_username("alice");
    add(SIP(r));
    r.set_srcip("192.0.2.50");
    r.set_dstip("10.0.0.1");
    r.set_isrequest(false);
    r.set_method("");
    r.set_statuscode(200);
    r.set_useragent("");
    r.set_hasauthorization(false);
    r.clear_authorization();
    add(std::move(r));
  }
  // Connections with detected application protocols.
  {
    Connection r;
    r.set_srcip("10.0.0.1");
    r.set_dstip("93.184.216.34");
    r.set_transportproto("tcp");
    r.set_applicationproto("http");
    r.set_numpackets(10);
    r.set_totalsize(1000);
    r.set_uid("C1");
    add(Connection(r));
    r.set_srcip("10.0.0.2");
    r.set_uid("C2");
    r.set_numpackets(4);
    r.set_totalsize(400);
    add(Connection(r));
    r.set_dstip("8.8.8.8");
    r.set_transportproto("udp");
    r.set_applicationproto("dns");
    r.set_uid("C3");
    r.set_numpackets(2);
    r.set_totalsize(150);
    add(std::move(r));
  }

  for (const auto& record : records) REQUIRE(sink.write(*record));
  REQUIRE(sink.flush());
  REQUIRE(sink.close());
}

// The per-process case, built once.
const std::string& case_dir() {
  struct Case {
    fs::path path =
        fs::temp_directory_path() / ("netcap-app-transform-tests-" + std::to_string(getpid()));
    Case() {
      SinkOptions options;
      options.case_dir = path.string();
      options.input_source = "app_transform_tests";
      auto sink = open_index_sink(options);
      REQUIRE(sink);
      write_records(**sink);
    }
    ~Case() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Case instance;
  static const std::string dir = instance.path.string();
  return dir;
}

const TransformRegistry& registry() {
  static const TransformRegistry instance = [] {
    auto built = build_transform_registry();
    REQUIRE(built);
    return std::move(*built);
  }();
  return instance;
}

// Runs transform `id` on `value` (plus `properties`) in the test case.
std::vector<Got> run(const std::string& id, const std::string& value,
                     const std::map<std::string, std::string>& properties = {}) {
  const TransformSpec* spec = registry().find(id);
  INFO(id);
  REQUIRE(spec != nullptr);
  maltego::TransformRequest request;
  request.type = spec->input_entity;
  request.value = value;
  request.properties.push_back({std::string(entities::kCaseProperty), {}, {}, case_dir()});
  for (const auto& [name, text] : properties) request.properties.push_back({name, {}, {}, text});
  maltego::TransformResponse response;
  Status status = execute_transform(*spec, request, 1000, response);
  INFO(status.message());
  REQUIRE(status);
  std::vector<Got> out;
  for (const maltego::ResponseEntity& entity : response.entities) {
    Got got{entity.type, entity.value, "", {}};
    for (const auto& property : entity.properties) {
      if (property.name == maltego::kLinkLabel) {
        got.label = property.value;
      } else {
        got.properties[property.name] = property.value;
      }
    }
    CHECK(got.properties[std::string(entities::kCaseProperty)] == case_dir());
    CHECK(std::find(spec->output_entities.begin(), spec->output_entities.end(), got.type) !=
          spec->output_entities.end());
    out.push_back(std::move(got));
  }
  return out;
}

std::vector<Row> rows(const std::string& id, const std::string& value,
                      const std::map<std::string, std::string>& properties = {}) {
  std::vector<Row> out;
  for (const Got& got : run(id, value, properties)) out.push_back({got.type, got.value, got.label});
  return out;
}

std::vector<Row> case_rows(const std::string& id) { return rows(id, case_dir()); }

}  // namespace

namespace {

Row ip(const std::string& address, const std::string& label) {
  return {address.find(':') != std::string::npos ? kV6 : kV4, address, label};
}
Row of(std::string_view type, const std::string& value, const std::string& label) {
  return {std::string(type), value, label};
}

const std::string kURL1 = "http://example.com/index.html?q=1";
const std::string kURL2 = "http://192.0.2.7/upload";

}  // namespace

TEST_CASE("app transforms: registry has the netcap ids and every entity is declared") {
  for (const char* id : {"netcap.ToDNSQuestions",
                         "netcap.ToHTTPHostnames",
                         "netcap.ToHTTPHosts",
                         "netcap.ToHTTPHostsIPv6",
                         "netcap.ToHTTPUniformResourceLocators",
                         "netcap.ToURLsForHost",
                         "netcap.ToHTTPUserAgents",
                         "netcap.ToHTTPServerNames",
                         "netcap.ToHTTPStatusCodes",
                         "netcap.ToHTTPContentTypes",
                         "netcap.ToHTTPCookies",
                         "netcap.ToHTTPHeaders",
                         "netcap.ToHTTPParameters",
                         "netcap.ToCookieValues",
                         "netcap.ToHeaderValues",
                         "netcap.ToParameterValues",
                         "netcap.ToVisitorsForURL",
                         "netcap.ToVisitorsForHost",
                         "netcap.ToProviderIPProfilesForURL",
                         "netcap.ToProviderIPProfilesForHost",
                         "netcap.ToServerNameIndicators",
                         "netcap.ToJA3Hashes",
                         "netcap.ToJA3SHashes",
                         "netcap.ToJA3HashesForProfile",
                         "netcap.ToSSHClients",
                         "netcap.ToSSHServers",
                         "netcap.ToDHCPClients",
                         "netcap.ToDHCP",
                         "netcap.ToDNSResponseCodes",
                         "netcap.ToDNSOpCodes",
                         "netcap.ToEmails",
                         "netcap.ToMails",
                         "netcap.ToMailFrom",
                         "netcap.ToMailTo",
                         "netcap.ToMailUsers",
                         "netcap.ToLoginInformation",
                         "netcap.ToSMTPCommandTypes",
                         "netcap.ToDHCPV6MessageTypes",
                         "netcap.ToNTPHosts",
                         "netcap.ToNTPReferenceIDs",
                         "netcap.ToApplications"}) {
    INFO(id);
    CHECK(registry().find(id) != nullptr);
  }
  CHECK(registry().size() >= 150);
  // Go netcap's entity ids and value properties are kept.
  CHECK(entities::find_entity("netcap.UserAgent")->main_property == "properties.useragent");
  CHECK(entities::find_entity("netcap.TLSClientHello")->main_property ==
        "properties.tlsclienthello");
  CHECK(entities::find_entity("netcap.DHCPClient")->main_property == "properties.dhcpclient");
  CHECK(entities::find_entity("maltego.DNSName")->main_property == "fqdn");
  CHECK(entities::find_entity("maltego.URL")->main_property == "url");
  CHECK(entities::find_entity("maltego.EmailAddress")->main_property == "email");
}

TEST_CASE("app transforms: DNS") {
  const std::string& dir = case_dir();
  CHECK(rows("netcap.ToDNSQuestions", dir) ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "3 queries\n2 clients"),
                         of(entities::kDNSName, "bad.test", "1 query\n1 client")});
  CHECK(rows("netcap.ToDNSQuestionsForHost", "10.0.0.2") ==
        std::vector<Row>{of(entities::kDNSName, "bad.test", "1 query"),
                         of(entities::kDNSName, "example.com", "1 query")});
  CHECK(rows("netcap.ToDNSQuestionsForHostIPv6", "fe80::1").empty());
  CHECK(case_rows("netcap.ToDNSResponseCodes") ==
        std::vector<Row>{of(entities::kNetcapDNSResponseCode, "NOERROR", "2 responses\n1 name"),
                         of(entities::kNetcapDNSResponseCode, "NXDOMAIN", "1 response\n1 name")});
  CHECK(case_rows("netcap.ToDNSOpCodes") ==
        std::vector<Row>{of(entities::kNetcapDNSOpCode, "0", "7 messages")});
  // Queries have RD unset here; responses set QR only.
  CHECK(case_rows("netcap.ToDNSFlagCombinations") ==
        std::vector<Row>{of(entities::kNetcapDNSFlagCombination, "none", "4 messages"),
                         of(entities::kNetcapDNSFlagCombination, "QR", "3 messages")});
  CHECK(case_rows("netcap.ToDNSQueryTypes") ==
        std::vector<Row>{of(entities::kNetcapDNSQueryType, "A", "3 queries\n2 names"),
                         of(entities::kNetcapDNSQueryType, "AAAA", "1 query\n1 name")});
  CHECK(case_rows("netcap.ToDNSServers") == std::vector<Row>{ip("8.8.8.8", "3 queries\n2 clients"),
                                                             ip("1.1.1.1", "1 query\n1 client")});
  CHECK(rows("netcap.ToDNSServersForHost", "10.0.0.2") ==
        std::vector<Row>{ip("1.1.1.1", "1 query"), ip("8.8.8.8", "1 query")});
  CHECK(rows("netcap.ToDNSClientsForName", "example.com") ==
        std::vector<Row>{ip("10.0.0.1", "2 queries"), ip("10.0.0.2", "1 query")});
  // The value may be missing: the fqdn property is used then.
  CHECK(rows("netcap.ToDNSClientsForName", "", {{"fqdn", "bad.test"}}) ==
        std::vector<Row>{ip("10.0.0.2", "1 query")});
  CHECK(rows("netcap.ToDNSAnswers", "example.com") ==
        std::vector<Row>{ip("93.184.216.34", "2 answers"), ip("2606:2800::1", "1 answer")});
  CHECK(rows("netcap.ToDNSAnswers", "bad.test").empty());
  CHECK(rows("netcap.ToDNSCNAMEs", "example.com") ==
        std::vector<Row>{of(entities::kDNSName, "cdn.example.net", "1 answer")});
  CHECK(rows("netcap.ToDNSTXTRecords", "example.com") ==
        std::vector<Row>{of(entities::kPhrase, "v=spf1 -all", "1 answer")});
  CHECK(rows("netcap.ToDNSMailServers", "example.com").empty());
  CHECK(rows("netcap.ToDNSNamesForIP", "93.184.216.34") ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "2 answers")});
  CHECK(rows("netcap.ToDNSNamesForIPIPv6", "2606:2800::1") ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "1 answer")});
  CHECK(rows("netcap.ToDNSNamesForResponseCode", "NXDOMAIN") ==
        std::vector<Row>{of(entities::kDNSName, "bad.test", "1 response")});
  CHECK(rows("netcap.ToDNSNamesForQueryType", "AAAA") ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "1 query")});
  // Input text is bound, never spliced into the SQL.
  CHECK(rows("netcap.ToDNSClientsForName", "x' OR '1'='1").empty());
}

TEST_CASE("app transforms: HTTP") {
  const auto site = [](const std::string& host, const std::string& label) {
    return of(entities::kWebsite, host, label);
  };
  const auto url = [](const std::string& value, const std::string& label) {
    return of(entities::kURL, value, label);
  };
  CHECK(case_rows("netcap.ToHTTPHostnames") ==
        std::vector<Row>{site("example.com", "2 requests\n2 clients\n150 bytes"),
                         site("example.org:443", "1 request\n1 client\n0 bytes")});
  CHECK(rows("netcap.ToHTTPHosts", "10.0.0.1") ==
        std::vector<Row>{site("example.com", "1 request\n100 bytes"),
                         site("example.org:443", "1 request\n0 bytes")});
  CHECK(case_rows("netcap.ToURLs") ==
        std::vector<Row>{url(kURL1, "2 requests\n2 clients\n150 bytes"),
                         url(kURL2, "1 request\n1 client\n15 bytes")});
  CHECK(rows("netcap.ToHTTPUniformResourceLocators", "10.0.0.1") ==
        std::vector<Row>{url(kURL2, "1 request\n15 bytes"), url(kURL1, "1 request\n100 bytes")});
  CHECK(rows("netcap.ToURLsForHost", "example.com") ==
        std::vector<Row>{url(kURL1, "2 requests\n2 clients\n150 bytes")});
  CHECK(rows("netcap.ToVisitorsForHost", "example.com") ==
        std::vector<Row>{ip("10.0.0.1", "1 request\n100 bytes"),
                         ip("10.0.0.2", "1 request\n50 bytes")});
  CHECK(rows("netcap.ToProviderIPProfilesForHost", "example.com") ==
        std::vector<Row>{ip("93.184.216.34", "2 requests\n150 bytes")});
  CHECK(rows("netcap.ToVisitorsForURL", kURL2) ==
        std::vector<Row>{ip("10.0.0.1", "1 request\n15 bytes")});
  CHECK(rows("netcap.ToProviderIPProfilesForURL", kURL1) ==
        std::vector<Row>{ip("93.184.216.34", "2 requests\n150 bytes")});
  CHECK(case_rows("netcap.ToUserAgents") ==
        std::vector<Row>{of(entities::kNetcapUserAgent, "curl/8", "3 requests\n1 client"),
                         of(entities::kNetcapUserAgent, "Mozilla/5.0", "1 request\n1 client")});
  CHECK(rows("netcap.ToHTTPUserAgents", "10.0.0.2") ==
        std::vector<Row>{of(entities::kNetcapUserAgent, "Mozilla/5.0", "1 request")});
  CHECK(rows("netcap.ToClientsForUserAgent", "curl/8") ==
        std::vector<Row>{ip("10.0.0.1", "3 requests")});
  CHECK(case_rows("netcap.ToServerNames") ==
        std::vector<Row>{of(entities::kNetcapServerName, "nginx", "2 responses\n1 server"),
                         of(entities::kNetcapServerName, "Apache", "1 response\n1 server")});
  CHECK(rows("netcap.ToHTTPServerNames", "192.0.2.7") ==
        std::vector<Row>{of(entities::kNetcapServerName, "Apache", "1 response")});
  CHECK(rows("netcap.ToServersForServerName", "nginx") ==
        std::vector<Row>{ip("93.184.216.34", "2 responses")});
  CHECK(case_rows("netcap.ToHTTPMethods") ==
        std::vector<Row>{of(entities::kNetcapHTTPMethod, "GET", "2 requests\n2 clients"),
                         of(entities::kNetcapHTTPMethod, "CONNECT", "1 request\n1 client"),
                         of(entities::kNetcapHTTPMethod, "POST", "1 request\n1 client")});
  CHECK(case_rows("netcap.ToStatusCodes") ==
        std::vector<Row>{of(entities::kNetcapHTTPStatusCode, "200", "3 responses\n2 servers"),
                         of(entities::kNetcapHTTPStatusCode, "404", "1 response\n1 server")});
  CHECK(rows("netcap.ToHTTPStatusCodes", "10.0.0.1") ==
        std::vector<Row>{of(entities::kNetcapHTTPStatusCode, "200", "2 responses"),
                         of(entities::kNetcapHTTPStatusCode, "404", "1 response")});
  CHECK(rows("netcap.ToURLsForStatusCode", "404") == std::vector<Row>{url(kURL2, "1 response")});
  CHECK(case_rows("netcap.ToContentTypes") ==
        std::vector<Row>{
            of(entities::kNetcapContentType, "text/html", "2 responses\n150 bytes"),
            of(entities::kNetcapContentType, "application/json", "1 response\n5 bytes")});
  CHECK(rows("netcap.ToHTTPContentTypes", "10.0.0.2") ==
        std::vector<Row>{of(entities::kNetcapContentType, "text/html", "1 response\n50 bytes")});
  CHECK(rows("netcap.ToURLsForContentType", "TEXT/HTML") ==
        std::vector<Row>{url(kURL1, "2 responses\n150 bytes")});
  CHECK(rows("netcap.ToHTTPCookies", "10.0.0.1") ==
        std::vector<Row>{of(entities::kNetcapHTTPCookie, "sid", "1 request")});
  CHECK(case_rows("netcap.ToCookieNames") ==
        std::vector<Row>{of(entities::kNetcapHTTPCookie, "sid", "2 requests\n2 clients")});
  auto values = run("netcap.ToCookieValues", "sid");
  REQUIRE(values.size() == 2);
  CHECK(values[0].value == "abc");
  CHECK(values[0].label == "1 request\n1 client");
  CHECK(values[0].properties["properties.httpcookie"] == "sid");
  CHECK(values[1].value == "xyz");
  CHECK(rows("netcap.ToHTTPHeaders", "10.0.0.1") ==
        std::vector<Row>{of(entities::kNetcapHTTPHeader, "Host", "1 request"),
                         of(entities::kNetcapHTTPHeader, "User-Agent", "1 request")});
  CHECK(case_rows("netcap.ToHeaderNames").size() == 2);
  CHECK(rows("netcap.ToHeaderValues", "User-Agent") ==
        std::vector<Row>{of(entities::kNetcapHTTPHeaderValue, "curl/8", "1 request\n1 client")});
  CHECK(rows("netcap.ToHTTPParameters", "10.0.0.2") ==
        std::vector<Row>{of(entities::kNetcapHTTPParameter, "q", "1 request")});
  CHECK(case_rows("netcap.ToParameterNames") ==
        std::vector<Row>{of(entities::kNetcapHTTPParameter, "q", "2 requests\n2 clients")});
  CHECK(rows("netcap.ToParameterValues", "q") ==
        std::vector<Row>{of(entities::kNetcapHTTPParameterValue, "1", "1 request\n1 client"),
                         of(entities::kNetcapHTTPParameterValue, "2", "1 request\n1 client")});
}

TEST_CASE("app transforms: TLS") {
  auto ja3 = run("netcap.ToJA3Hashes", case_dir());
  REQUIRE(ja3.size() == 2);
  CHECK(Row{ja3[0].type, ja3[0].value, ja3[0].label} ==
        of(entities::kNetcapTLSClientHello, "aaa", "2 hellos\n2 clients"));
  CHECK(ja3[0].properties["properties.ja3"] == "771,4865-4866,aaa");
  CHECK(ja3[0].properties["properties.tlsclienthello"] == "aaa");
  CHECK(Row{ja3[1].type, ja3[1].value, ja3[1].label} ==
        of(entities::kNetcapTLSClientHello, "bbb", "1 hello\n1 client"));
  CHECK(rows("netcap.ToJA3HashesForProfile", "10.0.0.1") ==
        std::vector<Row>{of(entities::kNetcapTLSClientHello, "aaa", "1 hello"),
                         of(entities::kNetcapTLSClientHello, "bbb", "1 hello")});
  CHECK(rows("netcap.ToClientsForJA3", "aaa") ==
        std::vector<Row>{ip("10.0.0.1", "1 hello"), ip("10.0.0.2", "1 hello")});
  CHECK(rows("netcap.ToSNIsForJA3", "aaa") ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "2 hellos")});
  CHECK(case_rows("netcap.ToJA3SHashes") ==
        std::vector<Row>{of(entities::kNetcapTLSServerHello, "sss", "2 hellos\n1 server"),
                         of(entities::kNetcapTLSServerHello, "ttt", "1 hello\n1 server")});
  CHECK(rows("netcap.ToJA3SHashesForHost", "192.0.2.7") ==
        std::vector<Row>{of(entities::kNetcapTLSServerHello, "ttt", "1 hello")});
  CHECK(rows("netcap.ToServersForJA3S", "sss") ==
        std::vector<Row>{ip("93.184.216.34", "2 hellos")});
  CHECK(case_rows("netcap.ToJA4Fingerprints") ==
        std::vector<Row>{of(entities::kNetcapJA4, "t13d_one", "2 hellos\n2 clients"),
                         of(entities::kNetcapJA4, "t12d_two", "1 hello\n1 client")});
  CHECK(rows("netcap.ToJA4FingerprintsForHost", "10.0.0.2") ==
        std::vector<Row>{of(entities::kNetcapJA4, "t13d_one", "1 hello")});
  CHECK(rows("netcap.ToClientsForJA4", "t12d_two") == std::vector<Row>{ip("10.0.0.1", "1 hello")});
  CHECK(case_rows("netcap.ToSNIs") ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "2 hellos\n2 clients"),
                         of(entities::kDNSName, "other.test", "1 hello\n1 client")});
  CHECK(rows("netcap.ToServerNameIndicators", "10.0.0.1") ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "1 hello"),
                         of(entities::kDNSName, "other.test", "1 hello")});
  CHECK(rows("netcap.ToClientsForSNI", "example.com") ==
        std::vector<Row>{ip("10.0.0.1", "1 hello"), ip("10.0.0.2", "1 hello")});
  CHECK(rows("netcap.ToServersForSNI", "other.test") ==
        std::vector<Row>{ip("192.0.2.7", "1 hello")});
  CHECK(rows("netcap.ToJA3HashesForSNI", "example.com") ==
        std::vector<Row>{of(entities::kNetcapTLSClientHello, "aaa", "2 hellos\n2 clients")});

  auto certs = run("netcap.ToTLSCertificates", case_dir());
  REQUIRE(certs.size() == 1);
  CHECK(Row{certs[0].type, certs[0].value, certs[0].label} ==
        of(entities::kX509Certificate, "example.com", "2 handshakes\n1 sender"));
  CHECK(certs[0].properties["subjectDN"] == "CN=example.com,O=Example");
  CHECK(certs[0].properties["issuer"] == "CN=Test CA");
  CHECK(certs[0].properties["serial"] == "01");
  CHECK(certs[0].properties["san"] == "example.com, www.example.com");
  CHECK(certs[0].properties["validFrom"] == "2023-11-14T22:13:20Z");
  CHECK(certs[0].properties.count("validTo") == 0);  // NotAfter unknown
  CHECK(certs[0].properties["properties.sha256"] == "c1");
  CHECK(rows("netcap.ToCertificatesForHost", "93.184.216.34").size() == 1);
  CHECK(rows("netcap.ToCertificatesForHost", "10.0.0.1").empty());
  CHECK(rows("netcap.ToCertificateDNSNames", "example.com") ==
        std::vector<Row>{of(entities::kDNSName, "example.com", "2 handshakes"),
                         of(entities::kDNSName, "www.example.com", "2 handshakes")});
  CHECK(rows("netcap.ToServersForCertificate", "CN=example.com,O=Example") ==
        std::vector<Row>{ip("93.184.216.34", "2 handshakes")});
  CHECK(case_rows("netcap.ToTLSVersions") ==
        std::vector<Row>{of(entities::kNetcapTLSVersion, "TLS 1.3", "2 handshakes\n1 server"),
                         of(entities::kNetcapTLSVersion, "TLS 1.2", "1 handshake\n1 server")});
  CHECK(case_rows("netcap.ToTLSCipherSuites") ==
        std::vector<Row>{of(entities::kNetcapTLSCipherSuite, "0x1301", "2 handshakes\n1 server"),
                         of(entities::kNetcapTLSCipherSuite, "0xC02F", "1 handshake\n1 server")});
}

TEST_CASE("app transforms: SSH and application protocols") {
  const std::string client = "SSH-2.0-OpenSSH_9.0", server = "SSH-2.0-dropbear";
  CHECK(case_rows("netcap.ToSSHClients") ==
        std::vector<Row>{of(entities::kNetcapSSHClient, client, "2 sessions\n2 clients")});
  CHECK(case_rows("netcap.ToSSHServers") ==
        std::vector<Row>{of(entities::kNetcapSSHServer, server, "2 sessions\n1 server")});
  CHECK(rows("netcap.ToSSHClientsForHost", "10.0.0.2") ==
        std::vector<Row>{of(entities::kNetcapSSHClient, client, "1 session")});
  CHECK(rows("netcap.ToSSHServersForHost", "192.0.2.22") ==
        std::vector<Row>{of(entities::kNetcapSSHServer, server, "2 sessions")});
  CHECK(rows("netcap.ToHostsForSSHClient", client) ==
        std::vector<Row>{ip("10.0.0.1", "1 session"), ip("10.0.0.2", "1 session")});
  CHECK(rows("netcap.ToHostsForSSHServer", server) ==
        std::vector<Row>{ip("192.0.2.22", "2 sessions")});
  auto hassh = run("netcap.ToHASSHFingerprints", case_dir());
  REQUIRE(hassh.size() == 1);
  CHECK(hassh[0].value == "h1");
  CHECK(hassh[0].label == "2 sessions\n2 clients");
  CHECK(hassh[0].properties["properties.algorithms"] ==
        "curve25519-sha256;aes128-ctr;hmac-sha2-256;none");
  CHECK(case_rows("netcap.ToHASSHServerFingerprints") ==
        std::vector<Row>{of(entities::kNetcapHASSHServer, "hs1", "2 sessions\n1 server")});
  CHECK(rows("netcap.ToClientsForHASSH", "h1").size() == 2);
  CHECK(rows("netcap.ToServersForHASSHServer", "hs1") ==
        std::vector<Row>{ip("192.0.2.22", "2 sessions")});

  CHECK(case_rows("netcap.ToApplicationProtocols") ==
        std::vector<Row>{of(entities::kNetcapApplication, "http", "2 conns\n14 pkts\n1400 bytes"),
                         of(entities::kNetcapApplication, "dns", "1 conn\n2 pkts\n150 bytes")});
  CHECK(rows("netcap.ToApplications", "10.0.0.2") ==
        std::vector<Row>{of(entities::kNetcapApplication, "dns", "1 conn\n2 pkts\n150 bytes"),
                         of(entities::kNetcapApplication, "http", "1 conn\n4 pkts\n400 bytes")});
  CHECK(rows("netcap.ToClientsForApplication", "http") ==
        std::vector<Row>{ip("10.0.0.1", "1 conn\n10 pkts\n1000 bytes"),
                         ip("10.0.0.2", "1 conn\n4 pkts\n400 bytes")});
  CHECK(rows("netcap.ToServersForApplication", "dns") ==
        std::vector<Row>{ip("8.8.8.8", "1 conn\n2 pkts\n150 bytes")});
}

TEST_CASE("app transforms: DHCP and NTP") {
  const std::string laptop = "aa:bb:cc:00:00:01", phone = "aa:bb:cc:00:00:02";
  auto clients = run("netcap.ToDHCPClients", case_dir());
  REQUIRE(clients.size() == 2);
  CHECK(Row{clients[0].type, clients[0].value, clients[0].label} ==
        of(entities::kNetcapDHCPClient, laptop, "2 messages"));
  CHECK(clients[0].properties["properties.hostname"] == "laptop");
  CHECK(clients[0].properties["properties.vendorclass"] == "MSFT 5.0");
  CHECK(clients[0].properties["properties.fingerprint"] == "1,3,6,15");
  CHECK(Row{clients[1].type, clients[1].value, clients[1].label} ==
        of(entities::kNetcapDHCPClient, phone, "1 message"));
  CHECK(clients[1].properties["properties.hostname"] == "phone");
  CHECK(clients[1].properties.count("properties.vendorclass") == 0);
  CHECK(rows("netcap.ToDHCP", "10.0.0.1") ==
        std::vector<Row>{of(entities::kNetcapDHCPClient, laptop, "2 messages")});
  CHECK(rows("netcap.ToIPsForDHCPClient", laptop) ==
        std::vector<Row>{ip("10.0.0.1", "2 messages")});
  CHECK(
      case_rows("netcap.ToDHCPFingerprints") ==
      std::vector<Row>{of(entities::kNetcapDHCPFingerprint, "1,3,6,15", "2 messages\n2 clients")});
  CHECK(rows("netcap.ToDHCPClientsForFingerprint", "1,3,6,15") ==
        std::vector<Row>{of(entities::kNetcapDHCPClient, laptop, "2 messages"),
                         of(entities::kNetcapDHCPClient, phone, "1 message")});
  CHECK(case_rows("netcap.ToDHCPV6MessageTypes") ==
        std::vector<Row>{of(entities::kNetcapDHCPv6MessageType, "SOLICIT", "1 message\n1 sender")});
  CHECK(case_rows("netcap.ToDHCPV6Options") ==
        std::vector<Row>{of(entities::kNetcapDHCPv6Option, "CLIENTID", "1 message\n1 sender"),
                         of(entities::kNetcapDHCPv6Option, "ORO", "1 message\n1 sender")});
  CHECK(case_rows("netcap.ToNTPHosts") ==
        std::vector<Row>{ip("10.0.0.1", "2 messages"), ip("192.0.2.123", "2 messages")});
  CHECK(case_rows("netcap.ToNTPReferenceIDs") ==
        std::vector<Row>{of(entities::kNetcapNTPReferenceID, "GPS", "1 message\n1 server")});
}

TEST_CASE("app transforms: mail") {
  auto mails = run("netcap.ToEmails", case_dir());
  REQUIRE(mails.size() == 2);
  CHECK(Row{mails[0].type, mails[0].value, mails[0].label} ==
        of(entities::kNetcapMail, "Report", "1 attachment\n2000 bytes"));
  CHECK(mails[0].properties["properties.from"] == "Alice <alice@example.com>");
  CHECK(mails[0].properties["properties.to"] == "Bob <bob@example.org>");
  CHECK(mails[0].properties["properties.messageid"] == "<m1@example.com>");
  CHECK(mails[0].properties["properties.attachments"] == "1");
  CHECK(Row{mails[1].type, mails[1].value, mails[1].label} ==
        of(entities::kNetcapMail, "(no subject)", "0 attachments\n300 bytes"));
  CHECK(rows("netcap.ToMails", "10.0.0.2") ==
        std::vector<Row>{of(entities::kNetcapMail, "(no subject)", "0 attachments\n300 bytes")});
  CHECK(rows("netcap.ToMailsForEmailAddress", "BOB@example.org").size() == 2);
  CHECK(rows("netcap.ToMailsForEmailAddress", "eve@evil.test") ==
        std::vector<Row>{of(entities::kNetcapMail, "(no subject)", "0 attachments\n300 bytes")});
  CHECK(case_rows("netcap.ToMailSenders") ==
        std::vector<Row>{of(entities::kEmailAddress, "alice@example.com", "1 mail"),
                         of(entities::kEmailAddress, "eve@evil.test", "1 mail")});
  CHECK(rows("netcap.ToMailFrom", "10.0.0.1") ==
        std::vector<Row>{of(entities::kEmailAddress, "alice@example.com", "1 mail")});
  CHECK(case_rows("netcap.ToMailRecipients") ==
        std::vector<Row>{of(entities::kEmailAddress, "bob@example.org", "2 mails"),
                         of(entities::kEmailAddress, "carol@example.org", "1 mail")});
  CHECK(rows("netcap.ToMailTo", "10.0.0.2") ==
        std::vector<Row>{of(entities::kEmailAddress, "bob@example.org", "1 mail")});
  auto files = run("netcap.ToMailAttachments", case_dir());
  REQUIRE(files.size() == 1);
  CHECK(Row{files[0].type, files[0].value, files[0].label} ==
        of(entities::kFile, "r.pdf", "1 mail\n1000 bytes"));
  CHECK(files[0].properties["properties.contenttype"] == "application/pdf");
  CHECK(files[0].properties["properties.size"] == "1000");
  CHECK(files[0].properties["properties.sha256"] == "f1");
  CHECK(rows("netcap.ToAttachmentsForMail", "Report") ==
        std::vector<Row>{of(entities::kFile, "r.pdf", "1 mail\n1000 bytes")});
  CHECK(rows("netcap.ToAttachmentsForMail", "(no subject)").empty());
  auto hashes = run("netcap.ToAttachmentHashes", "r.pdf");
  REQUIRE(hashes.size() == 2);
  CHECK(hashes[0].value == "f1");
  CHECK(hashes[0].properties["hash_type"] == "sha256");
  CHECK(hashes[1].value == "m1");
  CHECK(hashes[1].properties["hash_type"] == "md5");
  CHECK(case_rows("netcap.ToMailContentTypes") ==
        std::vector<Row>{of(entities::kNetcapContentType, "application/pdf", "1 part\n1000 bytes"),
                         of(entities::kNetcapContentType, "text/plain", "1 part\n20 bytes")});
  CHECK(case_rows("netcap.ToSMTPCommandTypes") ==
        std::vector<Row>{of(entities::kNetcapSMTPCommandType, "AUTH", "1 command\n1 client"),
                         of(entities::kNetcapSMTPCommandType, "EHLO", "1 command\n1 client"),
                         of(entities::kNetcapSMTPCommandType, "MAIL", "1 command\n1 client")});
  CHECK(rows("netcap.ToMailUsers", "10.0.0.1") ==
        std::vector<Row>{of(entities::kAlias, "alice", "1 command")});
  CHECK(rows("netcap.ToMailUsers", "10.0.0.2") ==
        std::vector<Row>{of(entities::kAlias, "bob", "1 command")});
}

TEST_CASE("app transforms: logins, FTP, Telnet") {
  auto logins = run("netcap.ToLoginInformation", case_dir());
  std::vector<std::string> values;
  for (const Got& got : logins) {
    values.push_back(got.value);
    CHECK(got.label == "1 record\n1 client");
  }
  CHECK(values == std::vector<std::string>{"ftp: anonymous", "pop3: bob", "sip: alice",
                                           "smb: CORP\\admin", "smtp: alice", "telnet: root"});
  REQUIRE(logins.size() == 6);
  CHECK(logins[0].properties["properties.password"] == "guest@");
  CHECK(logins[0].properties["properties.service"] == "ftp");
  CHECK(logins[0].properties["properties.user"] == "anonymous");
  CHECK(logins[5].properties["properties.password"] == "toor");
  CHECK(logins[2].properties.count("properties.password") == 0);
  CHECK(rows("netcap.ToLoginInformationForHost", "10.0.0.1") ==
        std::vector<Row>{of(entities::kNetcapCredentials, "sip: alice", "1 record\n1 client"),
                         of(entities::kNetcapCredentials, "smtp: alice", "1 record\n1 client")});
  CHECK(rows("netcap.ToClientsForCredentials", "telnet: root") ==
        std::vector<Row>{ip("10.0.0.2", "1 record")});
  CHECK(rows("netcap.ToClientsForUser", "alice") == std::vector<Row>{ip("10.0.0.1", "2 records")});
  CHECK(case_rows("netcap.ToFTPUsers") ==
        std::vector<Row>{of(entities::kAlias, "anonymous", "1 command\n1 client")});
  CHECK(case_rows("netcap.ToFTPCommands") ==
        std::vector<Row>{of(entities::kNetcapFTPCommand, "PASS", "1 command\n1 client"),
                         of(entities::kNetcapFTPCommand, "RETR", "1 command\n1 client"),
                         of(entities::kNetcapFTPCommand, "USER", "1 command\n1 client")});
  CHECK(case_rows("netcap.ToFTPFiles") ==
        std::vector<Row>{of(entities::kFile, "file.txt", "1 transfer\n1234 bytes")});
  CHECK(rows("netcap.ToFTPFilesForHost", "192.0.2.21") ==
        std::vector<Row>{of(entities::kFile, "file.txt", "1 transfer\n1234 bytes")});
  CHECK(case_rows("netcap.ToTelnetUsers") ==
        std::vector<Row>{of(entities::kAlias, "root", "1 session\n1 client")});
  CHECK(case_rows("netcap.ToTelnetCommands") ==
        std::vector<Row>{of(entities::kPhrase, "id", "1 session"),
                         of(entities::kPhrase, "ls -la", "1 session")});
  CHECK(rows("netcap.ToTelnetCommandsForHost", "10.0.0.1").empty());
  CHECK(rows("netcap.ToTelnetCommandsForHost", "10.0.0.2").size() == 2);
}

TEST_CASE("app transforms: SIP and SMB") {
  auto calls = run("netcap.ToSIPCalls", case_dir());
  REQUIRE(calls.size() == 1);
  CHECK(Row{calls[0].type, calls[0].value, calls[0].label} ==
        of(entities::kNetcapSIPCall, "call-1", "2 messages"));
  CHECK(calls[0].properties["properties.from"] == "sip:alice@example.com");
  CHECK(calls[0].properties["properties.to"] == "sip:bob@example.com");
  CHECK(rows("netcap.ToSIPCallsForHost", "192.0.2.50") ==
        std::vector<Row>{of(entities::kNetcapSIPCall, "call-1", "2 messages")});
  CHECK(rows("netcap.ToHostsForSIPCall", "call-1") ==
        std::vector<Row>{ip("10.0.0.1", "2 messages"), ip("192.0.2.50", "2 messages")});
  CHECK(case_rows("netcap.ToSIPUserAgents") ==
        std::vector<Row>{of(entities::kNetcapUserAgent, "Linphone", "1 message\n1 host")});
  CHECK(case_rows("netcap.ToSIPMethods") ==
        std::vector<Row>{of(entities::kNetcapSIPMethod, "INVITE", "1 request\n1 host")});

  const std::string share = "\\\\srv\\share";
  CHECK(case_rows("netcap.ToSMBShares") ==
        std::vector<Row>{of(entities::kNetcapSMBShare, share, "1 connect\n1 client")});
  CHECK(rows("netcap.ToSMBSharesForHost", "192.0.2.45") ==
        std::vector<Row>{of(entities::kNetcapSMBShare, share, "1 connect")});
  CHECK(rows("netcap.ToClientsForSMBShare", share) ==
        std::vector<Row>{ip("10.0.0.2", "1 connect")});
  auto files = run("netcap.ToSMBFiles", case_dir());
  REQUIRE(files.size() == 1);
  CHECK(Row{files[0].type, files[0].value, files[0].label} ==
        of(entities::kNetcapSMBFile, "doc.txt", "1 open\n15 bytes"));
  CHECK(files[0].properties["properties.share"] == share);
  CHECK(files[0].properties["properties.bytesread"] == "10");
  CHECK(files[0].properties["properties.byteswritten"] == "5");
  CHECK(rows("netcap.ToSMBFilesForShare", share).size() == 1);
  CHECK(rows("netcap.ToSMBFilesForShare", "\\\\other\\share").empty());
  CHECK(rows("netcap.ToSMBFilesForHost", "10.0.0.2").size() == 1);
  CHECK(case_rows("netcap.ToSMBUsers") ==
        std::vector<Row>{of(entities::kAlias, "CORP\\admin", "1 setup\n1 client")});
}

TEST_CASE("app transforms: a case without application records answers empty, not an error") {
  const fs::path dir =
      fs::temp_directory_path() / ("netcap-app-transform-empty-" + std::to_string(getpid()));
  {
    SinkOptions options;
    options.case_dir = dir.string();
    auto sink = open_index_sink(options);
    REQUIRE(sink);
    Connection connection;
    connection.set_srcip("10.0.0.1");
    connection.set_dstip("10.0.0.2");
    connection.set_uid("C1");
    REQUIRE((*sink)->write(connection));
    REQUIRE((*sink)->close());
  }
  size_t ran = 0;
  for (const TransformSpec* spec : registry().list()) {
    INFO(spec->id);
    maltego::TransformRequest request;
    request.type = spec->input_entity;
    request.value = spec->input_entity == entities::kNetcapCase ? dir.string() : "x";
    request.properties.push_back({std::string(entities::kCaseProperty), {}, {}, dir.string()});
    maltego::TransformResponse response;
    Status status = execute_transform(*spec, request, 100, response);
    INFO(status.message());
    // Port transforms reject "x"; every other transform must answer.
    if (spec->input_entity == entities::kPort) continue;
    CHECK(status);
    ++ran;
  }
  CHECK(ran > 100);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}
