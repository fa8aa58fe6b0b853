// X.509 certificate summary with OpenSSL (d2i_X509): what a TLSCertificate record shows.
// Pure: DER in, struct out; no global state (OpenSSL 3 is thread-safe for these calls).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace netcap::app::tls {

struct CertificateInfo {
  bool parsed = false;  // false: OpenSSL rejected the DER; only the digests below are set
  std::string subject;  // RFC 2253 one-line form
  std::string subject_cn;
  std::string issuer;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> emails;
  std::string serial_hex;  // lower-case, no leading zeros
  int64_t not_before_ns = 0;
  int64_t not_after_ns = 0;
  std::string key_type;  // "RSA", "EC", "DSA", "ED25519", ...
  int key_bits = 0;
  std::string signature_algorithm;
  bool is_ca = false;
  int version = 0;  // 1..3
  bool self_issued = false;
  std::string sha1;
  std::string sha256;
};

// `max_names` bounds each SAN list (Limits::max_items_per_message).
CertificateInfo parse_certificate(std::span<const uint8_t> der, size_t max_names);

}  // namespace netcap::app::tls
