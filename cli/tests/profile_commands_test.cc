// netcap hosts / software / services / devices on a handmade case with summary records written
// twice (the second version replaces the first: record_key).
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/sinks/record_sink.h"
#include "core/sinks/tests/test_support.h"
#include "proto/profile.pb.h"

namespace netcap {
namespace {

using testing::TempDir;

std::string make_case(const TempDir& dir) {
  SinkOptions options;
  options.case_dir = dir.path() + "/case";
  auto sink = open_index_sink(options);
  REQUIRE(sink.has_value());
  for (int version = 1; version <= 2; ++version) {
    HostProfile h;
    h.set_ip("10.0.0.5");
    h.add_macs("08:00:27:aa:bb:cc");
    h.add_registereddomains("example.com");
    h.set_bytessent(100 * version);
    REQUIRE((*sink)->write(h).is_ok());
    HostProfile other;
    other.set_ip("10.0.0.9");
    other.add_registereddomains("example.org");
    REQUIRE((*sink)->write(other).is_ok());
    Software s;
    s.set_product("Firefox");
    s.set_version("115.0");
    s.set_source("http.user_agent");
    s.add_hosts("10.0.0.5");
    s.set_count(version);
    REQUIRE((*sink)->write(s).is_ok());
    Service svc;
    svc.set_ip("10.0.0.9");
    svc.set_port(22);
    svc.set_transport("tcp");
    svc.set_protocol("ssh");
    svc.set_product("OpenSSH");
    svc.set_connections(version);
    REQUIRE((*sink)->write(svc).is_ok());
    DeviceProfile d;
    d.set_mac("08:00:27:aa:bb:cc");
    d.set_vendor("PCS Systemtechnik GmbH");
    d.add_ips("10.0.0.5");
    REQUIRE((*sink)->write(d).is_ok());
  }
  REQUIRE((*sink)->close().is_ok());
  return options.case_dir;
}

int run(std::string_view name, const std::vector<std::string>& args, std::string* out,
        std::string* err) {
  std::ostringstream o, e;
  int rc = cli::profile_listing_main(name, args, o, e);
  *out = o.str();
  *err = e.str();
  return rc;
}

}  // namespace

TEST_CASE("profile listings: one row per key, filters, formats") {
  TempDir dir;
  std::string case_dir = make_case(dir);
  std::string out, err;

  REQUIRE(run("hosts", {case_dir, "--format", "csv"}, &out, &err) == 0);
  CHECK(out.find("10.0.0.5") != std::string::npos);
  CHECK(out.find(",200,") != std::string::npos);  // the second version replaced the first
  CHECK(out.find(",100,") == std::string::npos);
  CHECK(out.find("08:00:27:aa:bb:cc") != std::string::npos);

  REQUIRE(run("hosts", {case_dir, "--domain", "example.org", "--format", "csv"}, &out, &err) == 0);
  CHECK(out.find("10.0.0.9") != std::string::npos);
  CHECK(out.find("10.0.0.5") == std::string::npos);

  REQUIRE(run("software", {case_dir, "--host", "10.0.0.5", "--format", "json"}, &out, &err) == 0);
  CHECK(out.find("\"Firefox\"") != std::string::npos);
  CHECK(out.find("\"Count\": 2") != std::string::npos);
  REQUIRE(run("software", {case_dir, "--host", "10.0.0.9", "--format", "csv"}, &out, &err) == 0);
  CHECK(out.find("Firefox") == std::string::npos);

  REQUIRE(run("services", {case_dir, "--port", "22", "--format", "csv"}, &out, &err) == 0);
  CHECK(out.find("OpenSSH") != std::string::npos);
  REQUIRE(run("services", {case_dir, "--port", "80", "--format", "csv"}, &out, &err) == 0);
  CHECK(out.find("OpenSSH") == std::string::npos);

  REQUIRE(run("devices", {case_dir, "--vendor", "pcs", "--format", "csv"}, &out, &err) == 0);
  CHECK(out.find("PCS Systemtechnik GmbH") != std::string::npos);
  CHECK(out.find("10.0.0.5") != std::string::npos);

  // A quote in a filter value stays inside the SQL literal.
  REQUIRE(run("hosts", {case_dir, "--host", "x' OR '1'='1", "--format", "csv"}, &out, &err) == 0);
  CHECK(out.find("10.0.0.5") == std::string::npos);

  CHECK(run("hosts", {case_dir, "--nonsense"}, &out, &err) == 2);
  CHECK(run("hosts", {dir.path() + "/missing"}, &out, &err) == 1);
}

}  // namespace netcap
