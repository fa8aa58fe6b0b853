// Transforms that cut a pcap slice out of the case's captures (a flow, a host, a port) and return
// its path: the server-side form of netcap's "open in Wireshark" transforms, since a server
// cannot open a window on the analyst's desktop.
//
// The capture files are the ones `netcap capture` read (the index's meta key "input_files", a
// JSON array of absolute paths). A slice holds the packets of the selected connections. They
// are read where the connections' PacketMap records say they are (one seek per run of packets,
// so the cost follows the slice's size, not the capture's), provided each file still has the
// size and modification time the capture recorded (meta key "input_file_stats"). Without
// complete maps (a case from an older netcap, a flow whose map was cut, a changed file) every
// capture file is read through a BPF filter compiled by libpcap (and, for a flow, its time
// range) instead; the filter also matches the packets inside one or two 802.1Q tags. The slice is
// CASE/slices/<kind>-<key>.pcap, replacing an earlier slice of the same name: written to a
// temporary file first, then renamed.
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/flow/packet_map.h"
#include "core/util/file_identity.h"
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/catalog_util.h"

namespace netcap::catalog {

namespace {

namespace fs = std::filesystem;
using maltego::TransformRequest;
using maltego::TransformResponse;

// A slice stops here (recorded on the entity as truncated): a transform answers an analyst
// waiting in Maltego, and a slice larger than this is better cut with tcpdump or editcap.
constexpr uint64_t kMaxSliceBytes = 512ull * 1024 * 1024;

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperClose {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

struct SliceRequest {
  std::string kind;                   // "flow", "host", "port": first part of the file name
  std::string key;                    // second part (made file-name safe)
  std::string filter;                 // BPF
  int64_t first_ns = 0, last_ns = 0;  // time range (both 0: all)
  // The connections whose packets the slice holds: a condition on Connection AS c with ?1.
  std::string connections_where;
  SqlValue param;
};

struct SliceResult {
  std::string path;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  bool truncated = false;
  bool by_packet_map = false;  // read where PacketMap records say, else every file scanned
};

std::string safe_file_part(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    out.push_back(ok ? c : '_');
  }
  return out.substr(0, 100);
}

Expected<std::vector<std::string>> input_files(const TransformContext& context,
                                               TransformResponse& response) {
  Expected<ResultSet> rows =
      query(context,
            "SELECT j.value FROM meta, json_each(meta.value) AS j WHERE meta.key = 'input_files'"
            " AND json_valid(meta.value) ORDER BY j.key",
            {}, response);
  if (!rows) return rows.status();
  std::vector<std::string> files;
  for (const auto& row : rows->rows) files.push_back(text_of(row[0]));
  if (files.empty()) {
    return Status::error(
        "this case does not list its capture files (a live capture, or a case made by an older "
        "netcap): no slice can be cut");
  }
  return files;
}

// True when `sql` (one bound parameter) returns a row: the slice would not be empty.
Expected<bool> case_has(const TransformContext& context, const char* sql, SqlValue param,
                        TransformResponse& response) {
  Expected<ResultSet> rows = query(context, sql, {std::move(param)}, response);
  if (!rows) return rows.status();
  return !rows->rows.empty();
}

// Per capture file, the sorted offsets of the packets of the connections `request` selects;
// nullopt when one of them has no complete PacketMap (the caller reads every file instead).
Expected<std::optional<std::vector<std::vector<uint64_t>>>> mapped_offsets(
    const TransformContext& context, const SliceRequest& request,
    const std::vector<std::string>& files, TransformResponse& response) {
  const size_t file_count = files.size();
  using Offsets = std::vector<std::vector<uint64_t>>;
  if (request.connections_where.empty() || !context.index.has_table("PacketMap")) {
    return std::optional<Offsets>();
  }
  Expected<ResultSet> rows = query(
      context,
      "SELECT m.Offsets, m.Incomplete, m.Packets FROM Connection AS c LEFT JOIN PacketMap AS m"
      " ON m.UID = c.UID WHERE " +
          request.connections_where,
      {request.param}, response);
  if (!rows) return rows.status();
  Offsets offsets(file_count);
  if (rows->rows.empty()) return std::optional<Offsets>(std::move(offsets));
  for (const auto& row : rows->rows) {
    const auto* blob = std::get_if<SqlBlob>(&row[0]);
    if (blob == nullptr || !text_of(row[1]).empty()) return std::optional<Offsets>();
    // A malformed map (or one that disagrees with its packet count) counts as no map.
    const int64_t packets = int_of(row[2]);
    std::optional<std::vector<PacketLocation>> locations = decode_packet_map(
        blob->bytes, file_count, static_cast<size_t>(std::max<int64_t>(0, packets)));
    if (!locations || static_cast<int64_t>(locations->size()) != packets) {
      return std::optional<Offsets>();
    }
    for (const PacketLocation& location : *locations) {
      offsets[location.file].push_back(location.offset);
    }
  }
  for (auto& list : offsets) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  // Offsets are only good for the very files the capture read: same size and modification
  // time as recorded then, else every file is read through the filter.
  Expected<ResultSet> stats = query(
      context,
      "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM meta,"
      " json_each(meta.value) AS j WHERE meta.key = 'input_file_stats' AND json_valid(meta.value)"
      " ORDER BY j.key",
      {}, response);
  if (!stats) return stats.status();
  if (stats->rows.size() != file_count) return std::optional<Offsets>();
  for (size_t i = 0; i < file_count; ++i) {
    if (offsets[i].empty()) continue;
    const std::optional<FileIdentity> now = file_identity(files[i]);
    const FileIdentity then{static_cast<uint64_t>(int_of(stats->rows[i][0])),
                            int_of(stats->rows[i][1])};
    if (!now || !(*now == then)) return std::optional<Offsets>();
  }
  return std::optional<Offsets>(std::move(offsets));
}

struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

// Appends one packet to the slice, unless it would take the slice past kMaxSliceBytes: then
// the slice is marked truncated and false returned.
bool add_packet(pcap_dumper_t* dumper, const pcap_pkthdr* header, const u_char* data,
                SliceResult& result) {
  if (result.bytes + header->caplen > kMaxSliceBytes) {
    result.truncated = true;
    return false;
  }
  pcap_dump(reinterpret_cast<u_char*>(dumper), header, data);
  ++result.packets;
  result.bytes += header->caplen;
  return true;
}

// Writes the packets at `offsets` (per file) to `temp_path`. False (nothing usable written)
// when a packet cannot be read where the map says.
Expected<bool> write_mapped(const std::vector<std::string>& files,
                            const std::vector<std::vector<uint64_t>>& offsets,
                            const fs::path& temp_path, SliceResult& result) {
  std::unique_ptr<pcap_dumper_t, DumperClose> dumper;
  std::unique_ptr<pcap_t, PcapClose> dead;
  int link_type = -1;
  for (size_t i = 0; i < files.size() && !result.truncated; ++i) {
    if (offsets[i].empty()) continue;
    std::unique_ptr<FILE, FileClose> file(std::fopen(files[i].c_str(), "rb"));
    if (!file) return false;
    // Runs of adjacent packets are read from the buffer without a seek.
    std::setvbuf(file.get(), nullptr, _IOFBF, 256 * 1024);
    char error[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, PcapClose> in(
        pcap_fopen_offline_with_tstamp_precision(file.get(), PCAP_TSTAMP_PRECISION_NANO, error));
    if (!in) return false;
    FILE* stream = file.release();  // pcap_close closes it now
    if (link_type >= 0 && pcap_datalink(in.get()) != link_type) {
      return Status::error("capture " + files[i] + " has another link type than the first one; " +
                           "a pcap slice holds one link type");
    }
    if (!dumper) {
      link_type = pcap_datalink(in.get());
      // A dead handle of the same link type, snap length and precision writes the slice.
      dead.reset(pcap_open_dead_with_tstamp_precision(link_type, pcap_snapshot(in.get()),
                                                      PCAP_TSTAMP_PRECISION_NANO));
      if (!dead) return Status::error("out of memory");
      dumper.reset(pcap_dump_open(dead.get(), temp_path.c_str()));
      if (!dumper) {
        return Status::error("cannot write " + temp_path.string() + ": " + pcap_geterr(dead.get()));
      }
    }
    for (uint64_t offset : offsets[i]) {
      if (static_cast<uint64_t>(ftello(stream)) != offset &&
          fseeko(stream, static_cast<off_t>(offset), SEEK_SET) != 0) {
        return false;
      }
      pcap_pkthdr* header = nullptr;
      const u_char* data = nullptr;
      if (pcap_next_ex(in.get(), &header, &data) != 1) return false;
      if (!add_packet(dumper.get(), header, data, result)) break;
    }
  }
  if (!dumper) return false;
  if (pcap_dump_flush(dumper.get()) != 0) {
    return Status::error("writing " + temp_path.string() + " failed");
  }
  return true;
}

// Reads every capture file through `request.filter` (and time range) into `temp_path`.
Status write_scanned(const std::vector<std::string>& files, const SliceRequest& request,
                     const fs::path& temp_path, SliceResult& result) {
  std::unique_ptr<pcap_dumper_t, DumperClose> dumper;
  int link_type = -1;
  for (const std::string& file : files) {
    char error[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, PcapClose> in(
        pcap_open_offline_with_tstamp_precision(file.c_str(), PCAP_TSTAMP_PRECISION_NANO, error));
    if (!in) return Status::error("cannot read capture " + file + ": " + error);
    if (link_type >= 0 && pcap_datalink(in.get()) != link_type) {
      return Status::error("capture " + file + " has another link type than the first one; " +
                           "a pcap slice holds one link type");
    }
    bpf_program program{};
    // BPF offsets are fixed per expression: each "vlan" shifts the rest past one 802.1Q tag.
    // Link types without VLAN tags (raw IP, loopback) refuse "vlan": the plain filter then.
    const std::string& f = request.filter;
    const std::string with_vlans =
        "(" + f + ") or (vlan and (" + f + ")) or (vlan and vlan and (" + f + "))";
    if (pcap_compile(in.get(), &program, with_vlans.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 &&
        pcap_compile(in.get(), &program, f.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return Status::error("BPF filter '" + request.filter + "': " + pcap_geterr(in.get()));
    }
    if (!dumper) {
      link_type = pcap_datalink(in.get());
      dumper.reset(pcap_dump_open(in.get(), temp_path.c_str()));
      if (!dumper) {
        pcap_freecode(&program);
        return Status::error("cannot write " + temp_path.string() + ": " + pcap_geterr(in.get()));
      }
    }
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc = 0;
    while (!result.truncated && (rc = pcap_next_ex(in.get(), &header, &data)) == 1) {
      if (pcap_offline_filter(&program, header, data) == 0) continue;
      const int64_t ts_ns = int64_t{header->ts.tv_sec} * 1'000'000'000 + header->ts.tv_usec;
      if (request.last_ns != 0 && (ts_ns < request.first_ns || ts_ns > request.last_ns)) continue;
      if (!add_packet(dumper.get(), header, data, result)) break;
    }
    pcap_freecode(&program);
    // rc == -1: a damaged file; capture read it up to the same point, so the slice is complete
    // for what the index holds.
    (void)rc;
  }
  if (!dumper) return Status::error("no capture file could be read");
  if (pcap_dump_flush(dumper.get()) != 0) {
    return Status::error("writing " + temp_path.string() + " failed");
  }
  return Status::ok();
}

// Writes the slice `request` selects into one pcap file.
Expected<SliceResult> write_slice(const TransformContext& context, const SliceRequest& request,
                                  TransformResponse& response) {
  Expected<std::vector<std::string>> files = input_files(context, response);
  if (!files) return files.status();
  const fs::path dir = fs::path(context.case_dir) / "slices";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::error("cannot create " + dir.string() + ": " + ec.message());
  SliceResult result;
  const fs::path final_path = dir / (request.kind + "-" + safe_file_part(request.key) + ".pcap");
  const fs::path temp_path = fs::path(final_path.string() + ".part");
  result.path = final_path.string();

  Expected<std::optional<std::vector<std::vector<uint64_t>>>> offsets =
      mapped_offsets(context, request, *files, response);
  if (!offsets) return offsets.status();
  if (*offsets) {
    Expected<bool> written = write_mapped(*files, **offsets, temp_path, result);
    if (!written) return written.status();
    result.by_packet_map = *written;
    if (!*written) {
      result = SliceResult{};  // read the slow way
      result.path = final_path.string();
    }
  }
  if (!result.by_packet_map) {
    if (Status s = write_scanned(*files, request, temp_path, result); !s) return s;
  }
  fs::rename(temp_path, final_path, ec);
  if (ec) return Status::error("cannot rename " + temp_path.string() + ": " + ec.message());
  return result;
}

Status answer(const TransformContext& context, const SliceRequest& request,
              TransformResponse& response) {
  Expected<SliceResult> slice = write_slice(context, request, response);
  if (!slice) return slice.status();
  auto& entity = add_entity(response, context, entities::kNetcapPCAPSlice,
                            entities::kSlicePathProperty, slice->path);
  entity.add_property("filter", request.filter, "BPF filter");
  entity.add_property("packets", std::to_string(slice->packets), "Packets");
  entity.add_property("bytes", std::to_string(slice->bytes), "Bytes");
  entity.add_property("truncated", slice->truncated ? "true" : "false",
                      "Truncated at the size limit");
  entity.add_property("read", slice->by_packet_map ? "packet map" : "whole capture",
                      "How the packets were found");
  entity.set_link_label(plural(static_cast<int64_t>(slice->packets), "pkt", "pkts") +
                        (slice->truncated ? " (truncated)" : ""));
  return Status::ok();
}

// "host X" matches IPv4 and IPv6 addresses alike, so one filter form serves both families.
Status slice_for_connection(const TransformContext& context, const TransformRequest& request,
                            TransformResponse& response) {
  const std::string* uid_property = request.property(entities::kConnectionUidProperty);
  std::string uid =
      uid_property != nullptr && !uid_property->empty() ? *uid_property : request.value;
  if (uid.empty()) return Status::error("the connection entity has no UID");
  Expected<ResultSet> rows =
      query(context,
            "SELECT TransportProto, SrcIP, SrcPort, DstIP, DstPort, TimestampFirst, "
            "TimestampLast FROM Connection WHERE UID = ?1 LIMIT 1",
            {uid}, response);
  if (!rows) return rows.status();
  if (rows->rows.empty()) {
    // Like every other transform on a value the case does not hold: an empty answer.
    response.add_message(maltego::kInform, "no connection with UID " + uid + " in the case");
    return Status::ok();
  }
  const auto& row = rows->rows.front();
  const std::string proto = text_of(row[0]);
  const std::string a = text_of(row[1]), b = text_of(row[3]);
  SliceRequest slice{"flow", uid, "", int_of(row[5]), int_of(row[6]), "c.UID = ?1", uid};
  if (proto == "tcp" || proto == "udp" || proto == "sctp") {
    const std::string pa = text_of(row[2]), pb = text_of(row[4]);
    slice.filter = proto + " and ((src host " + a + " and src port " + pa + " and dst host " + b +
                   " and dst port " + pb + ") or (src host " + b + " and src port " + pb +
                   " and dst host " + a + " and dst port " + pa + "))";
  } else {
    slice.filter = "host " + a + " and host " + b;
  }
  // The flow's packets only: the same addresses and ports may be reused later.
  if (slice.last_ns < slice.first_ns) slice.last_ns = slice.first_ns;
  if (slice.last_ns == 0) slice.last_ns = 1;
  return answer(context, slice, response);
}

Status slice_for_host(const TransformContext& context, const TransformRequest& request,
                      TransformResponse& response) {
  Expected<std::string> ip =
      input_value(request, {entities::kIPv4Property, entities::kIPv6Property});
  if (!ip) return ip.status();
  // Only address characters reach the filter text.
  if (ip->empty() || ip->find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
    response.add_message(maltego::kInform, "not an IP address: '" + *ip + "'");
    return Status::ok();
  }
  Expected<bool> seen = case_has(
      context, "SELECT 1 FROM Connection WHERE SrcIP = ?1 OR DstIP = ?1 LIMIT 1", *ip, response);
  if (!seen) return seen.status();
  if (!*seen) {
    response.add_message(maltego::kInform, "no connection of " + *ip + " in the case");
    return Status::ok();
  }
  return answer(context,
                SliceRequest{"host", *ip, "host " + *ip, 0, 0, "c.SrcIP = ?1 OR c.DstIP = ?1", *ip},
                response);
}

Status slice_for_port(const TransformContext& context, const TransformRequest& request,
                      TransformResponse& response) {
  Expected<std::string> port = input_value(request, {entities::kPortProperty, "properties.port"});
  if (!port) return port.status();
  if (port->empty() || port->size() > 5 ||
      port->find_first_not_of("0123456789") != std::string::npos || std::stoi(*port) > 65535) {
    return Status::error("not a port number: '" + *port + "'");
  }
  Expected<bool> seen =
      case_has(context, "SELECT 1 FROM Connection WHERE SrcPort = ?1 OR DstPort = ?1 LIMIT 1",
               std::stoi(*port), response);
  if (!seen) return seen.status();
  if (!*seen) {
    response.add_message(maltego::kInform, "no connection on port " + *port + " in the case");
    return Status::ok();
  }
  const int64_t number = std::stoi(*port);
  return answer(context,
                SliceRequest{"port", *port, "port " + *port, 0, 0,
                             "(c.SrcPort = ?1 OR c.DstPort = ?1) AND c.TransportProto IN"
                             " ('tcp', 'udp', 'sctp')",
                             number},
                response);
}

}  // namespace

Status register_slice_transforms(TransformRegistry& registry) {
  struct Entry {
    const char* id;
    const char* display;
    const char* description;
    std::string_view input;
    TransformRun run;
  };
  const Entry entries[] = {
      {"netcap.ToPCAPSliceForConnection", "To PCAP Slice For Connection [NETCAP]",
       "Writes this connection's packets (its 5-tuple, both directions, within its time range) "
       "to CASE/slices/flow-<uid>.pcap and returns the path, to open in Wireshark",
       entities::kNetcapConnection, slice_for_connection},
      {"netcap.ToPCAPSliceForHost", "To PCAP Slice For Host [NETCAP]",
       "Writes the packets of this IPv4 address's connections to CASE/slices/host-<ip>.pcap "
       "and returns the path",
       entities::kIPv4Address, slice_for_host},
      {"netcap.ToPCAPSliceForHostIPv6", "To PCAP Slice For Host (IPv6) [NETCAP]",
       "Writes the packets of this IPv6 address's connections to CASE/slices/host-<ip>.pcap "
       "and returns the path",
       entities::kIPv6Address, slice_for_host},
      {"netcap.ToPCAPSliceForPort", "To PCAP Slice For Port [NETCAP]",
       "Writes every TCP, UDP or SCTP packet with this port on either side to "
       "CASE/slices/port-<n>.pcap and returns the path",
       entities::kPort, slice_for_port},
  };
  for (const Entry& e : entries) {
    TransformSpec spec;
    spec.id = e.id;
    spec.display_name = e.display;
    spec.description = e.description;
    spec.input_entity = std::string(e.input);
    spec.output_entities = {std::string(entities::kNetcapPCAPSlice)};
    spec.run = e.run;
    if (Status s = registry.add(std::move(spec)); !s) return s;
  }
  return Status::ok();
}

}  // namespace netcap::catalog
