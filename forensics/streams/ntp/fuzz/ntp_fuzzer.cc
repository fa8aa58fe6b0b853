// Fuzzes the NTP decoder (all modes, extension fields, MAC) and probe with arbitrary datagrams.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forensics/streams/ntp/ntp_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  netcap::Bytes payload(data, size);
  netcap::app::ProbeInput in;
  in.client = payload;
  in.client_port = 123;
  in.server_port = 123;
  (void)netcap::app::ntp::probe_ntp(in);
  netcap::NTP record;
  std::vector<netcap::app::ntp::Finding> findings;
  if (netcap::app::ntp::decode_ntp(payload, record, findings)) {
    (void)record.ByteSizeLong();
  }
  return 0;
}
