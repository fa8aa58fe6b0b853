#include "forensics/mail/sasl.h"

#include "forensics/app/text_util.h"

namespace netcap::app::mail {

std::string sasl_plain_user(std::string_view base64) {
  auto decoded = base64_decode(trim(base64));
  if (!decoded) return {};
  auto fields = split(*decoded, '\0');
  if (fields.size() != 3) return {};
  return std::string(fields[1].empty() ? fields[0] : fields[1]);
}

std::string sasl_cram_md5_user(std::string_view base64) {
  std::string text = sasl_text(base64);
  const size_t space = text.rfind(' ');
  return space == std::string::npos ? std::string() : text.substr(0, space);
}

std::string sasl_text(std::string_view base64) {
  auto decoded = base64_decode(trim(base64));
  if (!decoded || decoded->empty()) return {};
  for (unsigned char c : *decoded) {
    if (c < 0x20 || c == 0x7f) return {};
  }
  return *decoded;
}

}  // namespace netcap::app::mail
