// Baseline for the benchmarks: the cheapest possible pass over a capture with libpcap
// (pcap_next_ex, count packets and bytes, nothing else). netcap's throughput is reported as a
// ratio of this loop's, measured in the same run on the same file.
#include <pcap/pcap.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  auto start = std::chrono::steady_clock::now();
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (p == nullptr) {
    std::fprintf(stderr, "read_loop: %s\n", err);
    return 1;
  }
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  unsigned long long packets = 0, bytes = 0, checksum = 0;
  while (pcap_next_ex(p, &hdr, &data) == 1) {
    packets++;
    bytes += hdr->caplen;
    if (hdr->caplen > 0) checksum += data[hdr->caplen - 1];  // touch the data
  }
  pcap_close(p);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("{\"packets\": %llu, \"bytes\": %llu, \"seconds\": %.6f, \"peak_rss_kb\": %ld, \"checksum\": %llu}\n",
              packets, bytes, seconds, ru.ru_maxrss, checksum);
  return 0;
}
