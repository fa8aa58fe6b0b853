// Fuzzes the DHCPv6 decoder (relays, IAs, DUIDs) and probe with arbitrary datagrams.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forensics/streams/dhcpv6/dhcpv6_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  netcap::Bytes payload(data, size);
  netcap::app::ProbeInput in;
  in.client = payload;
  in.client_port = 546;
  in.server_port = 547;
  (void)netcap::app::dhcpv6::probe_dhcpv6(in);
  netcap::DHCPv6 record;
  std::vector<netcap::app::dhcpv6::Finding> findings;
  if (netcap::app::dhcpv6::decode_dhcpv6(payload, 64, record, findings)) {
    (void)record.ByteSizeLong();
  }
  return 0;
}
