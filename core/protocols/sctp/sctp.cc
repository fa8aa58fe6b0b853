#include "core/protocols/sctp/sctp.h"

#include "core/protocols/common/layer_util.h"
#include "proto/transport.pb.h"

namespace netcap {

bool parse_sctp(Bytes bytes, SctpPacket& out) {
  ByteCursor c(bytes);
  out.src_port = c.u16be();
  out.dst_port = c.u16be();
  out.verification_tag = c.u32be();
  out.checksum = c.u32be();
  if (!c.ok()) return false;
  out.chunk_bytes = c.rest();
  // RFC 9260 3.2: chunk length counts type, flags and length but not the padding to 4 bytes.
  while (c.remaining() >= 4) {
    if (out.chunks.size() >= kMaxSctpChunks) {
      out.too_many_chunks = true;
      break;
    }
    SctpChunk ch;
    ByteCursor head(c.rest());
    ch.type = head.u8();
    ch.flags = head.u8();
    ch.length = head.u16be();
    if (ch.length < 4) {
      out.bad_chunk_length = true;
      break;
    }
    if (ch.length > c.remaining()) {
      out.chunk_cut = true;
    }
    if (ch.type == 0) {  // DATA, RFC 9260 3.3.1
      ch.tsn = head.u32be();
      ch.stream_id = head.u16be();
      ch.stream_sequence = head.u16be();
      ch.ppid = head.u32be();
    }
    out.chunks.push_back(ch);
    if (out.chunk_cut) break;
    const size_t padded = (ch.length + 3u) & ~size_t{3};
    c.skip(padded <= c.remaining() ? padded : c.remaining());
  }
  return true;
}

namespace {

void decode_sctp(Bytes bytes, PacketContext& ctx) {
  SctpPacket p;
  if (!parse_sctp(bytes, p)) {
    ctx.anomaly("sctp.truncated_header", std::to_string(bytes.size()) + " bytes, needs 12");
    return;
  }
  if (p.bad_chunk_length || (p.chunk_cut && !frame_snapped(ctx))) {
    ctx.anomaly("sctp.bad_chunk_length", "chunk length < 4 or past the end of the packet");
  }
  if (p.too_many_chunks) {
    ctx.anomaly("sctp.too_many_chunks", "more than " + std::to_string(kMaxSctpChunks));
  }
  const uint32_t declared = ctx.network_payload_length();
  if (TransportInfo* t = ctx.add_transport(132)) {
    t->src_port = p.src_port;
    t->dst_port = p.dst_port;
    t->payload = p.chunk_bytes;
    t->payload_length = declared >= 12 ? declared - 12 : 0;
    t->from_reassembled_fragments = ctx.network_reassembled();
  }
  if (!ctx.layer_records()) return;
  auto r = new_layer_record<SCTP>(ctx);
  r->set_srcport(p.src_port);
  r->set_dstport(p.dst_port);
  r->set_verificationtag(p.verification_tag);
  r->set_checksum(p.checksum);
  for (const SctpChunk& ch : p.chunks) {
    SCTPChunk* pc = r->add_chunks();
    pc->set_type(ch.type);
    pc->set_flags(ch.flags);
    pc->set_length(ch.length);
    pc->set_tsn(ch.tsn);
    pc->set_streamid(ch.stream_id);
    pc->set_streamsequence(ch.stream_sequence);
    pc->set_payloadprotocolid(ch.ppid);
  }
  r->set_srcip(ip_text(ctx.net_src()));
  r->set_dstip(ip_text(ctx.net_dst()));
  ctx.emit(std::move(r));
}

}  // namespace

Status register_sctp(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kIpProtocol, 132, {"sctp", &decode_sctp});
}

}  // namespace netcap
