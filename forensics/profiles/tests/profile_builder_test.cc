// ProfileBuilder on hand-built records, its limits, and ProfileSink over the real index sink
// (replace by key).
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "core/sinks/case_index.h"
#include "forensics/profiles/profile_sink.h"
#include "proto/connection.pb.h"
#include "proto/dhcp.pb.h"
#include "proto/dns.pb.h"
#include "proto/http.pb.h"
#include "proto/mysql.pb.h"
#include "proto/postgres.pb.h"
#include "proto/ssh.pb.h"
#include "proto/tls.pb.h"

using namespace netcap;
using namespace netcap::profiles;

namespace {

const FieldData& field_data() {
  static const FieldData kData = FieldData::load(FieldDataPaths{});
  return kData;
}

Connection connection(const std::string& src, const std::string& dst, int port,
                      const std::string& app, int64_t t) {
  Connection c;
  c.set_timestampfirst(t);
  c.set_timestamplast(t + 1000);
  c.set_transportproto("tcp");
  c.set_applicationproto(app);
  c.set_srcmac("08:00:27:aa:bb:cc");
  c.set_dstmac("00:0c:29:01:02:03");
  c.set_srcip(src);
  c.set_dstip(dst);
  c.set_srcport(40000);
  c.set_dstport(port);
  c.set_bytesclienttoserver(100);
  c.set_bytesservertoclient(1000);
  c.set_packetsclienttoserver(2);
  c.set_packetsservertoclient(3);
  c.set_payloadservertoclient(500);
  c.set_history("ShADadFf");
  return c;
}

template <typename T>
std::vector<const T*> of(const std::vector<std::unique_ptr<google::protobuf::Message>>& records) {
  std::vector<const T*> out;
  for (const auto& r : records) {
    if (r->GetDescriptor() == T::descriptor()) out.push_back(static_cast<const T*>(r.get()));
  }
  return out;
}

bool contains(const google::protobuf::RepeatedPtrField<std::string>& list, std::string_view v) {
  for (const std::string& s : list) {
    if (s == v) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("builder: hosts, devices, services and software from a small conversation") {
  ProfileBuilder builder(&field_data());
  builder.observe(connection("10.0.0.5", "93.184.216.34", 443, "tls", 1'000'000'000));
  builder.observe(connection("10.0.0.5", "10.0.0.9", 22, "ssh", 2'000'000'000));

  TLSClientHello hello;
  hello.set_timestamp(1'000'000'500);
  hello.set_srcip("10.0.0.5");
  hello.set_sni("www.bbc.co.uk");
  hello.set_ja3hash("abc123");
  hello.set_ja4("t13d1516h2_8daaf6152771_02713d6af862");
  builder.observe(hello);

  HTTP http;
  http.set_timestamp(3'000'000'000);
  http.set_clientip("10.0.0.5");
  http.set_serverip("10.0.0.9");
  http.set_serverport(80);
  http.set_host("Intranet.Example.com:8080");
  http.set_useragent(
      "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0");
  http.set_resversion("HTTP/1.1");
  http.set_statuscode(200);
  http.set_reason("OK");
  http.set_servername("Apache/2.4.41 (Ubuntu)");
  auto* server = http.add_responseheaders();
  server->set_name("Server");
  server->set_value("Apache/2.4.41 (Ubuntu)");
  auto* powered = http.add_responseheaders();
  powered->set_name("X-Powered-By");
  powered->set_value("PHP/7.4.3");
  builder.observe(http);

  SSH ssh;
  ssh.set_timestamp(2'000'000'100);
  ssh.set_clientip("10.0.0.5");
  ssh.set_serverip("10.0.0.9");
  ssh.set_serverport(22);
  ssh.set_serverbanner("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1");
  ssh.set_serversoftware("OpenSSH_8.9p1");
  ssh.set_clientbanner("SSH-2.0-PuTTY_Release_0.78");
  ssh.set_clientsoftware("PuTTY_Release_0.78");
  builder.observe(ssh);

  DNS dns;
  dns.set_timestamp(900'000'000);
  dns.set_isresponse(true);
  auto* a = dns.add_answers();
  a->set_name("www.bbc.co.uk.");
  a->set_typename_("A");
  a->set_ip("93.184.216.34");
  auto* ptr = dns.add_answers();
  ptr->set_name("9.0.0.10.in-addr.arpa");
  ptr->set_typename_("PTR");
  ptr->set_ptr("files.corp.example.org");
  builder.observe(dns);

  DHCPv4 request;
  request.set_timestamp(500'000'000);
  request.set_operation(1);
  request.set_clienthwaddr("08:00:27:aa:bb:cc");
  request.set_hostname("laptop-7");
  request.set_vendorclassid("MSFT 5.0");
  request.set_fingerprint("1,3,6,15,31,33");
  builder.observe(request);
  DHCPv4 ack;
  ack.set_timestamp(600'000'000);
  ack.set_operation(2);
  ack.set_messagetype(5);
  ack.set_clienthwaddr("08:00:27:aa:bb:cc");
  ack.set_yourclientip("10.0.0.5");
  builder.observe(ack);

  auto records = builder.snapshot();
  auto hosts = of<HostProfile>(records);
  const HostProfile* client = nullptr;
  const HostProfile* web = nullptr;
  const HostProfile* files = nullptr;
  for (const HostProfile* h : hosts) {
    if (h->ip() == "10.0.0.5") client = h;
    if (h->ip() == "93.184.216.34") web = h;
    if (h->ip() == "10.0.0.9") files = h;
  }
  REQUIRE(client != nullptr);
  REQUIRE(web != nullptr);
  REQUIRE(files != nullptr);
  CHECK(contains(client->snis(), "www.bbc.co.uk"));
  CHECK(contains(client->httphosts(), "intranet.example.com"));
  CHECK(contains(client->registereddomains(), "bbc.co.uk"));
  CHECK(contains(client->registereddomains(), "example.com"));
  CHECK(contains(client->ja3s(), "abc123"));
  CHECK(contains(client->portscontacted(), "tcp/443"));
  CHECK(contains(client->portscontacted(), "tcp/22"));
  CHECK(contains(client->software(), "Firefox 115.0"));
  CHECK(contains(client->software(), "PuTTY_Release_0.78"));
  CHECK(contains(client->dnsnames(), "laptop-7"));
  CHECK(contains(client->macs(), "08:00:27:aa:bb:cc"));
  CHECK(client->os() == "Ubuntu");
  CHECK(client->bytessent() == 200);
  CHECK(client->bytesreceived() == 2000);
  CHECK(client->connections() == 2);
  CHECK(client->timestampfirst() == 600'000'000);
  CHECK(client->timestamplast() == 3'000'000'000);
  CHECK(contains(web->dnsnames(), "www.bbc.co.uk"));
  CHECK(contains(web->services(), "tcp/443 tls"));
  CHECK(contains(files->dnsnames(), "files.corp.example.org"));
  CHECK(contains(files->registereddomains(), "example.org"));
  CHECK(contains(files->software(), "OpenSSH 8.9p1 Ubuntu 3ubuntu0.1"));
  CHECK(files->os() == "Linux");

  auto services = of<Service>(records);
  const Service* sshd = nullptr;
  const Service* httpd = nullptr;
  for (const Service* s : services) {
    if (s->ip() == "10.0.0.9" && s->port() == 22) sshd = s;
    if (s->ip() == "10.0.0.9" && s->port() == 80) httpd = s;
  }
  REQUIRE(sshd != nullptr);
  CHECK(sshd->protocol() == "ssh");
  CHECK(sshd->banner() == "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1");
  CHECK(sshd->nmapservice() == "ssh");
  CHECK(sshd->product() == "OpenSSH");
  CHECK(sshd->version() == "8.9p1 Ubuntu 3ubuntu0.1");
  CHECK(sshd->os() == "Linux");
  CHECK(contains(sshd->clients(), "10.0.0.5"));
  CHECK(sshd->connections() == 1);
  CHECK(sshd->bytesservertoclient() == 1000);
  REQUIRE(httpd != nullptr);
  CHECK(httpd->product() == "Apache httpd");
  CHECK(httpd->version() == "2.4.41");

  auto devices = of<DeviceProfile>(records);
  const DeviceProfile* laptop = nullptr;
  for (const DeviceProfile* d : devices) {
    if (d->mac() == "08:00:27:aa:bb:cc") laptop = d;
  }
  REQUIRE(laptop != nullptr);
  CHECK(laptop->vendor() == "PCS Systemtechnik GmbH");
  CHECK(laptop->dhcphostname() == "laptop-7");
  CHECK(laptop->dhcpvendorclass() == "MSFT 5.0");
  CHECK(laptop->dhcpfingerprint() == "1,3,6,15,31,33");
  CHECK(contains(laptop->ips(), "10.0.0.5"));
  CHECK(laptop->packetssent() == 4);
  CHECK(laptop->bytesreceived() == 2000);

  auto software = of<Software>(records);
  bool firefox = false, php = false, openssh = false, apache = false;
  for (const Software* s : software) {
    if (s->product() == "Firefox" && s->source() == "http.user_agent") {
      firefox = true;
      CHECK(s->version() == "115.0");
      CHECK(contains(s->oses(), "Ubuntu"));
      CHECK(contains(s->hosts(), "10.0.0.5"));
    }
    if (s->product() == "PHP" && s->source() == "http.x_powered_by") {
      php = s->version() == "7.4.3" && contains(s->hosts(), "10.0.0.9");
    }
    if (s->product() == "OpenSSH" && s->source() == "ssh.server_banner") {
      openssh = true;
      CHECK(s->vendor() == "openbsd");
      CHECK(contains(s->evidence(), "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1"));
    }
    if (s->product() == "Apache httpd" && s->source() == "http.server") apache = true;
  }
  CHECK(firefox);
  CHECK(php);
  CHECK(openssh);
  CHECK(apache);
}

TEST_CASE("builder: every table and list is bounded, and hits are counted") {
  ProfileLimits limits;
  limits.max_hosts = 3;
  limits.max_devices = 1;
  limits.max_services = 2;
  limits.max_list_items = 2;
  ProfileBuilder builder(&field_data(), limits);
  for (int i = 9; i >= 0; --i) {  // largest first: the list must still end with the smallest
    Connection c = connection("10.0.0.1", "10.0.1." + std::to_string(i), 1000 + i, "http", 1000);
    c.set_srcmac("00:0c:29:00:00:0" + std::to_string(i));
    builder.observe(c);
  }
  auto records = builder.snapshot();
  CHECK(of<HostProfile>(records).size() == 3);
  CHECK(of<DeviceProfile>(records).size() == 1);
  CHECK(of<Service>(records).size() == 2);
  CHECK(builder.stats().dropped_hosts > 0);
  CHECK(builder.stats().dropped_devices > 0);
  CHECK(builder.stats().dropped_services > 0);
  for (const HostProfile* h : of<HostProfile>(records)) {
    if (h->ip() != "10.0.0.1") continue;
    CHECK(h->peers_size() == 2);
    CHECK(h->portscontacted_size() == 2);
    CHECK(h->truncated());
    // A full list keeps the smallest items, whatever the order they came in.
    CHECK(h->peers(0) == "10.0.1.0");
    CHECK(h->peers(1) == "10.0.1.1");
    CHECK(h->connections() == 10);
  }
}

TEST_CASE("builder: mid-stream flows count only when oriented; group addresses are no services") {
  ProfileBuilder builder(&field_data());
  Connection reversed = connection("10.0.0.1", "10.0.0.2", 51000, "", 1000);
  reversed.set_srcport(443);
  reversed.set_history("DdA");  // no SYN seen: the engine's orientation is a guess
  builder.observe(reversed);
  Connection https = connection("10.0.0.3", "10.0.0.4", 443, "tls", 1000);
  https.set_history("Dd");
  builder.observe(https);
  Connection dhcp = connection("0.0.0.0", "255.255.255.255", 67, "dhcp", 1000);
  dhcp.set_transportproto("udp");
  builder.observe(dhcp);  // a broadcast is not a service of 255.255.255.255
  Connection mdns = connection("10.0.0.3", "224.0.0.251", 5353, "dns", 1000);
  mdns.set_transportproto("udp");
  builder.observe(mdns);
  auto records = builder.snapshot();
  auto services = of<Service>(records);
  REQUIRE(services.size() == 1);
  CHECK(services[0]->ip() == "10.0.0.4");
  CHECK(services[0]->port() == 443);
}

TEST_CASE("builder: MySQL greetings are service banners, client attributes name software") {
  ProfileBuilder builder(&field_data());
  MySQL m;
  m.set_timestamp(1000);
  m.set_clientip("10.0.0.5");
  m.set_serverip("10.0.0.9");
  m.set_serverport(3306);
  m.set_serverversion("5.5.5-10.11.6-MariaDB-0+deb12u1");
  m.add_clientattributes("_client_name=libmariadb");
  m.add_clientattributes("_client_version=3.3.8");
  m.add_clientattributes("program_name=mysqldump");
  builder.observe(m);
  MySQL refused;
  refused.set_timestamp(2000);
  refused.set_serverip("10.0.0.10");
  refused.set_serverport(3306);
  refused.set_errorcode(1130);
  refused.set_errormessage("Host '10.0.0.5' is not allowed to connect to this MySQL server");
  builder.observe(refused);
  auto changed = builder.take_changed();
  std::map<std::string, const Service*> services;
  for (const Service* s : of<Service>(changed)) services[s->ip()] = s;
  REQUIRE(services.count("10.0.0.9") == 1);
  CHECK(services["10.0.0.9"]->banner() == "5.5.5-10.11.6-MariaDB-0+deb12u1");
  REQUIRE(services.count("10.0.0.10") == 1);
  // nmap's NULL-probe lines match the rebuilt packets (field data present on the machine).
  if (field_data().nmap.has_value()) {
    CHECK(services["10.0.0.10"]->nmapservice() == "mysql");
    CHECK(services["10.0.0.10"]->info() == "unauthorized");
  }
  std::set<std::string> software;
  for (const Software* s : of<Software>(changed))
    software.insert(s->product() + " " + s->version() + " " + s->source());
  CHECK(software.count("libmariadb 3.3.8 mysql.client_attributes") == 1);
  CHECK(software.count("mysqldump  mysql.client_attributes") == 1);
}

TEST_CASE("builder: PostgreSQL server versions and application names") {
  ProfileBuilder builder(&field_data());
  PostgreSQL p;
  p.set_timestamp(1000);
  p.set_clientip("10.0.0.5");
  p.set_serverip("10.0.0.9");
  p.set_serverport(5432);
  p.set_serverversion("15.5 (Debian 15.5-0+deb12u1)");
  p.set_applicationname("pgAdmin 4");
  builder.observe(p);
  auto changed = builder.take_changed();
  auto services = of<Service>(changed);
  REQUIRE(services.size() == 1);
  CHECK(services[0]->banner() == "PostgreSQL 15.5 (Debian 15.5-0+deb12u1)");
  std::set<std::string> software;
  for (const Software* s : of<Software>(changed))
    software.insert(s->product() + "|" + s->version() + "|" + s->source());
  CHECK(software.count("PostgreSQL|15.5|postgres.server_version") == 1);
  CHECK(software.count("pgAdmin 4||postgres.application_name") == 1);
}

TEST_CASE("builder: take_changed returns only what changed since the last call") {
  ProfileBuilder builder(&field_data());
  builder.observe(connection("10.0.0.1", "10.0.0.2", 80, "http", 1000));
  CHECK(builder.take_changed().size() == 5);  // service, 2 devices, 2 hosts
  CHECK(builder.take_changed().empty());
  TLSClientHello hello;
  hello.set_srcip("10.0.0.1");
  hello.set_sni("example.com");
  builder.observe(hello);
  auto changed = builder.take_changed();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0]->GetDescriptor() == HostProfile::descriptor());
}

TEST_CASE("profile sink: summaries replace their earlier rows in the index") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "netcap-profiles-sink-test";
  fs::remove_all(dir);
  SinkOptions options;
  options.case_dir = dir.string();
  auto index = open_index_sink(options);
  REQUIRE(index);
  ProfileSinkOptions sink_options;
  sink_options.snapshot_every_records = 1;  // a snapshot at every flush
  netcap::MailboxSink mailbox(std::move(index.value()));
  auto sink = make_profile_sink(
      mailbox, std::make_unique<FieldData>(FieldData::load(FieldDataPaths{})), sink_options);
  // The capture's arrangement: every record to the index and to the profile sink, each sink on
  // its own thread; the summaries travel to the index through its mailbox.
  bool profiles_ok = true;  // Catch2 assertions are not thread-safe: checked after the join
  std::thread profiles_thread([&] {
    for (int i = 0; i < 3; ++i) {
      auto c = connection("10.0.0.1", "10.0.0.2", 80, "http", 1000 + i);
      profiles_ok = profiles_ok && sink->write(c).is_ok() && sink->flush().is_ok();
    }
  });
  for (int i = 0; i < 3; ++i) {
    REQUIRE(mailbox.write(connection("10.0.0.1", "10.0.0.2", 80, "http", 1000 + i)));
    REQUIRE(mailbox.flush());
  }
  profiles_thread.join();
  REQUIRE(profiles_ok);
  REQUIRE(sink->close());    // the final summaries and meta are posted ...
  REQUIRE(mailbox.close());  // ... and delivered before the index closes

  auto db = CaseIndex::open_read_only(dir.string());
  REQUIRE(db);
  auto rows = db->run_user_sql("SELECT Connections FROM Service", 10);
  REQUIRE(rows);
  REQUIRE(rows->rows.size() == 1);
  CHECK(std::get<int64_t>(rows->rows[0][0]) == 3);
  auto hosts = db->run_user_sql("SELECT count(*) FROM HostProfile", 10);
  REQUIRE(hosts);
  CHECK(std::get<int64_t>(hosts->rows[0][0]) == 2);
  auto connections = db->run_user_sql("SELECT count(*) FROM Connection", 10);
  REQUIRE(connections);
  CHECK(std::get<int64_t>(connections->rows[0][0]) == 3);
  auto meta = db->run_user_sql("SELECT value FROM meta WHERE key = 'profiles.mac_vendors'", 10);
  REQUIRE(meta);
  REQUIRE(meta->rows.size() == 1);
  CHECK(std::get<std::string>(meta->rows[0][0]).starts_with("loaded "));
  fs::remove_all(dir);
}
