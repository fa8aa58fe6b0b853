// Live capture through libpcap.
#include <pcap/pcap.h>

#include <atomic>
#include <mutex>

#include "core/capture/packet_source.h"

namespace netcap {
namespace {

class LiveSource final : public PacketSource {
 public:
  LiveSource(pcap_t* handle, std::string interface, bool nanoseconds,
             std::vector<SourceIssue> notes)
      : handle_(handle),
        interface_(std::move(interface)),
        nanoseconds_(nanoseconds),
        linktype_(static_cast<uint32_t>(pcap_datalink(handle))),
        issues_(std::move(notes)) {}
  ~LiveSource() override { pcap_close(handle_); }
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  Expected<bool> next(RawPacket& out) override {
    while (!stop_.load(std::memory_order_relaxed)) {
      pcap_pkthdr* header = nullptr;
      const u_char* data = nullptr;
      int rc = pcap_next_ex(handle_, &header, &data);
      if (rc == 1) {
        out.data.assign(data, data + header->caplen);
        out.ts_ns = static_cast<int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                    static_cast<int64_t>(header->ts.tv_usec) * (nanoseconds_ ? 1 : 1000);
        out.wire_len = header->len;
        out.linktype = linktype_;
        out.interface = 0;
        out.source_index = 0;
        out.frame = ++frames_;
        bytes_read_.fetch_add(header->caplen, std::memory_order_relaxed);
        return true;
      }
      if (rc == 0) continue;  // timeout: look at the stop flag again
      if (rc == PCAP_ERROR_BREAK) break;
      return Status::error("capture on " + interface_ + ": " + pcap_geterr(handle_));
    }
    return false;
  }
  SourceProgress progress() const override {
    return SourceProgress{bytes_read_.load(std::memory_order_relaxed), 0};
  }
  std::vector<SourceIssue> issues() const override {
    std::lock_guard<std::mutex> lock(issues_mutex_);
    return issues_;
  }
  std::string description() const override { return "interface " + interface_; }
  std::vector<std::string> inputs() const override { return {interface_}; }
  void request_stop() override {
    stop_.store(true, std::memory_order_relaxed);
    // Documented as callable from another thread or a signal handler; on Linux it also wakes
    // a blocked poll (libpcap >= 1.10).
    pcap_breakloop(handle_);
  }
  std::optional<LiveStats> live_stats() const override {
    pcap_stat st{};
    if (pcap_stats(handle_, &st) != 0) return std::nullopt;
    return LiveStats{st.ps_recv, st.ps_drop, st.ps_ifdrop};
  }

 private:
  pcap_t* handle_;
  std::string interface_;
  bool nanoseconds_;
  uint32_t linktype_;
  uint64_t frames_ = 0;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex issues_mutex_;
  std::vector<SourceIssue> issues_;
};

}  // namespace

Expected<std::unique_ptr<PacketSource>> open_live_source(const LiveSourceOptions& options) {
  if (options.interface.empty()) return Status::error("no capture interface given");
  const std::string& name = options.interface;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* handle = pcap_create(name.c_str(), errbuf);
  if (handle == nullptr) return Status::error("interface " + name + ": " + errbuf);
  auto fail = [&](const std::string& what) -> Status {
    std::string message = "interface " + name + ": " + what;
    pcap_close(handle);
    return Status::error(message);
  };
  pcap_set_snaplen(handle, options.snaplen);
  pcap_set_promisc(handle, options.promiscuous ? 1 : 0);
  pcap_set_timeout(handle, options.timeout_ms);
  pcap_set_buffer_size(handle, options.buffer_mb * 1024 * 1024);
  // Immediate mode: packets are delivered as they arrive, not when a kernel block fills, so a
  // quiet interface does not hold packets back (and request_stop is honoured promptly).
  pcap_set_immediate_mode(handle, 1);
  bool nanoseconds = pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO) == 0;
  std::vector<SourceIssue> notes;
  int rc = pcap_activate(handle);
  if (rc < 0) {
    std::string detail = pcap_statustostr(rc);
    std::string text = pcap_geterr(handle);
    return fail(detail + (text.empty() ? "" : " (" + text + ")"));
  }
  if (rc > 0) {  // a warning, e.g. promiscuous mode not supported
    notes.push_back(SourceIssue{
        "", 0, 0,
        std::string("pcap_activate warning: ") + pcap_statustostr(rc) + ": " + pcap_geterr(handle),
        false});
  }
  nanoseconds = nanoseconds && pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO;
  if (!options.bpf.empty()) {
    bpf_program program{};
    if (pcap_compile(handle, &program, options.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return fail("filter \"" + options.bpf + "\": " + pcap_geterr(handle));
    }
    int set = pcap_setfilter(handle, &program);
    pcap_freecode(&program);
    if (set != 0) return fail("setting filter: " + std::string(pcap_geterr(handle)));
  }
  return std::unique_ptr<PacketSource>(
      std::make_unique<LiveSource>(handle, name, nanoseconds, std::move(notes)));
}

}  // namespace netcap
