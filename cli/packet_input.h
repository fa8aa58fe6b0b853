// The packet input of the capturing commands (capture, export, agent): capture files and
// directories (-r, repeatable) or a live interface (-i), with --bpf, --snaplen and --no-promisc
// as those commands declare them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/capture/packet_source.h"
#include "core/util/limits.h"

namespace netcap::cli {

// Files when `parsed` has -r values, else the interface of -i (the caller checked that exactly
// one of them was given). `snaplen` is the validated --snaplen.
inline Expected<std::unique_ptr<PacketSource>> open_packet_input(const ParsedArgs& parsed,
                                                                 const Limits& limits,
                                                                 int snaplen) {
  const std::vector<std::string> reads = parsed.values("read");
  if (!reads.empty()) {
    FileSourceOptions options;
    options.bpf = parsed.get("bpf");
    options.max_packet_bytes = limits.max_packet_bytes;
    return open_file_source(reads, options);
  }
  LiveSourceOptions options;
  options.interface = parsed.get("interface");
  options.bpf = parsed.get("bpf");
  options.snaplen = snaplen;
  options.promiscuous = !parsed.has("no-promisc");
  return open_live_source(options);
}

}  // namespace netcap::cli
