// Fuzzes the MIME parser and the dot-unstuffer of the shared mail library.
#include <cstdint>
#include <string>
#include <vector>

#include "forensics/mail/mail.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap::app::mail;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  netcap::Limits limits;
  limits.max_items_per_message = 64;
  netcap::Mail record;
  std::vector<DecodedPart> parts;
  parse_mail(in, limits, record, &parts);
  DotUnstuffer d;
  std::string out;
  for (size_t i = 0; i < in.size() && !d.done(); i += 7) {
    d.feed(in.substr(i, 7), [&](std::string_view s) { out.append(s); });
  }
  return 0;
}
