#include "core/protocols/igmp/igmp.h"

#include "core/protocols/common/layer_util.h"
#include "proto/network.pb.h"

namespace netcap {

namespace {
// RFC 3376 4.1.1 / 4.1.7: codes >= 128 are a floating-point value (exp 3 bits, mant 4 bits).
uint64_t igmpv3_code_value(uint8_t code) {
  if (code < 128) return code;
  const uint64_t mant = code & 0x0f;
  const unsigned exp = (code >> 4) & 0x07;
  return (mant | 0x10) << (exp + 3);
}
}  // namespace

bool parse_igmp(Bytes bytes, IgmpMessage& out) {
  ByteCursor c(bytes);
  out.type = c.u8();
  out.max_response_code = c.u8();
  out.checksum = c.u16be();
  if (!c.has(4)) return false;
  out.max_response_time = out.max_response_code;
  switch (out.type) {
    case 0x11:
      out.group = read_ipv4(c);
      if (bytes.size() >= 12) {
        out.version = 3;
        out.max_response_time = igmpv3_code_value(out.max_response_code);
        const uint8_t sqrv = c.u8();
        out.suppress_router_processing = (sqrv & 0x08) != 0;
        out.robustness = sqrv & 0x07;
        out.interval_seconds = igmpv3_code_value(c.u8());
        out.source_count = c.u16be();
        for (uint16_t i = 0; i < out.source_count && c.ok(); ++i) {
          IpAddress a = read_ipv4(c);
          if (a.valid()) out.sources.push_back(a);
        }
      } else {
        out.version = out.max_response_code == 0 ? 1 : 2;
      }
      break;
    case 0x12:
    case 0x16:
    case 0x17:
      out.version = out.type == 0x12 ? 1 : 2;
      out.group = read_ipv4(c);
      break;
    case 0x22:
      out.version = 3;
      c.skip(2);
      out.group_record_count = c.u16be();
      for (uint16_t i = 0; i < out.group_record_count && c.ok(); ++i) {
        if (out.group_records.size() >= kMaxIgmpGroupRecords) {
          out.too_many_records = true;
          break;
        }
        IgmpGroupRecord g;
        g.type = c.u8();
        g.aux_words = c.u8();
        g.source_count = c.u16be();
        g.multicast = read_ipv4(c);
        for (uint16_t s = 0; s < g.source_count && c.ok(); ++s) {
          IpAddress a = read_ipv4(c);
          if (a.valid()) g.sources.push_back(a);
        }
        c.skip(g.aux_words * 4u);
        if (c.ok()) out.group_records.push_back(std::move(g));
      }
      break;
    default:
      break;
  }
  out.truncated = !c.ok();
  return true;
}

namespace {

void decode_igmp(Bytes bytes, PacketContext& ctx) {
  IgmpMessage m;
  if (!parse_igmp(bytes, m)) {
    ctx.anomaly("igmp.truncated", std::to_string(bytes.size()) + " bytes, message needs 8");
    return;
  }
  if (m.truncated) ctx.anomaly("igmp.truncated", "type " + std::to_string(m.type) + " cut short");
  if (m.too_many_records) {
    ctx.anomaly("igmp.too_many_group_records", "more than " + std::to_string(kMaxIgmpGroupRecords));
  }
  ctx.count_value(ValueKind::kIGMPType, m.type);
  for (const IgmpGroupRecord& g : m.group_records) {
    ctx.count_value(ValueKind::kIGMPGroupRecordType, g.type);
  }
  if (!ctx.layer_records()) return;
  auto r = new_layer_record<IGMP>(ctx);
  r->set_type(m.type);
  r->set_maxresponsetime(m.max_response_time);
  r->set_checksum(m.checksum);
  r->set_groupaddress(ip_text(m.group));
  r->set_supressrouterprocessing(m.suppress_router_processing);
  r->set_robustnessvalue(m.robustness);
  r->set_intervaltime(m.interval_seconds);
  for (const IpAddress& a : m.sources) r->add_sourceaddresses(a.to_string());
  r->set_numberofgrouprecords(m.group_record_count);
  r->set_numberofsources(m.source_count);
  for (const IgmpGroupRecord& g : m.group_records) {
    IGMPGroupRecord* pg = r->add_grouprecords();
    pg->set_type(g.type);
    pg->set_auxdatalen(g.aux_words);
    pg->set_numberofsources(g.source_count);
    pg->set_multicastaddress(ip_text(g.multicast));
    for (const IpAddress& a : g.sources) pg->add_sourceaddresses(a.to_string());
  }
  r->set_version(m.version);
  r->set_srcip(ip_text(ctx.net_src()));
  r->set_dstip(ip_text(ctx.net_dst()));
  ctx.emit(std::move(r));
}

}  // namespace

Status register_igmp(LayerRegistry& registry) {
  return registry.bind(DispatchSpace::kIpProtocol, 2, {"igmp", &decode_igmp});
}

}  // namespace netcap
