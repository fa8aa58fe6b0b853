// Every packet of every shared capture through the decoders (no crash, no unexpected
// anomalies in well-formed captures) and, where tshark's frames.tsv exists, agreement of our
// outermost transport's ports and TCP flags with tshark's per-frame sport/dport/tcp_flags.
// Skips with a message when the shared corpus is absent.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/protocols/tests/capture_reader.h"
#include "core/protocols/tests/decode_harness.h"
#include "proto/network.pb.h"

using namespace netcap;
using namespace netcap::testing;
namespace fs = std::filesystem;

namespace {

struct OracleRow {
  std::string transport, sport, dport, tcp_flags;
};

std::map<uint64_t, OracleRow> read_frames_tsv(const fs::path& path) {
  std::map<uint64_t, OracleRow> rows;
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::string cell;
    std::istringstream ss(s);
    while (std::getline(ss, cell, '\t')) out.push_back(cell);
    if (!s.empty() && s.back() == '\t') out.emplace_back();
    return out;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  auto col = [&](const char* name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const size_t c_frame = col("frame"), c_tr = col("transport"), c_sp = col("sport"),
               c_dp = col("dport"), c_fl = col("tcp_flags");
  while (std::getline(in, line)) {
    auto cells = split(line);
    cells.resize(header.size());
    rows[std::stoull(cells[c_frame])] = {cells[c_tr], cells[c_sp], cells[c_dp], cells[c_fl]};
  }
  return rows;
}

bool is_fragment(const DecodeResult& r) {
  for (const IPv4* ip : r.all<IPv4>()) {
    if ((ip->flags() & 1) || ip->fragoffset() != 0) return true;
  }
  for (const IPv6* ip : r.all<IPv6>()) {
    for (const auto& e : ip->extensionheaders()) {
      if (e.type() == 44 && (e.morefragments() || e.fragmentoffset() != 0)) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("shared captures: no crash, transports agree with tshark", "[capture]") {
  const fs::path dir = fs::path(NETCAP_SHARED_DIR) / "pcaps";
  if (!fs::exists(dir)) {
    WARN("shared captures not found at " << dir.string() << ": skipped");
    return;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() != ".md") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  size_t total_packets = 0;
  for (const fs::path& file : files) {
    const std::string name = file.stem().string();
    const bool malformed = name.rfind("malformed-", 0) == 0;
    DecodeHarness h;
    REQUIRE(h.registry_ok());
    auto packets = read_capture(file.string());
    total_packets += packets.size();
    const fs::path oracle = dir / "oracle" / (name + ".frames.tsv");
    auto rows = fs::exists(oracle) ? read_frames_tsv(oracle) : std::map<uint64_t, OracleRow>{};
    size_t compared = 0, agreed = 0, fragment_frames = 0, fragment_agreed = 0;
    std::map<std::string, size_t> anomalies;
    for (const RawPacket& p : packets) {
      DecodeResult r = h.decode(p, true);
      for (const auto& a : r.anomalies) anomalies[a]++;
      auto it = rows.find(p.frame);
      if (it == rows.end()) continue;
      const OracleRow& o = it->second;
      if (o.transport == "icmp" || o.transport == "icmpv6") {
        // Quoted headers inside ICMP errors must never become transports.
        for (const auto& t : r.transports) {
          INFO(name << " frame " << p.frame);
          CHECK(t.info.ip_protocol != 6);
          CHECK(t.info.ip_protocol != 17);
        }
        continue;
      }
      if (o.transport != "tcp" && o.transport != "udp") continue;
      const uint8_t proto = o.transport == "tcp" ? 6 : 17;
      bool ok = false;
      if (!r.transports.empty() && r.transports[0].info.ip_protocol == proto) {
        const TransportInfo& t = r.transports[0].info;
        ok = std::to_string(t.src_port) == o.sport && std::to_string(t.dst_port) == o.dport;
        if (ok && proto == 6) ok = (std::stoul(o.tcp_flags, nullptr, 16) & 0xff) == t.tcp_flags;
      }
      if (is_fragment(r)) {
        // Depends on the shard's FragmentReassembler: never wrong ports, at most missing.
        ++fragment_frames;
        if (ok) ++fragment_agreed;
        INFO(name << " fragment frame " << p.frame);
        CHECK((ok || r.transports.empty()));
        continue;
      }
      ++compared;
      if (ok) {
        ++agreed;
      } else if (!malformed) {
        UNSCOPED_INFO(name << " frame " << p.frame << ": tshark " << o.transport << " " << o.sport
                           << " > " << o.dport << " flags " << o.tcp_flags << "; ours "
                           << (r.transports.empty()
                                   ? std::string("none")
                                   : std::to_string(r.transports[0].info.src_port) + " > " +
                                         std::to_string(r.transports[0].info.dst_port)));
      }
    }
    std::string anomaly_text;
    for (const auto& [a, n] : anomalies) anomaly_text += " " + a + "=" + std::to_string(n);
    std::printf("%-45s packets %5zu  tcp/udp agreement %zu/%zu  fragments %zu/%zu %s\n",
                name.c_str(), packets.size(), agreed, compared, fragment_agreed, fragment_frames,
                anomaly_text.c_str());
    if (!malformed) {
      INFO(name);
      CHECK(agreed == compared);
    }
  }
  CHECK(total_packets > 10000);
}

TEST_CASE("malformed-ipv4-bogus-headers: anomalies named, Ethernet kept", "[capture]") {
  const fs::path file = fs::path(NETCAP_SHARED_DIR) / "pcaps" / "malformed-ipv4-bogus-headers.pcap";
  if (!fs::exists(file)) {
    WARN("shared capture missing: skipped");
    return;
  }
  DecodeHarness h;
  auto packets = read_capture(file.string());
  REQUIRE(packets.size() == 2);
  std::vector<std::string> seen;
  for (const RawPacket& p : packets) {
    DecodeResult r = h.decode(p, true);
    CHECK(r.record_types().rfind("Ethernet", 0) == 0);
    seen.insert(seen.end(), r.anomalies.begin(), r.anomalies.end());
  }
  std::sort(seen.begin(), seen.end());
  // Frame 1: total length 11 < 20 (tshark: "Bogus IP length"); frame 2: version 5.
  CHECK(seen == std::vector<std::string>{"ipv4.bad_total_length", "ipv4.bad_version"});
}

TEST_CASE("snaplen68-truncated-tcp: every frame gives a TCP transport", "[capture]") {
  const fs::path file = fs::path(NETCAP_SHARED_DIR) / "pcaps" / "snaplen68-truncated-tcp.pcap";
  if (!fs::exists(file)) {
    WARN("shared capture missing: skipped");
    return;
  }
  DecodeHarness h;
  auto packets = read_capture(file.string());
  REQUIRE(packets.size() == 24);
  for (const RawPacket& p : packets) {
    DecodeResult r = h.decode(p, false);
    INFO("frame " << p.frame);
    REQUIRE(r.transports.size() == 1);
    CHECK(r.transports[0].info.ip_protocol == 6);
    CHECK(r.anomalies.empty());
  }
  // Frame 1 is the SYN whose options were cut.
  DecodeResult first = h.decode(packets[0], false);
  CHECK(first.transports[0].info.header_truncated);
  CHECK(first.transports[0].info.tcp_flags == 0xc2);
  // Frame 4 carries 84 payload bytes of which none were captured.
  DecodeResult fourth = h.decode(packets[3], false);
  CHECK(fourth.transports[0].info.payload_length == 84);
  CHECK(fourth.transports[0].payload.empty());
}
