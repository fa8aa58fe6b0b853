// The transform server over real HTTP on 127.0.0.1 (ephemeral port): every transform answers
// what local mode answers, hostile requests get an exception document and the right status,
// and the server keeps serving.
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "entities/entity_catalog.h"
#include "transforms/maltego/request.h"
#include "transforms/registry.h"
#include "transforms/server/transform_server.h"

namespace fs = std::filesystem;
using namespace netcap;

namespace {

const fs::path& scratch_dir() {
  struct Scratch {
    fs::path path = fs::temp_directory_path() / ("netcap-server-tests-" + std::to_string(getpid()));
    ~Scratch() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Scratch scratch;
  return scratch.path;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The case built once per process from samples/rawip-http-dns.pcap with the real binary.
const std::string& sample_case() {
  static const std::string dir = [] {
    const fs::path d = scratch_dir() / "case";
    fs::create_directories(scratch_dir());
    const std::string command = quote(NETCAP_BINARY) + " capture -r " +
                                quote(std::string(NETCAP_SOURCE_DIR) + "/samples") + " -o " +
                                quote(d.string()) + " >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
    REQUIRE(fs::exists(d / "index.db"));
    return d.string();
  }();
  return dir;
}

std::string run_local(const std::vector<std::string>& args) {
  std::string command = quote(NETCAP_BINARY) + " transform local --utf8";
  for (const std::string& a : args) command += " " + quote(a);
  command += " 2>/dev/null </dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int raw = pclose(pipe);
  REQUIRE(WIFEXITED(raw));
  REQUIRE(WEXITSTATUS(raw) == 0);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// Envelope as in vectors/request/trx-request_body.xml; the limits are large so that local
// mode (--limit) and remote mode return the same entities.
std::string request_xml(const std::string& type, const std::string& value,
                        const std::string& case_dir, const std::string& fields = "",
                        int limit = 10000) {
  return "<MaltegoMessage><MaltegoTransformRequestMessage><Entities><Entity Type=\"" +
         xml_escape(type) + "\"><AdditionalFields><Field Name=\"path\" DisplayName=\"Path\">" +
         xml_escape(case_dir) + "</Field></AdditionalFields><Value>" + xml_escape(value) +
         "</Value><Weight>100</Weight></Entity></Entities><TransformFields>" + fields +
         "</TransformFields><Limits SoftLimit=\"" + std::to_string(limit) + "\" HardLimit=\"" +
         std::to_string(limit) + "\"/></MaltegoTransformRequestMessage></MaltegoMessage>";
}

struct Running {
  std::unique_ptr<TransformServer> server;
  std::unique_ptr<httplib::Client> client;
};

Running start_server(TransformServerOptions options) {
  if (options.cases.empty()) options.cases = {sample_case()};
  options.workers = 4;
  auto server = TransformServer::create(options);
  REQUIRE(server);
  REQUIRE((*server)->start());
  REQUIRE((*server)->port() > 0);
  Running r;
  r.server = std::move(*server);
  r.client = std::make_unique<httplib::Client>("127.0.0.1", r.server->port());
  r.client->set_connection_timeout(5, 0);
  r.client->set_read_timeout(20, 0);
  r.client->set_write_timeout(20, 0);
  return r;
}

bool is_exception_document(const std::string& body, const std::string& text_part = "") {
  if (body.rfind("<MaltegoMessage><MaltegoTransformExceptionMessage>", 0) != 0) return false;
  return text_part.empty() || body.find(text_part) != std::string::npos;
}

void check_health(httplib::Client& client) {
  auto res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.rfind("{\"status\":\"ok\"", 0) == 0);
}

httplib::Result post(httplib::Client& client, const std::string& path, const std::string& body) {
  return client.Post(path.c_str(), body, "text/xml");
}

}  // namespace

TEST_CASE("server answers every transform like local mode") {
  Running r = start_server({});
  Expected<TransformRegistry> registry = build_transform_registry();
  REQUIRE(registry);
  REQUIRE(registry->size() > 0);
  const std::string case_dir = sample_case();
  size_t with_entities = 0;
  // First entity value per type: the case transforms' outputs, then one more hop.
  std::map<std::string, std::string> pool;
  for (int hop = 0; hop < 2; ++hop) {
    for (const TransformSpec* producer : registry->list()) {
      maltego::TransformRequest seed;
      seed.type = producer->input_entity;
      if (producer->input_entity == entities::kNetcapCase) {
        seed.value = case_dir;
      } else if (hop == 1 && pool.count(producer->input_entity) > 0) {
        seed.value = pool[producer->input_entity];
        seed.properties.push_back({std::string(entities::kCaseProperty), {}, {}, case_dir});
      } else {
        continue;
      }
      maltego::TransformResponse seeded;
      if (!execute_transform(*producer, seed, 10000, seeded)) continue;
      for (const auto& entity : seeded.entities) pool.emplace(entity.type, entity.value);
    }
  }
  for (const TransformSpec* spec : registry->list()) {
    // Inputs: the case entity for case transforms, else a real entity of the input type from
    // the pool of entities the case yields (see entity_pool).
    std::string value = case_dir;
    if (spec->input_entity != entities::kNetcapCase) {
      auto it = pool.find(spec->input_entity);
      value = it == pool.end() ? "10.0.0.1" : it->second;
    }
    INFO("transform " << spec->id << " value " << value);
    auto res =
        post(*r.client, "/run/" + spec->id, request_xml(spec->input_entity, value, case_dir));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").rfind("text/xml", 0) == 0);
    std::string properties = std::string(entities::kCaseProperty) + "=" + case_dir;
    const std::string local = run_local({"--limit=10000", spec->id, value, properties});
    CHECK(res->body == local);
    CHECK(res->body.rfind("<MaltegoMessage><Maltego", 0) == 0);
    if (res->body.find("<Entity ") != std::string::npos) ++with_entities;
    // Name matching is case-insensitive (spec §2.1).
    auto lower = r.client->Get(("/run/" + spec->id).c_str());
    REQUIRE(lower);
    CHECK(lower->status == 200);
    CHECK(lower->body.find("is available") != std::string::npos);
  }
  // Not vacuous: most transforms found real rows in the sample case.
  CHECK(with_entities * 2 > registry->size());
  check_health(*r.client);
  r.server->stop();
}

TEST_CASE("server runs the base type's transforms for Go netcap entities") {
  Running r = start_server({});
  Expected<TransformRegistry> registry = build_transform_registry();
  REQUIRE(registry);
  const std::string case_dir = sample_case();
  const TransformSpec* devices = registry->find("netcap.ToDevicesForHost");
  const TransformSpec* ips = registry->find("netcap.ToIPsForDevice");
  REQUIRE(devices != nullptr);
  REQUIRE(ips != nullptr);
  // A host of the sample with a device, found through the declared input type.
  maltego::TransformRequest hosts_request;
  hosts_request.type = std::string(entities::kNetcapCase);
  hosts_request.value = case_dir;
  maltego::TransformResponse hosts;
  REQUIRE(execute_transform(*registry->find("netcap.ToHosts"), hosts_request, 10000, hosts));
  std::string host, mac;
  for (const auto& entity : hosts.entities) {
    if (entity.type != entities::kIPv4Address) continue;
    maltego::TransformRequest q;
    q.type = std::string(entities::kIPv4Address);
    q.value = entity.value;
    q.properties.push_back({std::string(entities::kCaseProperty), {}, {}, case_dir});
    maltego::TransformResponse answer;
    REQUIRE(execute_transform(*devices, q, 10000, answer));
    if (!answer.entities.empty()) {
      host = entity.value;
      mac = answer.entities.front().value;
      break;
    }
  }
  REQUIRE(!host.empty());
  const std::string expected =
      post(*r.client, "/run/netcap.ToDevicesForHost",
           request_xml(std::string(entities::kIPv4Address), host, case_dir))
          ->body;
  CHECK(expected.find("<Entity ") != std::string::npos);
  // netcap.InternalSourceIP -> netcap.IPAddr -> maltego.IPv4Address, without a Genealogy; its
  // path names a record file inside the case as Go netcap's entities do.
  const std::string record_file = case_dir + "/records/Connection.ncap.gz";
  REQUIRE(fs::exists(record_file));
  auto derived = post(*r.client, "/run/netcap.ToDevicesForHost",
                      request_xml("netcap.InternalSourceIP", host, record_file));
  REQUIRE(derived);
  CHECK(derived->body == expected);
  // netcap.Device carries "MAC\nvendor"; only the address is looked up.
  const std::string by_mac = post(*r.client, "/run/netcap.ToIPsForDevice",
                                  request_xml(std::string(entities::kMacAddress), mac, case_dir))
                                 ->body;
  CHECK(by_mac.find(host) != std::string::npos);
  auto device = post(*r.client, "/run/netcap.ToIPsForDevice",
                     request_xml("netcap.Device", mac + "\nSome Vendor Inc.", case_dir));
  REQUIRE(device);
  CHECK(device->body == by_mac);
  // An unrelated netcap type is still refused.
  auto wrong = post(*r.client, "/run/netcap.ToDevicesForHost",
                    request_xml("netcap.DNSName", host, case_dir));
  REQUIRE(wrong);
  CHECK(is_exception_document(wrong->body, "unsupported input entity type"));
  r.server->stop();
}

TEST_CASE("server routes: index, health, probe, unknown transform, methods") {
  Running r = start_server({});
  auto index = r.client->Get("/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->body.rfind("You have reached a Maltego Transform Server.\n", 0) == 0);
  CHECK(index->body.find("/run/netcap.") != std::string::npos);
  auto health = r.client->Get("/health");
  REQUIRE(health);
  CHECK(health->get_header_value("Content-Type") == "application/json");
  CHECK(health->body.find("\"transforms\":" + std::to_string(r.server->transform_count())) !=
        std::string::npos);
  CHECK(health->body.find(sample_case()) != std::string::npos);
  auto unknown = post(*r.client, "/run/nosuch/", request_xml("netcap.PCAP", sample_case(), ""));
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(is_exception_document(unknown->body, "No transform found with the name 'nosuch'."));
  auto unknown_get = r.client->Get("/run/nosuch");
  REQUIRE(unknown_get);
  CHECK(unknown_get->status == 404);
  auto empty = post(*r.client, "/run/netcap.tohosts", "");
  REQUIRE(empty);
  CHECK(empty->status == 200);
  CHECK(empty->body == "Transform 'netcap.ToHosts' is available; POST a MaltegoMessage to run it.");
  auto put = r.client->Put("/run/netcap.ToHosts", "x", "text/xml");
  REQUIRE(put);
  CHECK(put->status == 405);
  CHECK(put->get_header_value("Allow") == "GET, POST");
  check_health(*r.client);
}

TEST_CASE("server refuses hostile requests with exception documents") {
  TransformServerOptions options;
  options.max_request_bytes = 1024 * 1024;
  Running r = start_server(options);
  const std::string path = "/run/netcap.ToHosts";
  const std::string case_dir = sample_case();
  struct Hostile {
    std::string name, body;
    int status;
    std::string text;
  };
  const std::vector<Hostile> cases = {
      {"malformed", "<MaltegoMessage><MaltegoTransformRequestMessage>", 200,
       "Malformed request: invalid XML"},
      {"doctype",
       "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
       "\"&lol;&lol;&lol;&lol;\">]><MaltegoMessage>&lol2;</MaltegoMessage>",
       200, "Malformed request: DOCTYPE is not allowed"},
      {"not a request", "<Foo/>", 200, "Malformed request: not a MaltegoTransformRequestMessage"},
      {"wrong entity type", request_xml("maltego.Domain", "example.com", case_dir), 200,
       "Malformed request: unsupported input entity type 'maltego.Domain'"},
      {"invalid utf-8", request_xml("netcap.PCAP", "\xff\xfe\xc0\xaf", case_dir), 200,
       "Malformed request: invalid XML"},
      {"case not served", request_xml("netcap.PCAP", "/etc", "/etc"), 200,
       "Malformed request: case not served"},
      {"too large", std::string(2 * 1024 * 1024, 'A'), 413, ""},
  };
  for (const Hostile& h : cases) {
    INFO(h.name);
    auto res = post(*r.client, path, h.body);
    REQUIRE(res);
    CHECK(res->status == h.status);
    CHECK(is_exception_document(res->body, h.text));
    check_health(*r.client);
  }
  r.server->stop();
  r.server->stop();  // idempotent
}

TEST_CASE("server checks the API key setting") {
  TransformServerOptions options;
  options.api_keys = {"s3cret"};
  Running r = start_server(options);
  const std::string case_dir = sample_case();
  const std::string path = "/run/netcap.ToHosts";
  auto missing = post(*r.client, path, request_xml("netcap.PCAP", case_dir, case_dir));
  REQUIRE(missing);
  CHECK(is_exception_document(missing->body, "Malformed request: invalid API key"));
  auto wrong =
      post(*r.client, path,
           request_xml("netcap.PCAP", case_dir, case_dir, "<Field Name=\"apikey\">nope</Field>"));
  REQUIRE(wrong);
  CHECK(is_exception_document(wrong->body, "Malformed request: invalid API key"));
  for (const char* name : {"apikey", "global#apikey"}) {
    auto good = post(*r.client, path,
                     request_xml("netcap.PCAP", case_dir, case_dir,
                                 std::string("<Field Name=\"") + name + "\">s3cret</Field>"));
    REQUIRE(good);
    CHECK(good->status == 200);
    CHECK(good->body.rfind("<MaltegoMessage><MaltegoTransformResponseMessage>", 0) == 0);
  }
  check_health(*r.client);
}

TEST_CASE("server refuses bad options") {
  TransformServerOptions options;
  CHECK_FALSE(TransformServer::create(options));  // no case
  options.cases = {(scratch_dir() / "no-such-case").string()};
  CHECK_FALSE(TransformServer::create(options));
  options.cases = {sample_case()};
  options.tls_cert_file = "/nonexistent/cert.pem";
  CHECK_FALSE(TransformServer::create(options));  // key missing
  options.tls_key_file = "/nonexistent/key.pem";
  CHECK_FALSE(TransformServer::create(options));  // unreadable files
}

TEST_CASE("server speaks HTTPS with a certificate and key") {
  const fs::path cert = scratch_dir() / "cert.pem";
  const fs::path key = scratch_dir() / "key.pem";
  fs::create_directories(scratch_dir());
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " +
                              quote(key.string()) + " -out " + quote(cert.string()) +
                              " -days 1 -subj /CN=localhost >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    WARN("openssl command line tool not available: skipping the HTTPS test");
    return;
  }
  TransformServerOptions options;
  options.cases = {sample_case()};
  options.tls_cert_file = cert.string();
  options.tls_key_file = key.string();
  auto server = TransformServer::create(options);
  REQUIRE(server);
  REQUIRE((*server)->start());
  CHECK((*server)->url().rfind("https://127.0.0.1:", 0) == 0);
  httplib::SSLClient client("127.0.0.1", (*server)->port());
  client.enable_server_certificate_verification(false);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(20, 0);
  auto res = client.Post("/run/netcap.ToHosts",
                         request_xml("netcap.PCAP", sample_case(), sample_case()), "text/xml");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("<Entity ") != std::string::npos);
  (*server)->stop();
}

TEST_CASE("server serves concurrent clients") {
  Running r = start_server({});
  const std::string body = request_xml("netcap.PCAP", sample_case(), sample_case());
  const std::string expected = post(*r.client, "/run/netcap.ToHosts", body)->body;
  REQUIRE(expected.find("<Entity ") != std::string::npos);
  std::vector<std::thread> threads;
  std::vector<int> matches(4, 0);
  for (size_t t = 0; t < matches.size(); ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", r.server->port());
      client.set_read_timeout(20, 0);
      for (int i = 0; i < 5; ++i) {
        auto res = client.Post("/run/netcap.ToHosts", body, "text/xml");
        if (res && res->status == 200 && res->body == expected) ++matches[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int m : matches) CHECK(m == 5);
  r.server->stop();
}
