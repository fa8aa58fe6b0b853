// Tests of the entity catalog, the transform registry, every registered transform over real
// cases (built by running the netcap binary on samples/), and local mode as Maltego drives it
// (a subprocess whose stdout must be exactly one MaltegoMessage document).
// Expected entities are computed here independently: the test loads the raw Connection and
// Anomaly rows and aggregates them in C++ instead of trusting the transforms' SQL.
#include <pcap/pcap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/sinks/case_index.h"
#include "entities/entity_catalog.h"
#include "transforms/case_index_pool.h"
#include "transforms/catalog/catalog_util.h"
#include "transforms/catalog/precomputed_answers.h"
#include "transforms/maltego/response.h"
#include "transforms/registry.h"

namespace fs = std::filesystem;
using namespace netcap;

namespace {

// The per-process scratch directory, removed when the test process exits.
const fs::path& scratch_dir() {
  struct Scratch {
    fs::path path =
        fs::temp_directory_path() / ("netcap-transform-tests-" + std::to_string(getpid()));
    ~Scratch() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Scratch scratch;
  return scratch.path;
}

// Builds CASE from samples/<sample> with the real binary; returns the case directory.
std::string make_case(const std::string& sample) {
  const fs::path dir = scratch_dir() / sample;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  const std::string command = std::string("'") + NETCAP_BINARY + "' capture -r '" +
                              NETCAP_SOURCE_DIR + "/samples/" + sample + "' -o '" + dir.string() +
                              "' >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  REQUIRE(fs::exists(dir / "index.db"));
  return dir.string();
}

// Builds CASE from every capture in samples/ (the directory, merged in time order) with extra
// capture flags: a case with every protocol the samples hold.
std::string make_samples_case(const std::string& name, const std::string& flags) {
  const fs::path dir = scratch_dir() / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  const std::string command = std::string("'") + NETCAP_BINARY + "' capture -r '" +
                              NETCAP_SOURCE_DIR + "/samples' -o '" + dir.string() + "' " + flags +
                              " >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  REQUIRE(fs::exists(dir / "index.db"));
  return dir.string();
}

struct Conn {
  std::string src, dst, proto, state, uid, community;
  int64_t sport = 0, dport = 0, bytes = 0, packets = 0, first = 0;
};

std::vector<Conn> load_connections(const std::string& case_dir) {
  auto index = CaseIndex::open_read_only(case_dir);
  REQUIRE(index);
  auto rows = run_query(index->db(),
                        "SELECT SrcIP, DstIP, TransportProto, ConnState, UID, CommunityID,"
                        " SrcPort, DstPort, TotalSize, NumPackets, TimestampFirst FROM Connection",
                        {});
  REQUIRE(rows);
  std::vector<Conn> out;
  for (const auto& r : rows->rows) {
    out.push_back({catalog::text_of(r[0]), catalog::text_of(r[1]), catalog::text_of(r[2]),
                   catalog::text_of(r[3]), catalog::text_of(r[4]), catalog::text_of(r[5]),
                   catalog::int_of(r[6]), catalog::int_of(r[7]), catalog::int_of(r[8]),
                   catalog::int_of(r[9]), catalog::int_of(r[10])});
  }
  return out;
}

struct Anom {
  std::string name, src, dst;
};

std::vector<Anom> load_anomalies(const std::string& case_dir) {
  auto index = CaseIndex::open_read_only(case_dir);
  REQUIRE(index);
  if (!index->has_table("Anomaly")) return {};
  auto rows = run_query(index->db(), "SELECT Name, SrcIP, DstIP FROM Anomaly", {});
  REQUIRE(rows);
  std::vector<Anom> out;
  for (const auto& r : rows->rows) {
    out.push_back({catalog::text_of(r[0]), catalog::text_of(r[1]), catalog::text_of(r[2])});
  }
  return out;
}

// One entity as it appears in the serialized document.
struct Got {
  std::string type, value, label, path;
  std::map<std::string, std::string> properties;  // the other fields (not compared by ==)
  bool operator==(const Got& other) const {
    return std::tie(type, value, label, path) ==
           std::tie(other.type, other.value, other.label, other.path);
  }
};

// Serializes, checks the document shape, and parses it back.
std::vector<Got> parse_document(const std::string& xml, std::vector<std::string>* messages) {
  REQUIRE(xml.rfind("<MaltegoMessage><MaltegoTransformResponseMessage>", 0) == 0);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str()));
  std::vector<Got> out;
  auto root = doc.child("MaltegoMessage").child("MaltegoTransformResponseMessage");
  for (auto entity : root.child("Entities").children("Entity")) {
    Got got{entity.attribute("Type").value(), entity.child("Value").text().get(), "", ""};
    for (auto field : entity.child("AdditionalFields").children("Field")) {
      std::string name = field.attribute("Name").value();
      if (name == maltego::kLinkLabel) {
        got.label = field.text().get();
      } else if (name == entities::kCaseProperty) {
        got.path = field.text().get();
      } else {
        got.properties[name] = field.text().get();
      }
    }
    out.push_back(got);
  }
  if (messages != nullptr) {
    for (auto m : root.child("UIMessages").children("UIMessage")) {
      messages->push_back(m.text().get());
    }
  }
  return out;
}

std::vector<Got> run(const TransformRegistry& registry, const std::string& id,
                     const std::string& value, const std::string& case_dir,
                     int limit = maltego::kLocalDefaultLimit,
                     std::vector<std::string>* messages = nullptr) {
  const TransformSpec* spec = registry.find(id);
  REQUIRE(spec != nullptr);
  maltego::TransformRequest request;
  request.type = spec->input_entity;
  request.value = value;
  request.properties.push_back({std::string(entities::kCaseProperty), {}, {}, case_dir});
  maltego::TransformResponse response;
  Status status = execute_transform(*spec, request, limit, response);
  INFO(status.message());
  REQUIRE(status);
  auto got = parse_document(maltego::serialize_response(response), messages);
  for (const Got& g : got) {
    CHECK(g.path == case_dir);  // every output entity says where the next transform looks
    CHECK(std::find(spec->output_entities.begin(), spec->output_entities.end(), g.type) !=
          spec->output_entities.end());
  }
  return got;
}

std::string plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

struct Traffic {
  int64_t conns = 0, packets = 0, bytes = 0;
  void add(const Conn& c) {
    ++conns;
    packets += c.packets;
    bytes += c.bytes;
  }
  std::string label() const {
    return plural(conns, "conn", "conns") + "\n" + plural(packets, "pkt", "pkts") + "\n" +
           plural(bytes, "byte", "bytes");
  }
};

std::string ip_type(const std::string& ip) {
  return std::string(ip.find(':') != std::string::npos ? entities::kIPv6Address
                                                       : entities::kIPv4Address);
}

// Expected entities from a key -> Traffic map, ordered by `by_bytes` ? bytes : conns desc, key.
template <typename Key>
std::vector<Got> expect(const std::map<Key, Traffic>& stats, bool by_bytes,
                        const std::string& case_dir, const std::string& fixed_type = "") {
  std::vector<std::pair<Key, Traffic>> sorted(stats.begin(), stats.end());
  std::stable_sort(sorted.begin(), sorted.end(), [by_bytes](const auto& a, const auto& b) {
    const int64_t x = by_bytes ? a.second.bytes : a.second.conns;
    const int64_t y = by_bytes ? b.second.bytes : b.second.conns;
    return x > y;  // ties keep key order (the map is sorted by key)
  });
  std::vector<Got> out;
  for (const auto& [key, traffic] : sorted) {
    std::string value;
    if constexpr (std::is_same_v<Key, std::string>) {
      value = key;
    } else {
      value = std::to_string(key);
    }
    out.push_back(
        {fixed_type.empty() ? ip_type(value) : fixed_type, value, traffic.label(), case_dir});
  }
  return out;
}

std::string plural_label(int64_t packets) {
  return std::to_string(packets) + (packets == 1 ? " pkt" : " pkts");
}

bool port_proto(const Conn& c) { return c.proto == "tcp" || c.proto == "udp" || c.proto == "sctp"; }

std::set<std::string> all_ips(const std::vector<Conn>& conns) {
  std::set<std::string> ips;
  for (const Conn& c : conns) {
    if (!c.src.empty()) ips.insert(c.src);
    if (!c.dst.empty()) ips.insert(c.dst);
  }
  return ips;
}

// Shell-quotes one argument.
std::string quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct ProcessResult {
  std::string out;
  int status = -1;
};

ProcessResult run_netcap(const std::vector<std::string>& args) {
  std::string command = quote(NETCAP_BINARY);
  for (const std::string& arg : args) command += " " + quote(arg);
  command += " 2>/dev/null </dev/null";
  ProcessResult result;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int raw = pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

// Exactly one MaltegoMessage document followed by one "\n", nothing else (spec §1.4).
void check_single_document(const std::string& out) {
  REQUIRE(out.rfind("<MaltegoMessage>", 0) == 0);
  REQUIRE(out.size() > 1);
  CHECK(out.back() == '\n');
  const std::string body = out.substr(0, out.size() - 1);
  CHECK(body.rfind("</MaltegoMessage>") == body.size() - std::string("</MaltegoMessage>").size());
  CHECK(body.find("<MaltegoMessage>", 1) == std::string::npos);
  pugi::xml_document doc;
  CHECK(doc.load_string(body.c_str()));
}

}  // namespace

TEST_CASE("entity catalog is sorted, unique and self-consistent") {
  auto catalog = entities::entity_catalog();
  REQUIRE(catalog.size() >= 10);
  for (size_t i = 1; i < catalog.size(); ++i) CHECK(catalog[i - 1].id < catalog[i].id);
  for (const auto& entity : catalog) {
    INFO(entity.id);
    CHECK(entities::find_entity(entity.id) == &entity);
    bool has_main = false, has_case = false;
    for (const auto& property : entity.properties) {
      has_main = has_main || property.name == entity.main_property;
      has_case = has_case || property.name == entities::kCaseProperty;
    }
    CHECK(has_main);
    CHECK(has_case);
    CHECK(!entity.display_name.empty());
    CHECK(!entity.plural.empty());
    CHECK(!entity.icon.empty());
  }
  CHECK(entities::find_entity("maltego.MACAddress") == nullptr);  // the id is MacAddress
  // Base types exist and chains end (entity_is_a follows at most 8 hops).
  for (const auto& entity : catalog) {
    INFO(entity.id);
    if (entity.base.empty()) continue;
    CHECK(entities::find_entity(entity.base) != nullptr);
    CHECK(entities::entity_is_a(entity.id, entity.base));
    CHECK(!entities::entity_is_a(entity.base, entity.id));
  }
  CHECK(entities::entity_is_a("netcap.ExternalDestinationIP", "maltego.IPv4Address"));
  CHECK(entities::entity_is_a("netcap.Device", "maltego.MacAddress"));
  CHECK(!entities::entity_is_a("netcap.Device", "maltego.IPv4Address"));
  CHECK(!entities::entity_is_a("no.SuchType", "maltego.IPv4Address"));
  // Every netcap entity Go netcap users have in graphs and that fits an index (netcap.md §5.2).
  for (const char* id : {"netcap.IPAddr",
                         "netcap.InternalSourceIP",
                         "netcap.ExternalSourceIP",
                         "netcap.InternalDestinationIP",
                         "netcap.ExternalDestinationIP",
                         "netcap.InternalIPProfile",
                         "netcap.ExternalIPProfile",
                         "netcap.Host",
                         "netcap.DNSName",
                         "netcap.Domain",
                         "netcap.URL",
                         "netcap.Email",
                         "netcap.MD5Hash",
                         "netcap.File",
                         "netcap.Port",
                         "netcap.SourcePort",
                         "netcap.DestinationPort",
                         "netcap.ContactedPort",
                         "netcap.Device",
                         "netcap.PCAP",
                         "netcap.Connection",
                         "netcap.Credentials",
                         "netcap.Software",
                         "netcap.Service",
                         "netcap.TLSClientHello",
                         "netcap.TLSServerHello",
                         "netcap.DHCPClient",
                         "netcap.UserAgent"}) {
    CHECK(entities::find_entity(id) != nullptr);
  }
  CHECK(entities::find_entity(entities::kIPv6Address)->main_property == "ipv6-address");
}

TEST_CASE("registry validates ids and entities") {
  auto registry = build_transform_registry();
  REQUIRE(registry);
  auto list = registry->list();
  REQUIRE(list.size() == registry->size());
  for (const char* required :
       {"netcap.ToHosts", "netcap.ToAnomalyNames", "netcap.ToTransportProtocols",
        "netcap.ToConnectionStates", "netcap.ToPeers", "netcap.ToPeersIPv6",
        "netcap.ToDestinationPorts", "netcap.ToSourcePorts", "netcap.ToConnectionsForHost",
        "netcap.ToAnomaliesForHost", "netcap.ToServersForPort", "netcap.ToClientsForPort",
        "netcap.ToCommunityID", "netcap.ToHostsForAnomaly"}) {
    CHECK(registry->find(required) != nullptr);
  }
  for (size_t i = 0; i < list.size(); ++i) {
    INFO(list[i]->id);
    if (i > 0) CHECK(list[i - 1]->id < list[i]->id);
    CHECK(list[i]->id.rfind("netcap.", 0) == 0);
    CHECK(entities::find_entity(list[i]->input_entity) != nullptr);
    CHECK(!list[i]->output_entities.empty());
    for (const auto& output : list[i]->output_entities) {
      CHECK(entities::find_entity(output) != nullptr);
    }
    CHECK(registry->find(list[i]->id) == list[i]);
  }
  CHECK(registry->find("netcap.NoSuchTransform") == nullptr);

  TransformRegistry local;
  auto noop = [](const TransformContext&, const maltego::TransformRequest&,
                 maltego::TransformResponse&) { return Status::ok(); };
  TransformSpec good{
      "x.A", "A", "", std::string(entities::kPort), {std::string(entities::kIPv4Address)},
      {},    noop};
  CHECK(local.add(good));
  CHECK_FALSE(local.add(good));  // duplicate id
  TransformSpec bad_input = good;
  bad_input.id = "x.B";
  bad_input.input_entity = "maltego.NoSuchEntity";
  CHECK_FALSE(local.add(bad_input));
  TransformSpec bad_output = good;
  bad_output.id = "x.C";
  bad_output.output_entities = {"maltego.IPv4address"};  // wrong case
  CHECK_FALSE(local.add(bad_output));
  TransformSpec no_run = good;
  no_run.id = "x.D";
  no_run.run = nullptr;
  CHECK_FALSE(local.add(no_run));
  CHECK(local.size() == 1);
}

TEST_CASE("case transforms: hosts, protocols, states") {
  const std::string dir = make_case("rawip-http-dns.pcap");
  auto conns = load_connections(dir);
  REQUIRE(conns.size() >= 5);
  auto registry = build_transform_registry();
  REQUIRE(registry);

  std::map<std::string, Traffic> hosts, protos, states;
  for (const Conn& c : conns) {
    if (!c.src.empty()) hosts[c.src].add(c);
    if (!c.dst.empty()) hosts[c.dst].add(c);
    if (!c.proto.empty()) protos[c.proto].add(c);
    if (!c.state.empty()) states[c.state].add(c);
  }
  auto got_hosts = run(*registry, "netcap.ToHosts", dir, dir);
  CHECK(got_hosts == expect(hosts, true, dir));
  // The sample has IPv6 hosts: they must use the IPv6 entity.
  CHECK(std::count_if(got_hosts.begin(), got_hosts.end(),
                      [](const Got& g) { return g.type == entities::kIPv6Address; }) >= 2);
  CHECK(run(*registry, "netcap.ToTransportProtocols", dir, dir) ==
        expect(protos, false, dir, std::string(entities::kNetcapIPProtocol)));
  CHECK(run(*registry, "netcap.ToConnectionStates", dir, dir) ==
        expect(states, false, dir, std::string(entities::kNetcapConnectionState)));
  {
    // The sample is cut short, so the application layer records e.g. http.body_truncated: the
    // anomaly names must be exactly the distinct names in the index.
    std::set<std::string> want, got;
    for (const Anom& a : load_anomalies(dir)) want.insert(a.name);
    for (const Got& g : run(*registry, "netcap.ToAnomalyNames", dir, dir)) got.insert(g.value);
    CHECK(got == want);
  }

  // The limit keeps the first N and says how many there were (spec §2.5).
  std::vector<std::string> messages;
  auto limited = run(*registry, "netcap.ToHosts", dir, dir, 2, &messages);
  REQUIRE(limited.size() == 2);
  CHECK(limited[0] == got_hosts[0]);
  CHECK(limited[1] == got_hosts[1]);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0] == "Returned 2 of " + std::to_string(got_hosts.size()) + " results (limit 2).");
}

TEST_CASE("host transforms: peers, ports, connections for every address") {
  const std::string dir = make_case("rawip-http-dns.pcap");
  auto conns = load_connections(dir);
  auto registry = build_transform_registry();
  REQUIRE(registry);
  for (const std::string& ip : all_ips(conns)) {
    INFO(ip);
    const std::string suffix = ip.find(':') != std::string::npos ? "IPv6" : "";
    std::map<std::string, Traffic> peers;
    std::map<int64_t, Traffic> dports, sports;
    std::vector<const Conn*> mine;
    for (const Conn& c : conns) {
      if (c.src == ip && !c.dst.empty()) peers[c.dst].add(c);
      if (c.dst == ip && !c.src.empty()) peers[c.src].add(c);
      if (c.src == ip && port_proto(c)) {
        dports[c.dport].add(c);
        sports[c.sport].add(c);
      }
      if (c.src == ip || c.dst == ip) mine.push_back(&c);
    }
    CHECK(run(*registry, "netcap.ToPeers" + suffix, ip, dir) == expect(peers, true, dir));
    CHECK(run(*registry, "netcap.ToDestinationPorts" + suffix, ip, dir) ==
          expect(dports, false, dir, std::string(entities::kPort)));
    CHECK(run(*registry, "netcap.ToSourcePorts" + suffix, ip, dir) ==
          expect(sports, false, dir, std::string(entities::kPort)));

    std::sort(mine.begin(), mine.end(), [](const Conn* a, const Conn* b) {
      return std::tie(a->first, a->uid) < std::tie(b->first, b->uid);
    });
    std::vector<Got> expected;
    for (const Conn* c : mine) {
      expected.push_back({std::string(entities::kNetcapConnection), c->uid,
                          c->proto + " " + std::to_string(c->sport) + " -> " +
                              std::to_string(c->dport) + "\n" + c->state + "\n" +
                              plural(c->bytes, "byte", "bytes"),
                          dir});
    }
    CHECK(run(*registry, "netcap.ToConnectionsForHost" + suffix, ip, dir) == expected);
    std::set<std::string> want_anomalies, got_anomalies;
    for (const Anom& a : load_anomalies(dir)) {
      if (a.src == ip || a.dst == ip) want_anomalies.insert(a.name);
    }
    for (const Got& g : run(*registry, "netcap.ToAnomaliesForHost" + suffix, ip, dir)) {
      got_anomalies.insert(g.value);
    }
    CHECK(got_anomalies == want_anomalies);
  }
}

TEST_CASE("pivot transforms: ports to hosts, connection to community id") {
  const std::string dir = make_case("rawip-http-dns.pcap");
  auto conns = load_connections(dir);
  auto registry = build_transform_registry();
  REQUIRE(registry);
  std::set<int64_t> ports;
  for (const Conn& c : conns) {
    if (port_proto(c)) ports.insert(c.dport);
  }
  REQUIRE(ports.count(80) == 1);
  for (int64_t port : ports) {
    INFO(port);
    std::map<std::string, Traffic> servers, clients;
    for (const Conn& c : conns) {
      if (c.dport != port || !port_proto(c)) continue;
      servers[c.dst].add(c);
      clients[c.src].add(c);
    }
    CHECK(run(*registry, "netcap.ToServersForPort", std::to_string(port), dir) ==
          expect(servers, false, dir));
    CHECK(run(*registry, "netcap.ToClientsForPort", std::to_string(port), dir) ==
          expect(clients, false, dir));
  }
  for (const Conn& c : conns) {
    INFO(c.uid);
    REQUIRE(!c.community.empty());
    auto got = run(*registry, "netcap.ToCommunityID", c.uid, dir);
    REQUIRE(got.size() == 1);
    CHECK(got[0].type == std::string(entities::kNetcapCommunityID));
    CHECK(got[0].value == c.community);
    CHECK(got[0].label == "community id");
    CHECK(got[0].path == dir);
  }
  // A bad port is an error, not an empty answer.
  maltego::TransformRequest request;
  request.value = "http";
  request.properties.push_back({"path", {}, {}, dir});
  maltego::TransformResponse response;
  Status status =
      execute_transform(*registry->find("netcap.ToServersForPort"), request, 10, response);
  CHECK_FALSE(status);
  CHECK(status.message().find("not a port number") != std::string::npos);
}

// Packets in a pcap file (libpcap), or -1 when it cannot be read.
std::string slice_property(const Got& got, const std::string& name) {
  auto it = got.properties.find(name);
  return it == got.properties.end() ? std::string() : it->second;
}

int64_t count_packets(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), error);
  if (p == nullptr) return -1;
  int64_t n = 0;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &header, &data) == 1) ++n;
  pcap_close(p);
  return n;
}

TEST_CASE("slice transforms: a flow's slice holds exactly its packets; host and port slices") {
  const std::string dir = make_case("rawip-http-dns.pcap");
  auto conns = load_connections(dir);
  auto registry = build_transform_registry();
  REQUIRE(registry);
  int64_t port80_packets = 0;
  for (const Conn& c : conns) {
    if (!port_proto(c)) continue;
    INFO(c.uid);
    auto got = run(*registry, "netcap.ToPCAPSliceForConnection", c.uid, dir);
    REQUIRE(got.size() == 1);
    CHECK(got[0].type == std::string(entities::kNetcapPCAPSlice));
    CHECK(got[0].value == (fs::path(dir) / "slices" / ("flow-" + c.uid + ".pcap")).string());
    CHECK(got[0].label == plural_label(c.packets));
    CHECK(count_packets(got[0].value) == c.packets);
    if (c.sport == 80 || c.dport == 80) port80_packets += c.packets;
  }
  REQUIRE(port80_packets > 0);
  auto port = run(*registry, "netcap.ToPCAPSliceForPort", "80", dir);
  REQUIRE(port.size() == 1);
  CHECK(count_packets(port[0].value) == port80_packets);
  // Found through the PacketMap records, not by reading the whole capture...
  CHECK(slice_property(port[0], "read") == "packet map");
  {
    // ...and the same packets the slow way, in a case without them (an older netcap's).
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((fs::path(dir) / "index.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "ALTER TABLE PacketMap RENAME TO PacketMapHidden", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    auto scanned = run(*registry, "netcap.ToPCAPSliceForPort", "80", dir);
    REQUIRE(scanned.size() == 1);
    CHECK(slice_property(scanned[0], "read") == "whole capture");
    CHECK(count_packets(scanned[0].value) == port80_packets);
    REQUIRE(sqlite3_exec(db, "ALTER TABLE PacketMapHidden RENAME TO PacketMap", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  const Conn& first = conns.front();
  int64_t host_packets = 0;
  for (const Conn& c : conns) {
    if (c.src == first.src || c.dst == first.src) host_packets += c.packets;
  }
  auto host = run(*registry, "netcap.ToPCAPSliceForHost", first.src, dir);
  REQUIRE(host.size() == 1);
  CHECK(count_packets(host[0].value) == host_packets);
  // Text that is not an address never reaches the BPF compiler: an empty answer that says why.
  maltego::TransformRequest request;
  request.value = "1.2.3.4 or port 22";
  request.properties.push_back({"path", {}, {}, dir});
  maltego::TransformResponse response;
  Status status =
      execute_transform(*registry->find("netcap.ToPCAPSliceForHost"), request, 10, response);
  CHECK(status);
  CHECK(response.entities.empty());
  REQUIRE(response.messages.size() == 1);
  CHECK(response.messages[0].text.find("not an IP address") != std::string::npos);
}

TEST_CASE("anomaly transforms: names, hosts, per host") {
  const std::string dir = make_case("ipv4-fragments-nfs.pcap");
  auto anomalies = load_anomalies(dir);
  REQUIRE(!anomalies.empty());
  auto registry = build_transform_registry();
  REQUIRE(registry);
  std::map<std::string, int64_t> names;
  std::map<std::string, std::map<std::string, int64_t>> hosts_for_name, names_for_host;
  for (const Anom& a : anomalies) {
    ++names[a.name];
    for (const std::string* ip : {&a.src, &a.dst}) {
      if (!ip->empty()) ++hosts_for_name[a.name][*ip];
    }
    std::set<std::string> sides{a.src, a.dst};
    for (const std::string& ip : sides) {
      if (!ip.empty()) ++names_for_host[ip][a.name];
    }
  }
  auto counts_to_got = [&](const std::map<std::string, int64_t>& counts, bool ips) {
    std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<Got> out;
    for (const auto& [value, n] : sorted) {
      out.push_back({ips ? ip_type(value) : std::string(entities::kNetcapAnomaly), value,
                     plural(n, "anomaly", "anomalies"), dir});
    }
    return out;
  };
  CHECK(run(*registry, "netcap.ToAnomalyNames", dir, dir) == counts_to_got(names, false));
  for (const auto& [name, hosts] : hosts_for_name) {
    CHECK(run(*registry, "netcap.ToHostsForAnomaly", name, dir) == counts_to_got(hosts, true));
  }
  for (const auto& [ip, counts] : names_for_host) {
    CHECK(run(*registry, "netcap.ToAnomaliesForHost", ip, dir) == counts_to_got(counts, false));
  }
}

TEST_CASE("every registered transform runs and answers with its declared entities") {
  const std::string dir = make_case("rawip-http-dns.pcap");
  auto conns = load_connections(dir);
  REQUIRE(!conns.empty());
  auto registry = build_transform_registry();
  REQUIRE(registry);
  std::string v4, v6;
  for (const std::string& ip : all_ips(conns)) (ip.find(':') != std::string::npos ? v6 : v4) = ip;
  const std::map<std::string, std::string> inputs = {
      {std::string(entities::kNetcapCase), dir},
      {std::string(entities::kIPv4Address), v4},
      {std::string(entities::kIPv6Address), v6},
      {std::string(entities::kPort), "80"},
      {std::string(entities::kNetcapConnection), conns[0].uid},
      {std::string(entities::kNetcapAnomaly), "ip.fragment_incomplete"},
      {std::string(entities::kNetcapAlert), "ET POLICY curl User-Agent Outbound"},
      // Application-protocol inputs (the tables exist when the protocols are built in).
      {std::string(entities::kDNSName), "example.com"},
      {std::string(entities::kWebsite), "example.com"},
      {std::string(entities::kURL), "http://example.com/"},
      {std::string(entities::kEmailAddress), "a@example.com"},
      {std::string(entities::kX509Certificate), "example.com"},
      {std::string(entities::kFile), "a.txt"},
      {std::string(entities::kAlias), "root"},
      {std::string(entities::kNetcapUserAgent), "curl/8"},
      {std::string(entities::kNetcapServerName), "nginx"},
      {std::string(entities::kNetcapContentType), "text/html"},
      {std::string(entities::kNetcapHTTPStatusCode), "200"},
      {std::string(entities::kNetcapHTTPCookie), "sid"},
      {std::string(entities::kNetcapHTTPHeader), "Host"},
      {std::string(entities::kNetcapHTTPParameter), "q"},
      {std::string(entities::kNetcapDNSResponseCode), "NXDOMAIN"},
      {std::string(entities::kNetcapDNSQueryType), "A"},
      {std::string(entities::kNetcapTLSClientHello), "0123456789abcdef0123456789abcdef"},
      {std::string(entities::kNetcapTLSServerHello), "0123456789abcdef0123456789abcdef"},
      {std::string(entities::kNetcapJA4), "t13d1516h2_8daaf6152771_02713d6af862"},
      {std::string(entities::kNetcapSSHClient), "SSH-2.0-OpenSSH_9.0"},
      {std::string(entities::kNetcapSSHServer), "SSH-2.0-OpenSSH_9.0"},
      {std::string(entities::kNetcapHASSH), "0123456789abcdef0123456789abcdef"},
      {std::string(entities::kNetcapHASSHServer), "0123456789abcdef0123456789abcdef"},
      {std::string(entities::kNetcapDHCPClient), "aa:bb:cc:dd:ee:ff"},
      {std::string(entities::kNetcapDHCPFingerprint), "1,3,6,15"},
      {std::string(entities::kNetcapMail), "Report"},
      {std::string(entities::kNetcapCredentials), "ftp: anonymous"},
      {std::string(entities::kNetcapSIPCall), "call-1"},
      {std::string(entities::kNetcapSMBShare), "\\\\srv\\share"},
      {std::string(entities::kNetcapApplication), "http"},
      // Profiles (forensics/profiles).
      {std::string(entities::kNetcapSoftware), "curl 8.0"},
      {std::string(entities::kNetcapService), "10.0.0.1:80/tcp"},
      {std::string(entities::kMacAddress), "00:0c:29:01:02:03"},
      {std::string(entities::kDomain), "example.com"},
  };
  for (const TransformSpec* spec : registry->list()) {
    INFO(spec->id);
    REQUIRE(inputs.count(spec->input_entity) == 1);
    run(*registry, spec->id, inputs.at(spec->input_entity), dir);  // checks types and path
  }
}

TEST_CASE("local mode: stdout is exactly one Maltego document") {
  const std::string dir = make_case("rawip-http-dns.pcap");
  auto conns = load_connections(dir);

  SECTION("good request, case entity") {
    auto result = run_netcap({"transform", "local", "netcap.ToHosts", dir});
    CHECK(result.status == 0);
    check_single_document(result.out);
    CHECK(result.out.find("<MaltegoTransformResponseMessage>") != std::string::npos);
    CHECK(result.out.find("<Value>" + conns[0].src + "</Value>") != std::string::npos);
  }
  SECTION("good request, properties string with escapes and a link property") {
    const std::string uid = conns[0].uid;
    auto result =
        run_netcap({"transform", "local", "--limit=5", "netcap.ToCommunityID", uid,
                    "uid=" + uid + "#link#maltego.link.weight=100#path=" + dir, "extra-ignored"});
    CHECK(result.status == 0);
    check_single_document(result.out);
    CHECK(result.out.find(">" + conns[0].community + "</Value>") != std::string::npos);
  }
  SECTION("unknown transform id") {
    auto result = run_netcap({"transform", "local", "netcap.NoSuchTransform", "x"});
    CHECK(result.status == 0);
    check_single_document(result.out);
    CHECK(result.out.find("<MaltegoTransformExceptionMessage>") != std::string::npos);
    CHECK(result.out.find("Unknown transform: netcap.NoSuchTransform") != std::string::npos);
  }
  SECTION("missing case") {
    auto result = run_netcap(
        {"transform", "local", "netcap.ToPeers", "10.0.0.1", "path=" + dir + "/no-such-case"});
    CHECK(result.status == 0);
    check_single_document(result.out);
    CHECK(result.out.find("<MaltegoTransformExceptionMessage>") != std::string::npos);
  }
  SECTION("no case property at all") {
    auto result = run_netcap({"transform", "local", "netcap.ToPeers", "10.0.0.1"});
    CHECK(result.status == 0);
    check_single_document(result.out);
    CHECK(result.out.find("no case directory") != std::string::npos);
  }
  SECTION("no value") {
    auto result = run_netcap({"transform", "local", "netcap.ToHosts"});
    CHECK(result.status == 0);
    check_single_document(result.out);
    CHECK(result.out.find("Malformed request: no input value") != std::string::npos);
  }
  SECTION("list names every transform") {
    auto result = run_netcap({"transform", "list"});
    CHECK(result.status == 0);
    auto registry = build_transform_registry();
    REQUIRE(registry);
    for (const TransformSpec* spec : registry->list()) {
      CHECK(result.out.find(spec->id + "  " + spec->input_entity + " ->") != std::string::npos);
    }
  }
}

TEST_CASE("case index pool: connections are reused, and dropped when index.db is replaced") {
  const std::string case_dir = make_case("http-gzip-json.pcap");
  CaseIndexPool pool(2);
  auto registry = build_transform_registry();
  REQUIRE(registry);
  const TransformSpec* to_hosts = registry->find("netcap.ToHosts");
  REQUIRE(to_hosts != nullptr);
  maltego::TransformRequest request;
  request.type = std::string(entities::kNetcapCase);
  request.value = case_dir;

  maltego::TransformResponse first;
  REQUIRE(execute_transform(*to_hosts, request, 100, first, &pool));
  CHECK(pool.idle() == 1);  // given back after the transform
  sqlite3* const pooled = [&] {
    auto lease = pool.acquire(case_dir);
    REQUIRE(lease);
    CHECK(pool.idle() == 0);
    return lease->index().db();
  }();
  {
    auto again = pool.acquire(case_dir);
    REQUIRE(again);
    CHECK(again->index().db() == pooled);  // the same connection, not a new one
    auto second = pool.acquire(case_dir);  // in use: a second connection is opened
    REQUIRE(second);
    CHECK(second->index().db() != pooled);
  }
  CHECK(pool.idle() == 2);
  {  // the bound: a third connection given back is closed
    auto a = pool.acquire(case_dir), b = pool.acquire(case_dir), c = pool.acquire(case_dir);
    REQUIRE((a && b && c));
  }
  CHECK(pool.idle() == 2);

  // A new capture into the same case replaces index.db: the pooled connections (to the old,
  // deleted file) must not answer.
  const std::string command = std::string("'") + NETCAP_BINARY + "' capture -r '" +
                              NETCAP_SOURCE_DIR + "/samples/dns-a-aaaa-mx.pcap' -o '" + case_dir +
                              "' --force >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  maltego::TransformResponse replaced;
  REQUIRE(execute_transform(*to_hosts, request, 100, replaced, &pool));
  maltego::TransformResponse fresh;
  REQUIRE(execute_transform(*to_hosts, request, 100, fresh));
  CHECK(maltego::serialize_response(replaced, maltego::OutputEncoding::kUtf8) ==
        maltego::serialize_response(fresh, maltego::OutputEncoding::kUtf8));
  CHECK(maltego::serialize_response(replaced, maltego::OutputEncoding::kUtf8) !=
        maltego::serialize_response(first, maltego::OutputEncoding::kUtf8));
}

TEST_CASE("precomputed answers are exactly what the transforms' queries return") {
  const std::string precomputed = make_samples_case("samples-precomputed", "");
  const std::string live = make_samples_case("samples-live", "--no-precompute");
  auto registry = build_transform_registry();
  REQUIRE(registry);
  auto index = CaseIndex::open_read_only(precomputed);
  REQUIRE(index);
  REQUIRE(index->has_table("answer_meta"));
  REQUIRE(!CaseIndex::open_read_only(live)->has_table("answer_meta"));
  size_t case_answers = 0, input_answers = 0, entities_compared = 0;
  for (const catalog::QueryTransform* spec : registry->precomputable()) {
    const std::string table = catalog::answer_table(*spec);
    INFO(table);
    if (!index->has_table(table)) continue;  // the samples lack its records
    std::vector<std::string> inputs;
    if (spec->input == catalog::QueryInput::kCase) {
      inputs.push_back("");
      ++case_answers;
    } else {
      // Every input the answer holds (bounded), and one it does not.
      auto keys = run_query(index->db(),
                            "SELECT DISTINCT InputKey FROM " + quote_identifier(table) +
                                " WHERE InputKey <> '' ORDER BY 1 LIMIT 20",
                            {});
      REQUIRE(keys);
      for (const auto& row : keys->rows) inputs.push_back(catalog::text_of(row[0]));
      inputs.push_back("no-such-input.invalid");
      ++input_answers;
    }
    const std::string id = "netcap." + std::string(spec->name);
    for (const std::string& input : inputs) {
      INFO(input);
      const bool is_case = spec->input == catalog::QueryInput::kCase;
      std::vector<std::string> from_answer_messages, from_records_messages;
      std::vector<Got> from_answer = run(*registry, id, is_case ? precomputed : input, precomputed,
                                         maltego::kLocalDefaultLimit, &from_answer_messages);
      std::vector<Got> from_records = run(*registry, id, is_case ? live : input, live,
                                          maltego::kLocalDefaultLimit, &from_records_messages);
      for (Got& got : from_answer) got.path.clear();
      for (Got& got : from_records) got.path.clear();
      CHECK(from_answer == from_records);
      for (size_t i = 0; i < from_answer.size() && i < from_records.size(); ++i) {
        CHECK(from_answer[i].properties == from_records[i].properties);
      }
      CHECK(from_answer_messages == from_records_messages);
      entities_compared += from_answer.size();
    }
  }
  // `netcap transform precompute` gives a case captured without them the same answers.
  const std::string command =
      std::string("'") + NETCAP_BINARY + "' transform precompute '" + live + "' >/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
  auto precomputed_later = CaseIndex::open_read_only(live);
  REQUIRE(precomputed_later);
  const char* kAnswerTables =
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'answer%' ORDER BY 1";
  auto later_tables = run_query(precomputed_later->db(), kAnswerTables, {});
  auto capture_tables = run_query(index->db(), kAnswerTables, {});
  REQUIRE(later_tables);
  REQUIRE(capture_tables);
  CHECK(later_tables->rows == capture_tables->rows);
  CHECK(run(*registry, "netcap.ToHosts", live, live).size() ==
        run(*registry, "netcap.ToHosts", precomputed, precomputed).size());
  // The samples exercise both kinds, with real content (a test that compares nothing fails).
  CHECK(case_answers >= 40);
  CHECK(input_answers >= 5);
  CHECK(entities_compared >= 300);
}

TEST_CASE("precomputed answers: the limit is applied in order; changed records are re-queried") {
  const std::string dir = make_samples_case("samples-stale", "");
  auto registry = build_transform_registry();
  REQUIRE(registry);
  const std::vector<Got> all = run(*registry, "netcap.ToHosts", dir, dir);
  REQUIRE(all.size() > 3);
  std::vector<std::string> messages;
  const std::vector<Got> first = run(*registry, "netcap.ToHosts", dir, dir, 3, &messages);
  REQUIRE(first.size() == 3);
  CHECK(std::equal(first.begin(), first.end(), all.begin()));
  REQUIRE(messages.size() == 1);
  CHECK(messages[0] == "Returned 3 of " + std::to_string(all.size()) + " results (limit 3).");

  // A connection written after the answers (as a live capture or another writer would): the
  // stored answer no longer matches the records, so the transform reads the records.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((fs::path(dir) / "index.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "INSERT INTO Connection (SrcIP, DstIP, NumPackets, TotalSize) VALUES"
                       " ('203.0.113.99', '203.0.113.98', 1, 999999999999)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  const std::vector<Got> after = run(*registry, "netcap.ToHosts", dir, dir);
  REQUIRE(after.size() == all.size() + 2);
  CHECK(after[0].value == "203.0.113.98");  // most bytes first, then by address
  CHECK(after[1].value == "203.0.113.99");
}

TEST_CASE(
    "slice transforms: 802.1Q flows by packet map; a changed capture file is not read by offset") {
  // Copied, so that the test can change the capture file afterwards.
  const fs::path capture = scratch_dir() / "vlan-copy" / "vlan-http.pcap";
  fs::create_directories(capture.parent_path());
  fs::copy_file(fs::path(NETCAP_SOURCE_DIR) / "samples" / "vlan-http.pcap", capture,
                fs::copy_options::overwrite_existing);
  const std::string dir = (scratch_dir() / "vlan-copy" / "case").string();
  const std::string command = std::string("'") + NETCAP_BINARY + "' capture -r '" +
                              capture.string() + "' -o '" + dir + "' --force >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  auto registry = build_transform_registry();
  REQUIRE(registry);
  auto conns = load_connections(dir);
  REQUIRE(!conns.empty());
  for (const Conn& c : conns) {
    INFO(c.uid);
    auto got = run(*registry, "netcap.ToPCAPSliceForConnection", c.uid, dir);
    REQUIRE(got.size() == 1);
    CHECK(slice_property(got[0], "read") == "packet map");
    CHECK(count_packets(got[0].value) == c.packets);  // inside the 802.1Q tag
  }
  // Touched after the capture: the offsets may no longer be right, so every file is read.
  fs::last_write_time(capture, fs::last_write_time(capture) + std::chrono::seconds(5));
  auto got = run(*registry, "netcap.ToPCAPSliceForConnection", conns[0].uid, dir);
  REQUIRE(got.size() == 1);
  CHECK(slice_property(got[0], "read") == "whole capture");
  CHECK(count_packets(got[0].value) == conns[0].packets);
}

TEST_CASE("slice transforms: a flow of IP fragments holds every fragment's packet") {
  const std::string dir = make_case("ipv4-fragments-nfs.pcap");
  auto registry = build_transform_registry();
  REQUIRE(registry);
  auto index = CaseIndex::open_read_only(dir);
  REQUIRE(index);
  // The Connection counts datagrams; its packet map lists the packets they were cut into.
  auto rows = run_query(index->db(),
                        "SELECT c.UID, c.NumPackets, m.Packets FROM Connection AS c JOIN"
                        " PacketMap AS m ON m.UID = c.UID WHERE m.Incomplete = ''"
                        " ORDER BY m.Packets - c.NumPackets DESC, c.UID LIMIT 1",
                        {});
  REQUIRE(rows);
  REQUIRE(rows->rows.size() == 1);
  const std::string uid = catalog::text_of(rows->rows[0][0]);
  const int64_t datagrams = catalog::int_of(rows->rows[0][1]);
  const int64_t packets = catalog::int_of(rows->rows[0][2]);
  CHECK(packets > datagrams);
  auto got = run(*registry, "netcap.ToPCAPSliceForConnection", uid, dir);
  REQUIRE(got.size() == 1);
  CHECK(slice_property(got[0], "read") == "packet map");
  CHECK(count_packets(got[0].value) == packets);
}
