// Conformance of packet counts and TCP/UDP conversations with tshark (../shared/pcaps/oracle).
//
// For every capture in the shared corpus: run the real `netcap capture` into a temporary case,
// read the Connection table of its index, and compare with NAME.flows.tsv and
// NAME.summary.json: packets read, and per conversation (matched by protocol + endpoints, then
// by first frame) the frames and bytes in each direction. Prints the agreement per capture.
// tshark never ends a conversation because it went idle, netcap does (Zeek's timeouts), so the
// run uses idle timeouts of a day: what is compared is the counting, not the timeout policy.
// Every disagreement must be listed in known_differences.tsv (and explained in
// docs/conformance.md); an unlisted one fails the test. Skips (exit 0 with a message) when the
// shared corpus is absent.
//
// usage: flows_conformance NETCAP_BINARY SHARED_DIR KNOWN_DIFFERENCES_TSV
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Conv {
  std::string proto, addr_a, addr_b;
  int port_a = 0, port_b = 0;
  uint64_t first_frame = 0;
  uint64_t frames_ab = 0, bytes_ab = 0, frames_ba = 0, bytes_ba = 0;
};

std::string key_of(const Conv& c) {
  std::string a = c.addr_a + "|" + std::to_string(c.port_a);
  std::string b = c.addr_b + "|" + std::to_string(c.port_b);
  if (b < a) std::swap(a, b);
  return c.proto + "|" + a + "|" + b;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(line);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

std::vector<Conv> read_oracle(const fs::path& tsv) {
  std::vector<Conv> out;
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    auto f = split(line, '\t');
    if (f.size() < 16) continue;
    Conv c;
    c.proto = f[0];
    c.addr_a = f[2];
    c.port_a = std::stoi(f[3]);
    c.addr_b = f[4];
    c.port_b = std::stoi(f[5]);
    c.first_frame = std::stoull(f[6]);
    c.frames_ab = std::stoull(f[10]);
    c.bytes_ab = std::stoull(f[11]);
    c.frames_ba = std::stoull(f[12]);
    c.bytes_ba = std::stoull(f[13]);
    out.push_back(c);
  }
  return out;
}

uint64_t json_number(const fs::path& json, const std::string& key) {
  std::ifstream in(json);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  auto pos = s.find("\"" + key + "\"");
  if (pos == std::string::npos) return 0;
  pos = s.find(':', pos);
  return std::strtoull(s.c_str() + pos + 1, nullptr, 10);
}

bool read_index(const fs::path& db_path, std::vector<Conv>& convs, uint64_t& packets,
                std::string& error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    error = "cannot open " + db_path.string();
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT TransportProto, SrcIP, SrcPort, DstIP, DstPort, FirstFrame, PacketsClientToServer,"
      " BytesClientToServer, PacketsServerToClient, BytesServerToClient FROM Connection"
      " WHERE TransportProto IN ('tcp','udp')";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return false;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    Conv c;
    c.proto = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    c.addr_a = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    c.port_a = sqlite3_column_int(st, 2);
    c.addr_b = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    c.port_b = sqlite3_column_int(st, 4);
    c.first_frame = static_cast<uint64_t>(sqlite3_column_int64(st, 5));
    c.frames_ab = static_cast<uint64_t>(sqlite3_column_int64(st, 6));
    c.bytes_ab = static_cast<uint64_t>(sqlite3_column_int64(st, 7));
    c.frames_ba = static_cast<uint64_t>(sqlite3_column_int64(st, 8));
    c.bytes_ba = static_cast<uint64_t>(sqlite3_column_int64(st, 9));
    convs.push_back(c);
  }
  sqlite3_finalize(st);
  packets = 0;
  if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='packets'", -1, &st, nullptr) ==
      SQLITE_OK) {
    if (sqlite3_step(st) == SQLITE_ROW) {
      packets = std::strtoull(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), nullptr, 10);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return true;
}

// Conversations that agree exactly, and a description of each that does not.
struct Agreement {
  size_t oracle = 0, ours = 0, exact = 0;
  std::vector<std::string> differences;
};

Agreement compare(const std::vector<Conv>& oracle, const std::vector<Conv>& ours) {
  Agreement a;
  a.oracle = oracle.size();
  a.ours = ours.size();
  std::map<std::string, std::vector<const Conv*>> by_key_oracle, by_key_ours;
  for (const auto& c : oracle) by_key_oracle[key_of(c)].push_back(&c);
  for (const auto& c : ours) by_key_ours[key_of(c)].push_back(&c);
  auto by_frame = [](const Conv* x, const Conv* y) { return x->first_frame < y->first_frame; };
  for (auto& [key, list] : by_key_oracle) {
    auto& mine = by_key_ours[key];
    std::sort(list.begin(), list.end(), by_frame);
    std::sort(mine.begin(), mine.end(), by_frame);
    for (size_t i = 0; i < list.size(); ++i) {
      const Conv& o = *list[i];
      if (i >= mine.size()) {
        a.differences.push_back("missing " + key + " (tshark first frame " +
                                std::to_string(o.first_frame) + ")");
        continue;
      }
      Conv m = *mine[i];
      if (m.addr_a != o.addr_a || m.port_a != o.port_a) {  // orient like tshark
        std::swap(m.addr_a, m.addr_b);
        std::swap(m.port_a, m.port_b);
        std::swap(m.frames_ab, m.frames_ba);
        std::swap(m.bytes_ab, m.bytes_ba);
      }
      if (m.frames_ab == o.frames_ab && m.bytes_ab == o.bytes_ab && m.frames_ba == o.frames_ba &&
          m.bytes_ba == o.bytes_ba) {
        a.exact++;
      } else {
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "counts %s: tshark %llu/%llu -> %llu/%llu, netcap %llu/%llu -> %llu/%llu "
                      "(frames/bytes a->b, b->a)",
                      key.c_str(), (unsigned long long)o.frames_ab, (unsigned long long)o.bytes_ab,
                      (unsigned long long)o.frames_ba, (unsigned long long)o.bytes_ba,
                      (unsigned long long)m.frames_ab, (unsigned long long)m.bytes_ab,
                      (unsigned long long)m.frames_ba, (unsigned long long)m.bytes_ba);
        a.differences.push_back(buf);
      }
    }
    for (size_t i = list.size(); i < mine.size(); ++i) {
      a.differences.push_back("extra " + key + " (netcap first frame " +
                              std::to_string(mine[i]->first_frame) + ")");
    }
  }
  for (auto& [key, mine] : by_key_ours) {
    if (by_key_oracle.count(key)) continue;
    for (const Conv* m : mine) {
      a.differences.push_back("extra " + key + " (netcap first frame " +
                              std::to_string(m->first_frame) + ")");
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s NETCAP_BINARY SHARED_DIR KNOWN_DIFFERENCES_TSV\n", argv[0]);
    return 2;
  }
  const std::string netcap = argv[1];
  const fs::path pcaps = fs::path(argv[2]) / "pcaps";
  if (!fs::is_directory(pcaps / "oracle")) {
    std::printf("SKIPPED: shared corpus not found at %s\n", pcaps.c_str());
    return 0;
  }
  // capture name -> number of differences documented as explained
  std::map<std::string, size_t> known;
  {
    std::ifstream in(argv[3]);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto f = split(line, '\t');
      if (f.size() >= 2) known[f[0]] = std::stoul(f[1]);
    }
  }
  fs::path tmp = fs::temp_directory_path() / ("netcap-conformance-" + std::to_string(::getpid()));
  fs::create_directories(tmp);

  std::vector<fs::path> captures;
  for (const auto& e : fs::directory_iterator(pcaps)) {
    if (e.is_regular_file() && e.path().extension() != ".md") captures.push_back(e.path());
  }
  std::sort(captures.begin(), captures.end());

  int failures = 0;
  size_t total_oracle = 0, total_exact = 0, packet_agree = 0;
  std::printf("%-44s %8s %8s %7s %7s %7s  %s\n", "capture", "pkts", "tshark", "convs", "ours",
              "exact", "result");
  for (const fs::path& capture : captures) {
    const std::string name = capture.stem().string();
    const fs::path oracle_flows = pcaps / "oracle" / (name + ".flows.tsv");
    const fs::path oracle_summary = pcaps / "oracle" / (name + ".summary.json");
    if (!fs::exists(oracle_flows)) continue;
    const fs::path case_dir = tmp / name;
    std::string cmd = "'" + netcap + "' capture -r '" + capture.string() + "' -o '" +
                      case_dir.string() + "' --quiet --force --tcp-timeout 86400 --udp-timeout 86400 > '" + (tmp / (name + ".log")).string() +
                      "' 2>&1";
    int rc = std::system(cmd.c_str());
    std::vector<Conv> ours;
    uint64_t packets = 0;
    std::string error;
    bool read = fs::exists(case_dir / "index.db") &&
                read_index(case_dir / "index.db", ours, packets, error);
    if (!read) {
      std::printf("%-44s FAILED: netcap exited %d and left no readable index (%s); see %s\n",
                  name.c_str(), rc, error.c_str(), (tmp / (name + ".log")).c_str());
      failures++;
      continue;
    }
    const uint64_t oracle_packets = json_number(oracle_summary, "packets");
    Agreement a = compare(read_oracle(oracle_flows), ours);
    total_oracle += a.oracle;
    total_exact += a.exact;
    const bool packets_ok = packets == oracle_packets;
    packet_agree += packets_ok;
    const size_t allowed = known.count(name) ? known[name] : 0;
    const bool ok = packets_ok && a.differences.size() <= allowed;
    std::printf("%-44s %8llu %8llu %7zu %7zu %7zu  %s\n", name.c_str(), (unsigned long long)packets,
                (unsigned long long)oracle_packets, a.oracle, a.ours, a.exact,
                ok ? (a.differences.empty() ? "agree" : "agree except documented differences")
                   : "DISAGREE");
    if (!ok) {
      failures++;
      if (!packets_ok) std::printf("    packets: netcap %llu, tshark %llu\n", (unsigned long long)packets, (unsigned long long)oracle_packets);
    }
    if (!a.differences.empty()) {
      for (size_t i = 0; i < a.differences.size() && i < 10; ++i) {
        std::printf("    %s\n", a.differences[i].c_str());
      }
      if (a.differences.size() > 10) std::printf("    ... %zu more\n", a.differences.size() - 10);
    }
  }
  fs::remove_all(tmp);
  std::printf("conversations agreeing exactly: %zu of %zu (%.2f%%); packet counts agreeing: %zu of %zu captures\n",
              total_exact, total_oracle, total_oracle ? 100.0 * total_exact / total_oracle : 100.0,
              packet_agree, captures.size());
  return failures == 0 ? 0 : 1;
}
