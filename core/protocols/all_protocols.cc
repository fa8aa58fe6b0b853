// The list of packet-layer decoders: one line per protocol. Each binds itself under its
// parent's key (see core/packet/layer_registry.h); the order does not matter.
#include "core/packet/layer_registry.h"
#include "core/protocols/arp/arp.h"
#include "core/protocols/ethernet/ethernet.h"
#include "core/protocols/geneve/geneve.h"
#include "core/protocols/gre/gre.h"
#include "core/protocols/icmpv4/icmpv4.h"
#include "core/protocols/icmpv6/icmpv6.h"
#include "core/protocols/igmp/igmp.h"
#include "core/protocols/ipv4/ipv4.h"
#include "core/protocols/ipv6/ipv6.h"
#include "core/protocols/linux_sll/linux_sll.h"
#include "core/protocols/linux_sll2/linux_sll2.h"
#include "core/protocols/mpls/mpls.h"
#include "core/protocols/null_loopback/null_loopback.h"
#include "core/protocols/raw_ip/raw_ip.h"
#include "core/protocols/sctp/sctp.h"
#include "core/protocols/tcp/tcp.h"
#include "core/protocols/udp/udp.h"
#include "core/protocols/vlan/vlan.h"
#include "core/protocols/vxlan/vxlan.h"

namespace netcap {

Status register_all_protocols(LayerRegistry& registry) {
  using RegisterFn = Status (*)(LayerRegistry&);
  // clang-format off
  static constexpr RegisterFn kAll[] = {
      &register_ethernet,
      &register_linux_sll,
      &register_linux_sll2,
      &register_null_loopback,
      &register_raw_ip,
      &register_vlan,
      &register_mpls,
      &register_arp,
      &register_ipv4,
      &register_ipv6,
      &register_icmpv4,
      &register_icmpv6,
      &register_igmp,
      &register_tcp,
      &register_udp,
      &register_sctp,
      &register_gre,
      &register_vxlan,
      &register_geneve,
  };
  // clang-format on
  for (RegisterFn fn : kAll) {
    Status s = fn(registry);
    if (!s) return s;
  }
  return Status::ok();
}

}  // namespace netcap
