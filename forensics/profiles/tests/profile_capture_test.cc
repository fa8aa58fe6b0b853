// Profiles of real captures run through the real engine (samples/).
#include <catch2/catch.hpp>

#include "forensics/app/testing/capture_runner.h"
#include "forensics/profiles/profile_builder.h"

using namespace netcap;
using namespace netcap::profiles;
using netcap::app::testing::run_capture;
using netcap::app::testing::sample_capture;

namespace {

const FieldData& field_data() {
  static const FieldData kData = FieldData::load(FieldDataPaths{});
  return kData;
}

std::vector<std::unique_ptr<google::protobuf::Message>> profiles_of(const std::string& sample) {
  auto run = run_capture(sample_capture(sample));
  REQUIRE(run);
  ProfileBuilder builder(&field_data());
  for (const auto& record : run->records) builder.observe(*record);
  return builder.snapshot();
}

template <typename T>
std::vector<const T*> of(const std::vector<std::unique_ptr<google::protobuf::Message>>& records) {
  std::vector<const T*> out;
  for (const auto& r : records) {
    if (r->GetDescriptor() == T::descriptor()) out.push_back(static_cast<const T*>(r.get()));
  }
  return out;
}

}  // namespace

TEST_CASE("capture: the SSH server of ssh-session.pcap is profiled from its banner") {
  auto records = profiles_of("ssh-session.pcap");
  auto services = of<Service>(records);
  const Service* sshd = nullptr;
  for (const Service* s : services) {
    if (s->protocol() == "ssh") sshd = s;
  }
  REQUIRE(sshd != nullptr);
  CHECK(sshd->transport() == "tcp");
  CHECK(sshd->banner().starts_with("SSH-"));
  CHECK(sshd->nmapservice() == "ssh");
  CHECK_FALSE(sshd->product().empty());
  CHECK(sshd->connections() >= 1);
  CHECK(sshd->clients_size() >= 1);
  // Its host lists the service and the software.
  const HostProfile* host = nullptr;
  for (const HostProfile* h : of<HostProfile>(records)) {
    if (h->ip() == sshd->ip()) host = h;
  }
  REQUIRE(host != nullptr);
  bool listed = false;
  for (const std::string& s : host->services())
    listed |= s == "tcp/" + std::to_string(sshd->port()) + " ssh";
  CHECK(listed);
  CHECK(host->software_size() >= 1);
  CHECK(host->timestampfirst() > 0);
  CHECK(host->timestamplast() >= host->timestampfirst());
  CHECK(host->macs_size() >= 1);
}

TEST_CASE("capture: DHCP devices get the IEEE vendor, host name and address") {
  auto records = profiles_of("dhcp-dora-renew-release.pcap");
  bool found = false;
  for (const DeviceProfile* d : of<DeviceProfile>(records)) {
    if (d->dhcphostname().empty()) continue;
    found = true;
    // The sample's client is a real NIC: its vendor comes from IEEE's registry.
    CHECK((d->locallyadministered() || !d->vendor().empty()));
    CHECK(d->ips_size() >= 1);
  }
  CHECK(found);
}

TEST_CASE("capture: HTTP clients get their user agent as software and the hosts they visited") {
  auto records = profiles_of("http-gzip-json.pcap");
  bool client_found = false;
  for (const HostProfile* h : of<HostProfile>(records)) {
    if (h->httphosts_size() == 0) continue;
    client_found = true;
    CHECK(h->software_size() >= 1);
    CHECK(h->portscontacted_size() >= 1);
  }
  CHECK(client_found);
  CHECK_FALSE(of<Software>(records).empty());
}
