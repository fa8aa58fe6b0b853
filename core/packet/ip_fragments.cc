// Placeholder replaced by the fragment reassembly implementation.
#include "core/packet/ip_fragments.h"
namespace netcap {
FragmentReassembler::FragmentReassembler(const Limits& limits) : limits_(limits) {}
FragmentReassembler::Outcome FragmentReassembler::add(const FragmentKey&, uint32_t, bool,
                                                      std::span<const uint8_t>, int64_t) {
  Outcome o;
  o.result = Result::kDropped;
  return o;
}
std::vector<FragmentKey> FragmentReassembler::expire(int64_t) { return {}; }
size_t FragmentReassembler::pending() const { return sets_.size(); }
}  // namespace netcap
