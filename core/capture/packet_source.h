// PacketSource: where packets come from (capture files, directories of files, a live
// interface). The engine's reader thread pulls packets with next(); nothing else about the
// origin leaks into the engine (link type and interface travel in each RawPacket).
//
// Why our own pcap/pcapng readers instead of libpcap's pcap_open_offline():
//  * libpcap refuses pcapng files whose interfaces have different link types or snap lengths
//    (e.g. a capture taken on "any" interface set: Ethernet + loopback + raw IP in one file);
//  * libpcap reports corruption as a bare error string, without the byte offset or the number of
//    packets read before it, which a forensic report must state;
//  * we want every header field read through ByteCursor with explicit limits (Limits), so a
//    hostile file cannot make us allocate or trust anything.
// libpcap is still used for what it does best: live capture and compiling/running BPF filters.
//
// Thread-safety: a source is used by one reader thread; request_stop() and progress() may be
// called from any thread (a signal-watching thread, a progress display). issues() is safe from
// any thread too (it copies under a lock).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/packet/packet.h"
#include "core/util/status.h"

namespace netcap {

// Why reading stopped early, or what was skipped.
struct SourceIssue {
  std::string file;             // path ("" for live)
  uint64_t byte_offset = 0;     // where in the file (in the decompressed stream for .gz files)
  uint64_t packets_before = 0;  // packets read from that file before the problem
  std::string reason;           // one line, e.g. "record header claims 4325376 bytes (> 262144)"
  bool fatal_for_file = true;   // reading of this file stopped here
};

struct SourceProgress {
  uint64_t bytes_read = 0;
  uint64_t bytes_total = 0;  // 0 when unknown (live)
};

// Kernel / interface counters of a live capture (pcap_stats).
struct LiveStats {
  uint64_t received = 0;              // ps_recv
  uint64_t dropped_by_kernel = 0;     // ps_drop: no room in the capture buffer
  uint64_t dropped_by_interface = 0;  // ps_ifdrop
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  // Fills `out` with the next packet (frame numbers 1-based across the merged input).
  // Returns true for a packet, false at the end (or when stop was requested); an error Status
  // only for environment failures (I/O errors, live capture errors). File corruption is NOT an
  // error: it ends that file and is reported in issues().
  virtual Expected<bool> next(RawPacket& out) = 0;
  virtual SourceProgress progress() const = 0;
  virtual std::vector<SourceIssue> issues() const = 0;
  // "3 files: a.pcap, b.pcapng, c.pcap" / "interface eth0"
  virtual std::string description() const = 0;
  // File paths (RawPacket::source_index indexes this) or the interface name.
  virtual std::vector<std::string> inputs() const = 0;
  // Thread-safe (also from a signal-watching thread); next() returns false soon after.
  virtual void request_stop() = 0;
  // Counters of a live capture; nullopt for files. Call from the reading thread (it queries
  // the capture handle), typically after next() returned false.
  virtual std::optional<LiveStats> live_stats() const { return std::nullopt; }
};

struct FileSourceOptions {
  // Optional BPF filter applied to every packet (compiled by libpcap once per link type met).
  // Packets that do not match are dropped before frame numbering, as a capture filter would.
  std::string bpf;
  uint32_t max_packet_bytes = 262144;  // Limits::max_packet_bytes
};

// Opens files and/or directories. A directory contributes every regular file inside it,
// recursively, sorted by path, that is a capture by its magic number (others are noted in
// issues() with fatal_for_file=false). Captures compressed with gzip (.gz, magic 1f 8b) are read
// transparently. Several files are merged in timestamp order (k-way merge, one pending packet
// per file; ties go to the earlier file in input order), so flows spanning files stay whole;
// inside one file the file order is kept.
// Errors (Status): no paths, a missing path, an unreadable file, a file named explicitly that is
// not a pcap/pcapng (by magic, not extension), a directory holding no capture, a BPF filter that
// does not compile. An empty capture (header only) is fine (0 packets).
Expected<std::unique_ptr<PacketSource>> open_file_source(const std::vector<std::string>& paths,
                                                         const FileSourceOptions& options);

struct LiveSourceOptions {
  std::string interface;
  std::string bpf;
  int snaplen = 262144;
  bool promiscuous = true;
  int timeout_ms = 100;  // how long next() waits before checking the stop flag again
  int buffer_mb = 64;    // kernel capture buffer
};

// Live capture with libpcap (pcap_create/pcap_activate, immediate mode, nanosecond timestamps
// when the platform offers them). Errors: no such interface, no permission, bad filter.
Expected<std::unique_ptr<PacketSource>> open_live_source(const LiveSourceOptions& options);

}  // namespace netcap
