// Limits: every buffer, table and queue in the engine has its bound here, with a default.
// Reaching a limit is recorded (an Anomaly record and/or a counter), never silent and never
// unbounded growth. One instance is built from the command line and passed by const reference.
#pragma once

#include <cstddef>
#include <cstdint>

namespace netcap {

struct Limits {
  // --- packet decoding ---
  // Nested layer dispatches per packet (tunnels inside tunnels); deeper is an anomaly.
  int max_layer_depth = 16;
  // Largest captured packet accepted from a source (bigger records are corrupt file data).
  uint32_t max_packet_bytes = 262144;
  // Transport layers remembered per packet (outer + inner of tunnels).
  int max_transports_per_packet = 4;

  // --- IP fragment reassembly (per shard) ---
  size_t max_fragment_sets = 4096;               // datagrams being reassembled at once
  size_t max_fragments_per_set = 256;            // fragments of one datagram
  size_t max_fragment_set_bytes = 65535 + 64;    // an IP datagram cannot be larger (RFC 791)
  int64_t fragment_timeout_ns = 30'000'000'000;  // RFC 791 suggests 15 s, Linux uses 30 s

  // --- flows (per shard) ---
  size_t max_flows_per_shard = 500'000;
  // Bytes of packet offsets kept per flow for its PacketMap record (about 2-3 bytes a packet);
  // a longer flow's map is cut here and marked incomplete.
  size_t max_packet_map_bytes = 256 * 1024;
  // All open flows' packet maps of one shard together; past it, growing maps are cut too.
  size_t max_packet_map_bytes_per_shard = 64 * 1024 * 1024;
  int64_t tcp_idle_timeout_ns = 300'000'000'000;   // 5 min without packets
  int64_t udp_idle_timeout_ns = 60'000'000'000;    // 1 min
  int64_t other_idle_timeout_ns = 60'000'000'000;  // ICMP, SCTP, ...
  int64_t tcp_closed_linger_ns = 5'000'000'000;    // keep a FIN/RST-closed flow 5 s for stragglers
  int64_t flow_sweep_interval_ns = 1'000'000'000;  // how often idle flows are looked for

  // --- TCP reassembly ---
  size_t max_stream_buffered_bytes = 4 * 1024 * 1024;   // out-of-order bytes held per direction
  size_t max_stream_buffered_segments = 4096;           // out-of-order segments per direction
  size_t max_shard_buffered_bytes = 256 * 1024 * 1024;  // all directions of one shard together

  // --- application protocols (per flow unless said otherwise) ---
  // Bytes per direction kept while the protocol of a TCP flow is not yet known; content probes
  // look at these. Past it the flow stays unclassified.
  size_t max_probe_bytes = 4096;
  // Datagrams of a UDP flow offered to the probes before it stays unclassified.
  int max_probe_datagrams = 4;
  // One protocol line (HTTP header line, SMTP command, FTP reply, ...). Longer is an anomaly
  // "<proto>.line_too_long" and the line is cut.
  size_t max_line_bytes = 16 * 1024;
  // A message head kept whole (HTTP request/response head, a mail header block).
  size_t max_header_bytes = 256 * 1024;
  // Header fields kept per message.
  size_t max_header_fields = 256;
  // A handshake message kept whole (TLS ClientHello/ServerHello/Certificate, SSH KEXINIT).
  size_t max_handshake_bytes = 1024 * 1024;
  // Requests waiting for their response (HTTP pipelining, DNS queries per flow, ...).
  size_t max_pending_transactions = 1024;
  // Records of one message kept (DNS resource records, MIME parts, TLS certificates, ...).
  size_t max_items_per_message = 4096;
  // Decoded (decompressed) bytes per body, and the decoded/encoded ratio past which a body is
  // treated as a decompression bomb.
  size_t max_decoded_body_bytes = 256 * 1024 * 1024;
  double max_decompression_ratio = 1000.0;
  // Expected data channels (FTP PORT/PASV, ...) waiting per shard, and how long they wait.
  size_t max_expected_channels = 4096;
  int64_t expected_channel_timeout_ns = 120'000'000'000;

  // --- queues ---
  size_t shard_queue_packets = 4096;  // reader -> shard, in packets
  size_t sink_queue_batches = 16;     // shard -> sink, in batches (x record_batch_size records)
  size_t record_batch_size = 512;     // records per batch

  // --- records ---
  size_t max_anomaly_detail_bytes = 512;
  size_t sqlite_rows_per_transaction = 20000;
};

}  // namespace netcap
