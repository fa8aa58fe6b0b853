// Fuzzes the DHCPv4 decoder and probe with arbitrary datagrams.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forensics/streams/dhcp/dhcp_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  netcap::Bytes payload(data, size);
  netcap::app::ProbeInput in;
  in.client = payload;
  in.client_port = 68;
  in.server_port = 67;
  (void)netcap::app::dhcp::probe_dhcpv4(in);
  netcap::DHCPv4 record;
  std::vector<netcap::app::dhcp::Finding> findings;
  if (netcap::app::dhcp::decode_dhcpv4(payload, 64, record, findings)) {
    (void)record.ByteSizeLong();
  }
  return 0;
}
