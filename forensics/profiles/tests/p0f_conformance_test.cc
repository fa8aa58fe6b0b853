// Conformance with p0f itself: every shared capture is read by Debian's p0f 3.09b
// (`p0f -r FILE`) and by the real engine; for each SYN and SYN+ACK p0f reports, the signature
// the packet layer wrote into the Connection record (printed in p0f's raw_sig form) and the OS
// our matcher names must be p0f's. Skipped when ../shared, p0f or /etc/p0f/p0f.fp is absent.
#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/profiles/p0f.h"
#include "proto/connection.pb.h"

using namespace netcap;
using namespace netcap::profiles;
using netcap::app::testing::run_capture;
using netcap::app::testing::shared_capture;

namespace {

// "192.168.1.100/35820" or "2001:618:400::5199:cc70/80" in a canonical form (p0f and netcap
// write IPv6 addresses differently).
std::string endpoint(std::string_view ip, uint32_t port) {
  unsigned char bin[16];
  char text[INET6_ADDRSTRLEN] = {};
  const std::string s(ip);
  const int family = s.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(family, s.c_str(), bin) == 1) inet_ntop(family, bin, text, sizeof text);
  return std::string(text[0] != '\0' ? text : s) + "/" + std::to_string(port);
}

struct Observation {
  std::string os;  // "os" or "app" field; "???" when p0f knew none
  std::string raw_sig;
};

// p0f's report of one capture: (client -> server, "syn" / "syn+ack") -> the first observation.
std::map<std::pair<std::string, std::string>, Observation> run_p0f(const std::string& capture) {
  std::map<std::pair<std::string, std::string>, Observation> out;
  const std::string command =
      "p0f -r '" + capture + "' -f " + std::string(kDefaultP0fFile) + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::pair<std::string, std::string> key;
  Observation current;
  bool in_tcp_block = false;
  char buffer[8192];
  auto field = [](std::string_view line, std::string_view name) -> std::optional<std::string> {
    // "| os       = Linux 3.x"
    if (!line.starts_with("| ")) return std::nullopt;
    line.remove_prefix(2);
    if (!line.starts_with(name)) return std::nullopt;
    size_t eq = line.find("= ");
    if (eq == std::string_view::npos) return std::nullopt;
    std::string v(line.substr(eq + 2));
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    return v;
  };
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) {
    std::string_view line(buffer);
    if (line.starts_with(".-[ ")) {
      // ".-[ 1.2.3.4/1524 -> 4.3.2.1/80 (syn) ]-"
      size_t arrow = line.find(" -> "), open = line.rfind(" ("), close = line.rfind(") ]");
      in_tcp_block = false;
      if (arrow == std::string_view::npos || open == std::string_view::npos ||
          close == std::string_view::npos) {
        continue;
      }
      std::string type(line.substr(open + 2, close - open - 2));
      if (type != "syn" && type != "syn+ack") continue;
      auto split = [&](std::string_view ep) {
        size_t slash = ep.rfind('/');
        return endpoint(ep.substr(0, slash), std::stoul(std::string(ep.substr(slash + 1))));
      };
      key = {split(line.substr(4, arrow - 4)) + " -> " +
                 split(line.substr(arrow + 4, open - arrow - 4)),
             type};
      current = {};
      in_tcp_block = true;
    } else if (in_tcp_block) {
      if (auto v = field(line, "os"); v) current.os = *v;
      if (auto v = field(line, "app"); v) current.os = *v;
      if (auto v = field(line, "raw_sig"); v) {
        current.raw_sig = *v;
        out.emplace(key, current);  // the first report of a connection and direction
        in_tcp_block = false;
      }
    }
  }
  pclose(pipe);
  return out;
}

bool p0f_available() {
  return std::system("p0f -h >/dev/null 2>&1") != 127 &&
         std::filesystem::exists(std::string(kDefaultP0fFile));
}

}  // namespace

TEST_CASE("p0f conformance: signatures and OS names agree with p0f 3.09b", "[p0f][conformance]") {
  const std::string manifest = shared_capture("MANIFEST.md");
  if (manifest.empty() || !p0f_available()) {
    WARN("skipped: needs ../shared/pcaps, the p0f binary and /etc/p0f/p0f.fp");
    return;
  }
  auto db = P0fDatabase::load(std::string(kDefaultP0fFile));
  REQUIRE(db);
  std::vector<std::filesystem::path> captures;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(manifest).parent_path())) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) captures.push_back(e.path());
  }
  std::sort(captures.begin(), captures.end());
  size_t reported = 0, compared = 0, same_sig = 0, same_os = 0, missing = 0;
  for (const auto& path : captures) {
    const auto p0f = run_p0f(path.string());
    if (p0f.empty()) continue;
    auto run = run_capture(path.string());
    if (!run) continue;
    // Our signatures by (client -> server, type); the first connection of a 4-tuple.
    std::map<std::pair<std::string, std::string>, std::pair<std::string, uint16_t>> ours;
    for (const Connection* c : run->of<Connection>()) {
      const std::string key =
          endpoint(c->srcip(), c->srcport()) + " -> " + endpoint(c->dstip(), c->dstport());
      uint16_t syn_mss = 0;
      if (auto s = parse_p0f_tcp_signature(c->clienttcpsignature()); s && s->mss > 0) {
        syn_mss = static_cast<uint16_t>(s->mss);
      }
      if (!c->clienttcpsignature().empty()) {
        ours.emplace(std::pair{key, std::string("syn")}, std::pair{c->clienttcpsignature(), 0});
      }
      if (!c->servertcpsignature().empty()) {
        ours.emplace(std::pair{key, std::string("syn+ack")},
                     std::pair{c->servertcpsignature(), syn_mss});
      }
    }
    for (const auto& [key, theirs] : p0f) {
      ++reported;
      auto it = ours.find(key);
      if (it == ours.end()) {
        ++missing;
        std::printf("p0f conformance: %s: %s (%s) not in our Connection records\n",
                    path.filename().c_str(), key.first.c_str(), key.second.c_str());
        continue;
      }
      ++compared;
      const bool request = key.second == "syn";
      auto sig = parse_p0f_tcp_signature(it->second.first);
      REQUIRE(sig);
      const std::string raw = p0f_raw_signature(*sig, request, it->second.second);
      auto m = db->match(*sig, request, it->second.second);
      const std::string os = m ? m->label->os() : "???";
      same_sig += raw == theirs.raw_sig;
      same_os += os == theirs.os;
      if (raw != theirs.raw_sig || os != theirs.os) {
        std::printf("p0f conformance: %s: %s (%s)\n  p0f:    %-30s %s\n  netcap: %-30s %s\n",
                    path.filename().c_str(), key.first.c_str(), key.second.c_str(),
                    theirs.os.c_str(), theirs.raw_sig.c_str(), os.c_str(), raw.c_str());
      }
    }
  }
  std::printf(
      "p0f conformance: p0f reported %zu SYN/SYN+ACK; %zu compared (%zu not in our records): "
      "signature agrees %zu/%zu, OS agrees %zu/%zu\n",
      reported, compared, missing, same_sig, compared, same_os, compared);
  CHECK(compared > 100);
  CHECK(missing * 20 <= reported);  // at most 5% of p0f's reports missing
  CHECK(same_sig == compared);
  CHECK(same_os == compared);
}
