#include "forensics/streams/tls/tls_x509.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstdint>
#include <ctime>
#include <memory>

#include "forensics/app/text_util.h"

namespace netcap::app::tls {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return {};
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // RFC 2253 form, but UTF-8 kept as is rather than escaped byte by byte.
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 && data != nullptr ? std::string(data, static_cast<size_t>(len)) : std::string();
}

std::string asn1_text(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

std::string common_name(const X509_NAME* name) {
  if (name == nullptr) return {};
  int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(e);
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return asn1_text(data);
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

int64_t time_ns(const ASN1_TIME* t) {
  if (t == nullptr) return 0;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  // Unix ns overflow int64 past 2262 (and before 1677): clamp (notAfter 9999-12-31 is common).
  const int64_t seconds = static_cast<int64_t>(timegm(&tm));
  constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000;
  if (seconds > kMaxSeconds) return kMaxSeconds * 1'000'000'000;
  if (seconds < -kMaxSeconds) return -kMaxSeconds * 1'000'000'000;
  return seconds * 1'000'000'000;
}

std::string key_type_name(int id) {
  switch (id) {
    case EVP_PKEY_RSA:
      return "RSA";
    case EVP_PKEY_RSA_PSS:
      return "RSA-PSS";
    case EVP_PKEY_EC:
      return "EC";
    case EVP_PKEY_DSA:
      return "DSA";
    case EVP_PKEY_DH:
      return "DH";
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
    default: {
      const char* sn = OBJ_nid2sn(id);
      return sn != nullptr ? sn : "unknown";
    }
  }
}

}  // namespace

CertificateInfo parse_certificate(std::span<const uint8_t> der, size_t max_names) {
  CertificateInfo info;
  info.sha1 = sha1_hex(der);
  info.sha256 = sha256_hex(der);
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Free> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) return info;
  info.parsed = true;
  const X509_NAME* subject = X509_get_subject_name(x.get());
  const X509_NAME* issuer = X509_get_issuer_name(x.get());
  info.subject = name_text(subject);
  info.subject_cn = common_name(subject);
  info.issuer = name_text(issuer);
  info.self_issued = subject != nullptr && issuer != nullptr && X509_NAME_cmp(subject, issuer) == 0;
  info.version = static_cast<int>(X509_get_version(x.get())) + 1;

  std::unique_ptr<GENERAL_NAMES, NamesFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
      if (g->type == GEN_DNS && info.dns_names.size() < max_names) {
        info.dns_names.push_back(asn1_text(g->d.dNSName));
      } else if (g->type == GEN_EMAIL && info.emails.size() < max_names) {
        info.emails.push_back(asn1_text(g->d.rfc822Name));
      } else if (g->type == GEN_IPADD && info.ip_addresses.size() < max_names) {
        const ASN1_OCTET_STRING* ip = g->d.iPAddress;
        char buf[INET6_ADDRSTRLEN] = {};
        int len = ASN1_STRING_length(ip);
        const unsigned char* bytes = ASN1_STRING_get0_data(ip);
        if (len == 4 && inet_ntop(AF_INET, bytes, buf, sizeof buf) != nullptr) {
          info.ip_addresses.emplace_back(buf);
        } else if (len == 16 && inet_ntop(AF_INET6, bytes, buf, sizeof buf) != nullptr) {
          info.ip_addresses.emplace_back(buf);
        }
      }
    }
  }

  const ASN1_INTEGER* serial = X509_get0_serialNumber(x.get());
  std::unique_ptr<BIGNUM, BnFree> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (bn) {
    char* hex = BN_bn2hex(bn.get());
    if (hex != nullptr) {
      info.serial_hex = hex;
      OPENSSL_free(hex);
      for (char& c : info.serial_hex)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }

  info.not_before_ns = time_ns(X509_get0_notBefore(x.get()));
  info.not_after_ns = time_ns(X509_get0_notAfter(x.get()));

  EVP_PKEY* key = X509_get0_pubkey(x.get());
  if (key != nullptr) {
    info.key_type = key_type_name(EVP_PKEY_get_base_id(key));
    info.key_bits = EVP_PKEY_get_bits(key);
  } else if (X509_PUBKEY* pub = X509_get_X509_PUBKEY(x.get()); pub != nullptr) {
    ASN1_OBJECT* alg = nullptr;
    if (X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, pub) == 1 && alg != nullptr) {
      info.key_type = key_type_name(OBJ_obj2nid(alg));
    }
  }

  int sig_nid = X509_get_signature_nid(x.get());
  if (sig_nid != NID_undef) {
    const char* ln = OBJ_nid2ln(sig_nid);
    if (ln != nullptr) info.signature_algorithm = ln;
  } else {
    const X509_ALGOR* alg = nullptr;
    X509_get0_signature(nullptr, &alg, x.get());
    const ASN1_OBJECT* obj = nullptr;
    if (alg != nullptr) X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    char buf[128] = {};
    if (obj != nullptr && OBJ_obj2txt(buf, sizeof buf, obj, 1) > 0) info.signature_algorithm = buf;
  }

  info.is_ca = (X509_get_extension_flags(x.get()) & EXFLAG_CA) != 0;
  return info;
}

}  // namespace netcap::app::tls
