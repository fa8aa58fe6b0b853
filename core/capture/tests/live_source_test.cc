// Live capture on the loopback interface (needs CAP_NET_RAW; skipped otherwise).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "core/capture/packet_source.h"

namespace netcap {

TEST_CASE("live: loopback capture with a BPF filter") {
  // A port nobody else is likely to use right now.
  std::random_device rd;
  const uint16_t port = static_cast<uint16_t>(40000 + rd() % 20000);
  LiveSourceOptions options;
  options.interface = "lo";
  options.bpf = "udp and dst port " + std::to_string(port);
  options.timeout_ms = 50;
  options.buffer_mb = 2;
  auto opened = open_live_source(options);
  if (!opened) {
    WARN("skipped: cannot capture on lo: " << opened.status().message());
    return;
  }
  PacketSource& source = **opened;
  CHECK(source.description() == "interface lo");
  CHECK(source.inputs() == std::vector<std::string>{"lo"});

  const int kDatagrams = 3;
  int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < kDatagrams; ++i) {
    std::string payload = "netcap-live-" + std::to_string(i);
    REQUIRE(::sendto(sock, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to) == static_cast<ssize_t>(payload.size()));
  }
  ::close(sock);

  // A watchdog bounds the test: after 3 s it asks the source to stop.
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(m);
    if (!cv.wait_for(lock, std::chrono::seconds(3), [&] { return finished; })) {
      source.request_stop();
    }
  });
  std::vector<RawPacket> got;
  Status error;
  while (got.size() < kDatagrams) {
    RawPacket p;
    auto r = source.next(p);
    if (!r) {
      error = r.status();
      break;
    }
    if (!*r) break;
    got.push_back(std::move(p));
  }
  {
    std::lock_guard<std::mutex> lock(m);
    finished = true;
  }
  cv.notify_all();
  watchdog.join();
  INFO(error.message());
  REQUIRE(error.is_ok());
  REQUIRE(got.size() == kDatagrams);
  for (int i = 0; i < kDatagrams; ++i) {
    const RawPacket& p = got[static_cast<size_t>(i)];
    CHECK(p.frame == static_cast<uint64_t>(i + 1));
    CHECK(p.linktype == 1);  // Linux exposes lo as Ethernet
    std::string payload = "netcap-live-" + std::to_string(i);
    std::string tail(p.data.end() - static_cast<std::ptrdiff_t>(payload.size()), p.data.end());
    CHECK(tail == payload);
    CHECK(p.ts_ns > 1'600'000'000'000'000'000);
  }
  auto stats = source.live_stats();
  REQUIRE(stats.has_value());
  CHECK(stats->received >= static_cast<uint64_t>(kDatagrams));

  // Stop from another thread while next() is waiting on a quiet filter.
  source.request_stop();
  RawPacket p;
  auto r = source.next(p);
  REQUIRE(r.has_value());
  CHECK_FALSE(*r);
}

TEST_CASE("live: unknown interface is an error") {
  LiveSourceOptions options;
  options.interface = "netcap-no-such-if0";
  auto opened = open_live_source(options);
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.status().message().find("interface netcap-no-such-if0") == 0);
}

}  // namespace netcap
