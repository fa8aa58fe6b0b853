#include "forensics/profiles/profile_builder.h"

#include <algorithm>
#include <cstdint>

#include "proto/connection.pb.h"
#include "proto/dhcp.pb.h"
#include "proto/dns.pb.h"
#include "proto/ftp.pb.h"
#include "proto/http.pb.h"
#include "proto/mail.pb.h"
#include "proto/mysql.pb.h"
#include "proto/postgres.pb.h"
#include "proto/sip.pb.h"
#include "proto/ssh.pb.h"
#include "proto/tls.pb.h"

namespace netcap::profiles {

namespace pb = google::protobuf;

namespace {

// A sorted list with a bound that keeps the smallest items: the result depends only on the
// set of items offered, not on their order. `truncated` is set when an item did not fit.
struct BoundedSet {
  std::set<std::string, std::less<>> items;
  // True when the item is new and kept.
  bool add(std::string_view item, size_t limit, bool* truncated) {
    if (item.empty() || items.contains(item)) return false;
    if (items.size() >= limit) {
      *truncated = true;
      if (limit == 0 || item >= *items.rbegin()) return false;
      items.erase(std::prev(items.end()));
    }
    items.emplace(item);
    return true;
  }
};

void fill(pb::RepeatedPtrField<std::string>* out, const BoundedSet& set) {
  out->Clear();
  for (const std::string& item : set.items) *out->Add() = item;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// "Apache/2.4.41 (Ubuntu)" -> {"Apache", "2.4.41"}; "OpenSSH_8.9p1" -> {"OpenSSH", "8.9p1"};
// "Microsoft Outlook 16.0" -> {"Microsoft Outlook", "16.0"}; "nginx" -> {"nginx", ""}.
std::pair<std::string, std::string> split_product(std::string_view text) {
  std::string t = trim(text);
  size_t slash = t.find('/');
  size_t space = t.find(' ');
  if (slash != std::string::npos && (space == std::string::npos || slash < space)) {
    std::string version = t.substr(slash + 1);
    version = version.substr(0, version.find_first_of(" ;,("));
    return {t.substr(0, slash), version};
  }
  size_t underscore = t.find('_');
  if (underscore != std::string::npos && (space == std::string::npos || underscore < space) &&
      underscore + 1 < t.size() && t[underscore + 1] >= '0' && t[underscore + 1] <= '9') {
    std::string version = t.substr(underscore + 1);
    version = version.substr(0, version.find(' '));
    return {t.substr(0, underscore), version};
  }
  // The last word that starts with a digit is the version; the words before it the product.
  size_t last = t.rfind(' ');
  if (last != std::string::npos && last + 1 < t.size() && t[last + 1] >= '0' &&
      t[last + 1] <= '9') {
    return {trim(t.substr(0, last)), t.substr(last + 1)};
  }
  return {t, ""};
}

// Vendor part of "cpe:/a:openbsd:openssh:8.9p1".
std::string cpe_vendor(const std::vector<std::string>& cpes) {
  for (const std::string& cpe : cpes) {
    if (!cpe.starts_with("cpe:/a:")) continue;
    std::string_view rest = std::string_view(cpe).substr(7);
    return std::string(rest.substr(0, rest.find(':')));
  }
  return "";
}

// "4.3.2.1.in-addr.arpa" -> "1.2.3.4"; "" otherwise.
std::string reverse_ipv4(std::string_view name) {
  std::string n = lower(name);
  while (!n.empty() && n.back() == '.') n.pop_back();
  constexpr std::string_view kSuffix = ".in-addr.arpa";
  if (!n.ends_with(kSuffix)) return "";
  std::string_view octets = std::string_view(n).substr(0, n.size() - kSuffix.size());
  std::vector<std::string_view> parts;
  while (true) {
    size_t dot = octets.find('.');
    parts.push_back(octets.substr(0, dot));
    if (dot == std::string_view::npos) break;
    octets.remove_prefix(dot + 1);
  }
  if (parts.size() != 4) return "";
  std::string ip;
  for (size_t i = 0; i < 4; ++i) {
    std::string_view p = parts[3 - i];
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string_view::npos) {
      return "";
    }
    if (i > 0) ip.push_back('.');
    ip.append(p);
  }
  return ip;
}

std::string strip_dot(std::string_view name) {
  std::string n = lower(name);
  while (!n.empty() && n.back() == '.') n.pop_back();
  return n;
}

// Host header without the port ("example.com:8080", "[::1]:80").
std::string host_without_port(std::string_view host) {
  std::string h = lower(trim(host));
  if (h.starts_with("[")) {
    size_t close = h.find(']');
    return close == std::string::npos ? h : h.substr(1, close - 1);
  }
  size_t colon = h.find(':');
  if (colon != std::string::npos && h.find(':', colon + 1) == std::string::npos) h.resize(colon);
  return h;
}

// Broadcast and multicast destinations (255.255.255.255, 224.0.0.0/4, ff00::/8): a datagram
// sent there is not a connection to a service of that address.
bool is_group_address(std::string_view ip) {
  if (ip == "255.255.255.255") return true;
  if (ip.find(':') != std::string_view::npos)
    return ip.size() >= 2 && (ip[0] == 'f' || ip[0] == 'F') && (ip[1] == 'f' || ip[1] == 'F');
  size_t dot = ip.find('.');
  int octet = 0;
  for (size_t i = 0; i < dot && i < ip.size(); ++i) {
    if (ip[i] < '0' || ip[i] > '9') return false;
    octet = octet * 10 + (ip[i] - '0');
  }
  return octet >= 224 && octet <= 239;
}

bool valid_ip(std::string_view ip) { return !ip.empty() && ip != "0.0.0.0" && ip != "::"; }

void touch_times(int64_t ts, int64_t* first, int64_t* last) {
  if (ts <= 0) return;
  if (*first == 0 || ts < *first) *first = ts;
  if (ts > *last) *last = ts;
}

}  // namespace

struct ProfileBuilder::Impl {
  // One p0f answer for a host's signatures: OS, source ("p0f SYN"), observed signature, match
  // kind, distance; the value counts the connections that gave it.
  using GuessKey = std::tuple<std::string, std::string, std::string, std::string, int>;
  struct HostEntry {
    HostProfile rec;
    BoundedSet macs, names, domains, snis, http_hosts, ja3s, ja4s, software, ports, peers;
    std::map<GuessKey, int64_t> os_guesses;  // at most max_list_items keys
    bool dirty = true;
  };
  struct DeviceEntry {
    DeviceProfile rec;
    BoundedSet ips;
    // Addresses a DHCPACK gave this MAC: a hostname learnt from a later-arriving request names
    // them too (request and ACK travel on different flows, so on different shards, and reach
    // the builder in either order).
    BoundedSet acked_ips;
    // Packet times of the DHCP fields kept: each keeps the client's earliest statement, so the
    // record does not depend on the order requests reach the builder.
    int64_t hostname_ts = INT64_MAX, vendor_class_ts = INT64_MAX, fingerprint_ts = INT64_MAX;
    bool dirty = true;
  };
  struct ServiceEntry {
    Service rec;
    BoundedSet clients, cpes;
    int64_t banner_ts = -1;           // time of the banner kept; -1: none yet
    int64_t protocol_ts = INT64_MAX;  // first packet of the connection that named the protocol
    bool dirty = true;
  };
  struct SoftwareEntry {
    Software rec;
    BoundedSet evidence, hosts, flows, oses, devices;
    bool dirty = true;
  };
  using ServiceKey = std::tuple<std::string, int32_t, std::string>;
  using SoftwareKey = std::tuple<std::string, std::string, std::string>;

  Impl(const FieldData* d, ProfileLimits l, ProfileStats* s) : data(d), limits(l), stats(s) {}

  const FieldData* data;
  ProfileLimits limits;
  ProfileStats* stats;
  MatchScratch scratch;
  std::map<std::string, HostEntry> hosts;
  std::map<std::string, DeviceEntry> devices;
  std::map<ServiceKey, ServiceEntry> services;
  std::map<SoftwareKey, SoftwareEntry> software;
  std::unordered_map<std::string, UserAgentInfo> ua_cache;
  UserAgentInfo uncached_ua;  // the last parse when the cache is full
  std::unordered_map<std::string, std::optional<ServiceMatch>> banner_cache;
  std::unordered_map<std::string, std::optional<P0fMatch>> p0f_cache;
  std::optional<P0fMatch> uncached_p0f;  // the last match when the cache is full

  std::string registered_domain(std::string_view name) const {
    if (!data->public_suffixes) return "";
    return data->public_suffixes->registered_domain(name);
  }

  HostEntry* host(const std::string& ip, int64_t ts) {
    if (!valid_ip(ip)) return nullptr;
    auto it = hosts.find(ip);
    if (it == hosts.end()) {
      if (hosts.size() >= limits.max_hosts) {
        ++stats->dropped_hosts;
        return nullptr;
      }
      it = hosts.emplace(ip, HostEntry{}).first;
      it->second.rec.set_ip(ip);
      if (data->geoip) {
        GeoInfo geo = data->geoip->lookup(ip);
        it->second.rec.set_country(geo.country);
        it->second.rec.set_city(geo.city);
        it->second.rec.set_asn(geo.asn);
        it->second.rec.set_asorganization(geo.as_organization);
      }
    }
    HostEntry& h = it->second;
    int64_t first = h.rec.timestampfirst(), last = h.rec.timestamplast();
    touch_times(ts, &first, &last);
    h.rec.set_timestampfirst(first);
    h.rec.set_timestamplast(last);
    h.dirty = true;
    return &h;
  }

  DeviceEntry* device(const std::string& mac_text, int64_t ts) {
    uint64_t mac = 0;
    if (!MacVendors::parse_mac(mac_text, &mac)) return nullptr;
    // Group (multicast, broadcast) and all-zero addresses are not devices.
    if (mac == 0 || ((mac >> 40) & 0x01) != 0) return nullptr;
    std::string key = lower(mac_text);
    auto it = devices.find(key);
    if (it == devices.end()) {
      if (devices.size() >= limits.max_devices) {
        ++stats->dropped_devices;
        return nullptr;
      }
      it = devices.emplace(key, DeviceEntry{}).first;
      DeviceProfile& rec = it->second.rec;
      rec.set_mac(key);
      // Bit 1 of the first octet: locally administered (IEEE 802 §8.2), no registry entry.
      rec.set_locallyadministered(((mac >> 40) & 0x02) != 0);
      if (data->mac_vendors && !rec.locallyadministered()) {
        rec.set_vendor(std::string(data->mac_vendors->lookup(key)));
      }
    }
    DeviceEntry& d = it->second;
    int64_t first = d.rec.timestampfirst(), last = d.rec.timestamplast();
    touch_times(ts, &first, &last);
    d.rec.set_timestampfirst(first);
    d.rec.set_timestamplast(last);
    d.dirty = true;
    return &d;
  }

  ServiceEntry* service(const std::string& ip, int32_t port, const std::string& transport,
                        int64_t ts) {
    if (!valid_ip(ip) || port <= 0) return nullptr;
    ServiceKey key{ip, port, transport};
    auto it = services.find(key);
    if (it == services.end()) {
      if (services.size() >= limits.max_services) {
        ++stats->dropped_services;
        return nullptr;
      }
      it = services.emplace(key, ServiceEntry{}).first;
      it->second.rec.set_ip(ip);
      it->second.rec.set_port(port);
      it->second.rec.set_transport(transport);
    }
    ServiceEntry& s = it->second;
    int64_t first = s.rec.timestampfirst(), last = s.rec.timestamplast();
    touch_times(ts, &first, &last);
    s.rec.set_timestampfirst(first);
    s.rec.set_timestamplast(last);
    s.dirty = true;
    // The host offering it is rewritten too (its Services list comes from this table).
    host(ip, ts);
    return &s;
  }

  void add_software(const std::string& product, const std::string& vendor,
                    const std::string& version, const std::string& source, const std::string& os,
                    const std::string& device_name, std::string_view evidence,
                    const std::string& host_ip, const std::string& flow, int64_t ts) {
    if (product.empty()) return;
    SoftwareKey key{product, version, source};
    auto it = software.find(key);
    if (it == software.end()) {
      if (software.size() >= limits.max_software) {
        ++stats->dropped_software;
        return;
      }
      it = software.emplace(key, SoftwareEntry{}).first;
      Software& rec = it->second.rec;
      rec.set_product(product);
      rec.set_version(version);
      rec.set_source(source);
    }
    SoftwareEntry& s = it->second;
    int64_t first = s.rec.timestampfirst(), last = s.rec.timestamplast();
    touch_times(ts, &first, &last);
    s.rec.set_timestampfirst(first);
    s.rec.set_timestamplast(last);
    s.rec.set_count(s.rec.count() + 1);
    bool dropped = s.rec.truncated();
    s.evidence.add(evidence.substr(0, limits.max_banner_bytes), limits.max_list_items, &dropped);
    s.hosts.add(host_ip, limits.max_list_items, &dropped);
    s.flows.add(flow, limits.max_list_items, &dropped);
    s.oses.add(os, limits.max_list_items, &dropped);
    s.devices.add(device_name, limits.max_list_items, &dropped);
    s.rec.set_truncated(dropped);
    // Sightings may name different vendors (uap-core device brands): the first in sort order,
    // so the record does not depend on the order records arrive in.
    if (!vendor.empty() && (s.rec.vendor().empty() || vendor < s.rec.vendor())) {
      s.rec.set_vendor(vendor);
    }
    s.dirty = true;
    if (HostEntry* h = host(host_ip, ts)) {
      bool hd = h->rec.truncated();
      h->software.add(version.empty() ? product : product + " " + version, limits.max_list_items,
                      &hd);
      h->rec.set_truncated(hd);
      set_host_os(h, os);
    }
  }

  // The host's OS: the first in sort order of those its software names (deterministic).
  static void set_host_os(HostEntry* h, const std::string& os) {
    if (!os.empty() && (h->rec.os().empty() || os < h->rec.os())) h->rec.set_os(os);
  }

  const UserAgentInfo* parse_user_agent(const std::string& ua) {
    if (!data->user_agents) return nullptr;
    if (auto it = ua_cache.find(ua); it != ua_cache.end()) return &it->second;
    UserAgentInfo info = data->user_agents->parse(ua, scratch);
    // A full cache stops remembering; parsing still works, only slower.
    if (ua_cache.size() >= limits.max_cached_strings) {
      uncached_ua = std::move(info);
      return &uncached_ua;
    }
    return &ua_cache.emplace(ua, std::move(info)).first->second;
  }

  // A user agent string (HTTP, mail, SIP) as Software of `host_ip`.
  void user_agent_software(const std::string& ua, const std::string& source,
                           const std::string& host_ip, const std::string& flow, int64_t ts) {
    std::string text = trim(ua);
    if (text.empty()) return;
    const UserAgentInfo* info = parse_user_agent(text);
    if (info != nullptr && info->family != "Other") {
      std::string os;
      if (info->os != "Other") {
        os = info->os;
        if (std::string v = info->os_version(); !v.empty()) os += " " + v;
      }
      std::string device_name = info->device != "Other" ? info->device : "";
      add_software(info->family, info->brand, info->version(), source, os, device_name, text,
                   host_ip, flow, ts);
      return;
    }
    auto [product, version] = split_product(text);
    add_software(product, "", version, source, "", "", text, host_ip, flow, ts);
  }

  // nmap's answer for one banner, remembered per (probe, text) up to max_cached_strings.
  std::optional<ServiceMatch> match_banner(std::string_view probe, std::string_view match_text) {
    if (!data->nmap) return std::nullopt;
    std::string subject(match_text.substr(0, limits.max_banner_bytes));
    std::string cache_key = std::string(probe) + '\n' + subject;
    if (auto it = banner_cache.find(cache_key); it != banner_cache.end()) return it->second;
    std::optional<ServiceMatch> m = data->nmap->match(probe, subject, scratch);
    if (banner_cache.size() < limits.max_cached_strings) banner_cache.emplace(cache_key, m);
    return m;
  }

  // A banner of service `s` (`match_text`: what nmap's patterns of `probe` are tried on). Every
  // banner is a sighting of the software it names (nmap's product and version, or with
  // `fallback_split` the banner's own "product/version"); the service keeps the earliest banner
  // by packet time and what nmap said about it, so the record does not depend on the order
  // records arrive in.
  void apply_banner(ServiceEntry* s, std::string_view banner, std::string_view match_text,
                    std::string_view probe, const std::string& source, bool fallback_split,
                    std::string_view fallback_text, const std::string& flow, int64_t ts) {
    if (s == nullptr || banner.empty()) return;
    std::optional<ServiceMatch> m = match_banner(probe, match_text);
    const std::string ip = s->rec.ip();
    if (m && !m->product.empty()) {
      add_software(m->product, cpe_vendor(m->cpes), m->version, source, m->os, m->device_type,
                   banner, ip, flow, ts);
      if (HostEntry* h = host(ip, ts)) set_host_os(h, m->os);
    } else if (fallback_split) {
      auto [product, version] = split_product(fallback_text);
      add_software(product, "", version, source, "", "", banner, ip, flow, ts);
    }
    if (s->banner_ts >= 0 && ts >= s->banner_ts) return;
    s->banner_ts = ts;
    s->rec.set_banner(std::string(banner.substr(0, limits.max_banner_bytes)));
    ServiceMatch none;
    const ServiceMatch& fields = m ? *m : none;
    s->rec.set_nmapservice(fields.service);
    s->rec.set_softmatch(fields.soft);
    s->rec.set_product(fields.product);
    s->rec.set_version(fields.version);
    s->rec.set_info(fields.info);
    s->rec.set_hostname(fields.hostname);
    s->rec.set_os(fields.os);
    s->rec.set_devicetype(fields.device_type);
    s->cpes.items.clear();
    bool not_kept = false;  // one nmap line has a handful of CPEs; never near the list bound
    for (const std::string& cpe : fields.cpes) s->cpes.add(cpe, limits.max_list_items, &not_kept);
  }

  // p0f's answer for an observed TCP signature (`request`: a SYN, else a SYN+ACK answering a
  // SYN with MSS `syn_mss`), remembered up to max_cached_strings.
  const std::optional<P0fMatch>& match_p0f(const std::string& signature, bool request,
                                           uint16_t syn_mss) {
    std::string key = (request ? "S:" : "A" + std::to_string(syn_mss) + ":") + signature;
    if (auto it = p0f_cache.find(key); it != p0f_cache.end()) return it->second;
    std::optional<P0fMatch> m = data->p0f->match(signature, request, syn_mss);
    if (p0f_cache.size() >= limits.max_cached_strings) {
      uncached_p0f = m;
      return uncached_p0f;
    }
    return p0f_cache.emplace(std::move(key), m).first->second;
  }

  // The OS p0f names for `signature` (an OS label, not an application's) as a guess for `ip`.
  void add_os_guess(const std::string& ip, const std::string& signature, bool request,
                    uint16_t syn_mss, int64_t ts) {
    const std::optional<P0fMatch>& m = match_p0f(signature, request, syn_mss);
    if (!m || m->label->application()) return;
    HostEntry* h = host(ip, ts);
    if (h == nullptr) return;
    GuessKey key{m->label->os(), request ? "p0f SYN" : "p0f SYN+ACK", signature,
                 m->fuzzy     ? "fuzzy"
                 : m->generic ? "generic"
                              : "exact",
                 m->distance};
    auto it = h->os_guesses.find(key);
    if (it == h->os_guesses.end()) {
      if (h->os_guesses.size() >= limits.max_list_items) {
        h->rec.set_truncated(true);
        return;
      }
      it = h->os_guesses.emplace(std::move(key), 0).first;
    }
    ++it->second;
  }

  // Connection.ClientTCPSignature names the client's OS, ServerTCPSignature the server's (whose
  // window may be a multiple of the client's MSS, read from the client's signature).
  void os_fingerprints(const Connection& c, int64_t ts) {
    if (!data->p0f) return;
    const std::string& client = c.clienttcpsignature();
    if (!client.empty()) add_os_guess(c.srcip(), client, true, 0, ts);
    if (c.servertcpsignature().empty()) return;
    uint16_t syn_mss = 0;
    if (!client.empty()) {
      auto sig = parse_p0f_tcp_signature(client);
      if (sig && sig->mss > 0) syn_mss = static_cast<uint16_t>(sig->mss);
    }
    add_os_guess(c.dstip(), c.servertcpsignature(), false, syn_mss, ts);
  }

  // The host's guess: the OS most connections named, then the first in sort order; of its
  // signatures the most frequent, then the first in sort order (independent of record order).
  static void choose_os_guess(const HostEntry& h, HostProfile* rec) {
    if (h.os_guesses.empty()) return;
    std::map<std::string, int64_t> per_os;
    for (const auto& [key, count] : h.os_guesses) per_os[std::get<0>(key)] += count;
    const std::string* best_os = nullptr;
    int64_t best_os_count = 0;
    for (const auto& [os, count] : per_os) {
      if (count > best_os_count) {
        best_os = &os;
        best_os_count = count;
      }
    }
    const GuessKey* best = nullptr;
    int64_t best_count = 0;
    for (const auto& [key, count] : h.os_guesses) {
      if (std::get<0>(key) == *best_os && count > best_count) {
        best = &key;
        best_count = count;
      }
    }
    rec->set_osguess(std::get<0>(*best));
    rec->set_osguesssource(std::get<1>(*best));
    rec->set_osguesssignature(std::get<2>(*best));
    rec->set_osguessmatch(std::get<3>(*best));
    rec->set_osguessdistance(std::get<4>(*best));
    rec->set_osguesscount(best_os_count);
    // Software that names an OS takes precedence (set_host_os); the guess fills the gap.
    if (rec->os().empty()) rec->set_os(rec->osguess());
  }

  // ---- per record type ----

  void on_connection(const Connection& c) {
    const int64_t first = c.timestampfirst(), last = c.timestamplast();
    std::string transport = lower(c.transportproto());
    const bool has_ports = transport == "tcp" || transport == "udp" || transport == "sctp";
    // A service: the responder spoke an application protocol or sent payload back (a scan's
    // SYN with RST answer is not a service). Which side is the server is known for TCP only
    // when the handshake was seen (History 'S': originator SYN, 'h': responder SYN-ACK); a flow
    // picked up mid-stream counts only when a protocol was recognised and the responder's port
    // is the lower one (an ephemeral client port is not a service).
    const bool oriented = c.history().find_first_of("Sh") != std::string::npos;
    // A UDP or SCTP "originator" is only whoever sent first (a DHCP server's offer to port 68
    // opens the flow): the responder counts as a service when it answered with payload, or when
    // a protocol was recognised and its port is the lower one.
    const bool is_tcp = transport == "tcp";
    const bool answered = c.payloadservertoclient() > 0;
    const bool recognised = !c.applicationproto().empty();
    const bool is_service =
        has_ports && ((is_tcp && oriented && (recognised || answered)) || (!is_tcp && answered) ||
                      (recognised && c.dstport() < c.srcport()));
    if (HostEntry* h = host(c.srcip(), first)) {
      h->rec.set_timestamplast(std::max(h->rec.timestamplast(), last));
      bool dropped = h->rec.truncated();
      h->macs.add(lower(c.srcmac()), limits.max_list_items, &dropped);
      h->peers.add(c.dstip(), limits.max_list_items, &dropped);
      if (has_ports && c.dstport() > 0) {
        h->ports.add(transport + "/" + std::to_string(c.dstport()), limits.max_list_items,
                     &dropped);
      }
      h->rec.set_truncated(dropped);
      h->rec.set_connections(h->rec.connections() + 1);
      h->rec.set_packetssent(h->rec.packetssent() + c.packetsclienttoserver());
      h->rec.set_packetsreceived(h->rec.packetsreceived() + c.packetsservertoclient());
      h->rec.set_bytessent(h->rec.bytessent() + c.bytesclienttoserver());
      h->rec.set_bytesreceived(h->rec.bytesreceived() + c.bytesservertoclient());
    }
    if (HostEntry* h = host(c.dstip(), first)) {
      h->rec.set_timestamplast(std::max(h->rec.timestamplast(), c.timestamplast()));
      bool dropped = h->rec.truncated();
      h->macs.add(lower(c.dstmac()), limits.max_list_items, &dropped);
      h->peers.add(c.srcip(), limits.max_list_items, &dropped);
      h->rec.set_truncated(dropped);
      h->rec.set_connections(h->rec.connections() + 1);
      h->rec.set_packetssent(h->rec.packetssent() + c.packetsservertoclient());
      h->rec.set_packetsreceived(h->rec.packetsreceived() + c.packetsclienttoserver());
      h->rec.set_bytessent(h->rec.bytessent() + c.bytesservertoclient());
      h->rec.set_bytesreceived(h->rec.bytesreceived() + c.bytesclienttoserver());
    }
    if (DeviceEntry* d = device(c.srcmac(), first)) {
      d->rec.set_timestamplast(std::max(d->rec.timestamplast(), c.timestamplast()));
      bool dropped = d->rec.truncated();
      if (valid_ip(c.srcip())) d->ips.add(c.srcip(), limits.max_list_items, &dropped);
      d->rec.set_truncated(dropped);
      d->rec.set_packetssent(d->rec.packetssent() + c.packetsclienttoserver());
      d->rec.set_packetsreceived(d->rec.packetsreceived() + c.packetsservertoclient());
      d->rec.set_bytessent(d->rec.bytessent() + c.bytesclienttoserver());
      d->rec.set_bytesreceived(d->rec.bytesreceived() + c.bytesservertoclient());
    }
    if (DeviceEntry* d = device(c.dstmac(), first)) {
      d->rec.set_timestamplast(std::max(d->rec.timestamplast(), c.timestamplast()));
      bool dropped = d->rec.truncated();
      if (valid_ip(c.dstip())) d->ips.add(c.dstip(), limits.max_list_items, &dropped);
      d->rec.set_truncated(dropped);
      d->rec.set_packetssent(d->rec.packetssent() + c.packetsservertoclient());
      d->rec.set_packetsreceived(d->rec.packetsreceived() + c.packetsclienttoserver());
      d->rec.set_bytessent(d->rec.bytessent() + c.bytesservertoclient());
      d->rec.set_bytesreceived(d->rec.bytesreceived() + c.bytesclienttoserver());
    }
    os_fingerprints(c, first);
    if (!is_service || is_group_address(c.dstip())) return;
    if (ServiceEntry* s = service(c.dstip(), c.dstport(), transport, first)) {
      s->rec.set_timestamplast(std::max(s->rec.timestamplast(), c.timestamplast()));
      if (recognised && first < s->protocol_ts) {  // the earliest connection's protocol
        s->protocol_ts = first;
        s->rec.set_protocol(c.applicationproto());
      }
      bool dropped = s->rec.truncated();
      s->clients.add(c.srcip(), limits.max_list_items, &dropped);
      s->rec.set_truncated(dropped);
      s->rec.set_connections(s->rec.connections() + 1);
      s->rec.set_bytesclienttoserver(s->rec.bytesclienttoserver() + c.bytesclienttoserver());
      s->rec.set_bytesservertoclient(s->rec.bytesservertoclient() + c.bytesservertoclient());
    }
  }

  void on_http(const HTTP& r) {
    int64_t ts = r.timestamp();
    if (HostEntry* h = host(r.clientip(), ts)) {
      bool dropped = h->rec.truncated();
      std::string name = host_without_port(r.host());
      if (!name.empty()) {
        h->http_hosts.add(name, limits.max_list_items, &dropped);
        h->domains.add(registered_domain(name), limits.max_list_items, &dropped);
      }
      h->rec.set_truncated(dropped);
    }
    if (!r.useragent().empty()) {
      user_agent_software(r.useragent(), "http.user_agent", r.clientip(), r.flowid(), ts);
    }
    if (!r.servername().empty()) {
      ServiceEntry* s = service(r.serverip(), r.serverport(), "tcp", ts);
      // nmap's GetRequest patterns expect a response head; it is rebuilt with the Server header
      // alone, so that the match depends only on it and is cached per Server value (a head with
      // Date differs on every response).
      std::string head = "HTTP/1.1 200 OK\r\nServer: " + r.servername() + "\r\n\r\n";
      apply_banner(s, r.servername(), head, "GetRequest", "http.server", true, r.servername(),
                   r.flowid(), ts);
    }
    for (const HttpHeader& header : r.responseheaders()) {
      if (lower(header.name()) != "x-powered-by") continue;
      auto [product, version] = split_product(header.value());
      add_software(product, "", version, "http.x_powered_by", "", "", header.value(), r.serverip(),
                   r.flowid(), ts);
    }
  }

  void on_ssh(const SSH& r) {
    int64_t ts = r.timestamp();
    if (!r.serverbanner().empty()) {
      ServiceEntry* s = service(r.serverip(), r.serverport(), "tcp", ts);
      apply_banner(s, r.serverbanner(), r.serverbanner() + "\r\n", "NULL", "ssh.server_banner",
                   true, r.serversoftware(), r.flowid(), ts);
    }
    if (!r.clientsoftware().empty()) {
      auto [product, version] = split_product(r.clientsoftware());
      add_software(product, "", version, "ssh.client_banner", "", "", r.clientbanner(),
                   r.clientip(), r.flowid(), ts);
    }
  }

  // MySQL/MariaDB: the server greeting (or the ERR packet sent instead) is the service banner;
  // nmap's NULL-probe lines match the packet itself, so it is rebuilt from the record's fields
  // (length byte, sequence 0, protocol 10 or 0xff, version or error). The client's connection
  // attributes name its library and program.
  void on_mysql(const MySQL& r) {
    const int64_t ts = r.timestamp();
    std::string packet = std::string("\x00\x00\x00\x00", 4);
    std::string banner;
    if (!r.serverversion().empty()) {
      banner = r.serverversion();
      packet += '\x0a' + r.serverversion() + std::string(1, '\0');
    } else if (r.errorcode() != 0) {
      banner = std::to_string(r.errorcode()) + " " + r.errormessage();
      packet += '\xff';
      packet += static_cast<char>(r.errorcode() & 0xff);
      packet += static_cast<char>(r.errorcode() >> 8);
      packet += r.errormessage();
    }
    if (!banner.empty()) {
      packet[0] = static_cast<char>(std::min<size_t>(packet.size() - 4, 255));
      ServiceEntry* s = service(r.serverip(), r.serverport(), "tcp", ts);
      // Without an nmap match: "5.5.5-10.11.6-MariaDB-..." is MariaDB 10.11.6 (the "5.5.5-"
      // prefix keeps old clients working), anything else MySQL with the version up to a '-'.
      std::string version = r.serverversion();
      std::string product = "MySQL";
      if (const size_t m = version.find("-MariaDB"); m != std::string::npos) {
        product = "MariaDB";
        version.resize(m);
        if (version.rfind("5.5.5-", 0) == 0) version.erase(0, 6);
      } else if (const size_t dash = version.find('-'); dash != std::string::npos) {
        version.resize(dash);
      }
      apply_banner(s, banner, packet, "NULL", "mysql.server_version", !version.empty(),
                   product + "/" + version, r.flowid(), ts);
    }
    std::string client_name, client_version, program;
    for (const std::string& attribute : r.clientattributes()) {
      const size_t eq = attribute.find('=');
      if (eq == std::string::npos) continue;
      const std::string_view key(attribute.data(), eq);
      const std::string value = attribute.substr(eq + 1);
      if (key == "_client_name") client_name = value;
      if (key == "_client_version") client_version = value;
      if (key == "program_name") program = value;
    }
    if (!client_name.empty())
      add_software(client_name, "", client_version, "mysql.client_attributes", "", "",
                   "_client_name=" + client_name, r.clientip(), r.flowid(), ts);
    if (!program.empty())
      add_software(program, "", "", "mysql.client_attributes", "", "", "program_name=" + program,
                   r.clientip(), r.flowid(), ts);
  }

  // PostgreSQL: the server reports its version in a ParameterStatus after the login (it never
  // speaks first, so nmap's NULL-probe lines do not apply): "15.5 (Debian 15.5-0+deb12u1)" is
  // PostgreSQL 15.5. The client's application_name names its program.
  void on_postgres(const PostgreSQL& r) {
    const int64_t ts = r.timestamp();
    if (!r.serverversion().empty()) {
      ServiceEntry* s = service(r.serverip(), r.serverport(), "tcp", ts);
      const std::string banner = "PostgreSQL " + r.serverversion();
      const std::string version = r.serverversion().substr(0, r.serverversion().find(' '));
      apply_banner(s, banner, banner, "NULL", "postgres.server_version", true,
                   "PostgreSQL/" + version, r.flowid(), ts);
    }
    if (!r.applicationname().empty())
      add_software(r.applicationname(), "", "", "postgres.application_name", "", "",
                   "application_name=" + r.applicationname(), r.clientip(), r.flowid(), ts);
  }

  void greeting(const std::string& server_ip, int32_t port, const std::string& banner,
                const std::string& source, const std::string& flow, int64_t ts) {
    if (banner.empty()) return;
    ServiceEntry* s = service(server_ip, port, "tcp", ts);
    apply_banner(s, banner, banner + "\r\n", "NULL", source, false, "", flow, ts);
  }

  void on_tls(const TLSClientHello& r) {
    HostEntry* h = host(r.srcip(), r.timestamp());
    if (h == nullptr) return;
    bool dropped = h->rec.truncated();
    std::string sni = strip_dot(r.sni());
    if (!sni.empty()) {
      h->snis.add(sni, limits.max_list_items, &dropped);
      h->domains.add(registered_domain(sni), limits.max_list_items, &dropped);
    }
    h->ja3s.add(r.ja3hash(), limits.max_list_items, &dropped);
    h->ja4s.add(r.ja4(), limits.max_list_items, &dropped);
    h->rec.set_truncated(dropped);
  }

  void name_host(const std::string& ip, const std::string& name, int64_t ts) {
    std::string n = strip_dot(name);
    if (n.empty()) return;
    HostEntry* h = host(ip, ts);
    if (h == nullptr) return;
    bool dropped = h->rec.truncated();
    h->names.add(n, limits.max_list_items, &dropped);
    h->domains.add(registered_domain(n), limits.max_list_items, &dropped);
    h->rec.set_truncated(dropped);
  }

  void on_dns(const DNS& r) {
    if (!r.isresponse()) return;
    for (const auto* list : {&r.answers(), &r.additionals()}) {
      for (const DNSResourceRecord& rr : *list) {
        if (!rr.ip().empty() && (rr.typename_() == "A" || rr.typename_() == "AAAA")) {
          name_host(rr.ip(), rr.name(), r.timestamp());
        } else if (!rr.ptr().empty()) {
          if (std::string ip = reverse_ipv4(rr.name()); !ip.empty()) {
            name_host(ip, rr.ptr(), r.timestamp());
          }
        }
      }
    }
  }

  void on_dhcp(const DHCPv4& r) {
    int64_t ts = r.timestamp();
    DeviceEntry* d = device(r.clienthwaddr(), ts);
    if (d == nullptr) return;
    bool dropped = d->rec.truncated();
    if (r.operation() == 1) {  // BOOTREQUEST: what the client says about itself
      if (!r.hostname().empty()) {
        if (ts < d->hostname_ts) {
          d->hostname_ts = ts;
          d->rec.set_dhcphostname(r.hostname());
        }
        // No time: the host was seen when the ACK was, not when its name arrived here.
        for (const std::string& ip : d->acked_ips.items) name_host(ip, r.hostname(), 0);
      }
      if (!r.vendorclassid().empty() && ts < d->vendor_class_ts) {
        d->vendor_class_ts = ts;
        d->rec.set_dhcpvendorclass(r.vendorclassid());
      }
      if (!r.fingerprint().empty() && ts < d->fingerprint_ts) {
        d->fingerprint_ts = ts;
        d->rec.set_dhcpfingerprint(r.fingerprint());
      }
      if (valid_ip(r.clientip())) d->ips.add(r.clientip(), limits.max_list_items, &dropped);
    } else if (r.operation() == 2 && r.messagetype() == 5) {  // DHCPACK: the address it got
      const std::string& ip = r.yourclientip();
      if (valid_ip(ip)) {
        d->ips.add(ip, limits.max_list_items, &dropped);
        d->acked_ips.add(ip, limits.max_list_items, &dropped);
        if (HostEntry* h = host(ip, ts)) {
          bool hd = h->rec.truncated();
          h->macs.add(d->rec.mac(), limits.max_list_items, &hd);
          h->rec.set_truncated(hd);
        }
        if (!d->rec.dhcphostname().empty()) name_host(ip, d->rec.dhcphostname(), ts);
      }
    }
    d->rec.set_truncated(dropped);
  }

  void on_mail(const Mail& r) {
    // The author's machine is the SMTP client; a message fetched by POP3/IMAP was written
    // elsewhere, so its mailer is recorded without a host.
    std::string host_ip = lower(r.protocol()) == "smtp" ? r.clientip() : "";
    if (!r.xmailer().empty()) {
      auto [product, version] = split_product(r.xmailer());
      add_software(product, "", version, "mail.x_mailer", "", "", r.xmailer(), host_ip, r.flowid(),
                   r.timestamp());
    }
    for (const MailHeader& header : r.headers()) {
      if (lower(header.name()) != "user-agent") continue;
      user_agent_software(header.value(), "mail.user_agent", host_ip, r.flowid(), r.timestamp());
      break;
    }
  }

  void on_sip(const SIP& r) {
    if (!r.useragent().empty()) {
      user_agent_software(r.useragent(), "sip.user_agent", r.srcip(), r.flowid(), r.timestamp());
    }
    if (!r.server().empty()) {
      auto [product, version] = split_product(r.server());
      add_software(product, "", version, "sip.server", "", "", r.server(), r.srcip(), r.flowid(),
                   r.timestamp());
    }
  }

  // ---- output ----

  std::unique_ptr<pb::Message> emit(const HostEntry& h) const {
    auto rec = std::make_unique<HostProfile>(h.rec);
    fill(rec->mutable_macs(), h.macs);
    fill(rec->mutable_dnsnames(), h.names);
    fill(rec->mutable_registereddomains(), h.domains);
    fill(rec->mutable_snis(), h.snis);
    fill(rec->mutable_httphosts(), h.http_hosts);
    fill(rec->mutable_ja3s(), h.ja3s);
    fill(rec->mutable_ja4s(), h.ja4s);
    fill(rec->mutable_software(), h.software);
    fill(rec->mutable_portscontacted(), h.ports);
    fill(rec->mutable_peers(), h.peers);
    choose_os_guess(h, rec.get());
    // Services offered: from the service table (its keys start with the address).
    size_t kept = 0;
    for (auto it = services.lower_bound(ServiceKey{h.rec.ip(), 0, ""});
         it != services.end() && std::get<0>(it->first) == h.rec.ip(); ++it) {
      if (kept++ >= limits.max_list_items) {
        rec->set_truncated(true);
        continue;
      }
      const Service& s = it->second.rec;
      std::string item = s.transport() + "/" + std::to_string(s.port());
      if (!s.protocol().empty()) item += " " + s.protocol();
      *rec->add_services() = std::move(item);
    }
    return rec;
  }
  std::unique_ptr<pb::Message> emit(const DeviceEntry& d) const {
    auto rec = std::make_unique<DeviceProfile>(d.rec);
    fill(rec->mutable_ips(), d.ips);
    return rec;
  }
  std::unique_ptr<pb::Message> emit(const ServiceEntry& s) const {
    auto rec = std::make_unique<Service>(s.rec);
    fill(rec->mutable_clients(), s.clients);
    fill(rec->mutable_cpes(), s.cpes);
    return rec;
  }
  std::unique_ptr<pb::Message> emit(const SoftwareEntry& s) const {
    auto rec = std::make_unique<Software>(s.rec);
    fill(rec->mutable_evidence(), s.evidence);
    fill(rec->mutable_hosts(), s.hosts);
    fill(rec->mutable_flows(), s.flows);
    fill(rec->mutable_oses(), s.oses);
    fill(rec->mutable_devices(), s.devices);
    return rec;
  }

  template <typename Map>
  void collect(Map& map, bool only_dirty, bool clear,
               std::vector<std::unique_ptr<pb::Message>>* out) const {
    for (auto& [key, entry] : map) {
      if (only_dirty && !entry.dirty) continue;
      out->push_back(emit(entry));
      if (clear) entry.dirty = false;
    }
  }
};

ProfileBuilder::ProfileBuilder(const FieldData* data, ProfileLimits limits)
    : impl_(std::make_unique<Impl>(data, limits, &stats_)) {}

ProfileBuilder::~ProfileBuilder() = default;

void ProfileBuilder::observe(const pb::Message& record) {
  const pb::Descriptor* d = record.GetDescriptor();
  ++stats_.records_seen;
  // Generated types only (the engine emits them); anything else is ignored.
  auto as = [&]<typename T>(T*) -> const T* {
    return d == T::descriptor() ? dynamic_cast<const T*>(&record) : nullptr;
  };
  int64_t ts = 0;
  if (const auto* r = as(static_cast<Connection*>(nullptr))) {
    impl_->on_connection(*r);
    ts = r->timestamplast();
  } else if (const auto* http = as(static_cast<HTTP*>(nullptr))) {
    impl_->on_http(*http);
    ts = http->timestamp();
  } else if (const auto* ssh = as(static_cast<SSH*>(nullptr))) {
    impl_->on_ssh(*ssh);
    ts = ssh->timestamp();
  } else if (const auto* mysql = as(static_cast<MySQL*>(nullptr))) {
    impl_->on_mysql(*mysql);
    ts = mysql->timestamp();
  } else if (const auto* pg = as(static_cast<PostgreSQL*>(nullptr))) {
    impl_->on_postgres(*pg);
    ts = pg->timestamp();
  } else if (const auto* tls = as(static_cast<TLSClientHello*>(nullptr))) {
    impl_->on_tls(*tls);
    ts = tls->timestamp();
  } else if (const auto* dns = as(static_cast<DNS*>(nullptr))) {
    impl_->on_dns(*dns);
    ts = dns->timestamp();
  } else if (const auto* dhcp = as(static_cast<DHCPv4*>(nullptr))) {
    impl_->on_dhcp(*dhcp);
    ts = dhcp->timestamp();
  } else if (const auto* mail = as(static_cast<Mail*>(nullptr))) {
    impl_->on_mail(*mail);
    ts = mail->timestamp();
  } else if (const auto* sip = as(static_cast<SIP*>(nullptr))) {
    impl_->on_sip(*sip);
    ts = sip->timestamp();
  } else if (const auto* ftp = as(static_cast<FTP*>(nullptr))) {
    if (ftp->command().empty() && ftp->replycode() != 0) {
      impl_->greeting(ftp->serverip(), ftp->serverport(),
                      std::to_string(ftp->replycode()) + " " + ftp->replytext(), "ftp.banner",
                      ftp->flowid(), ftp->timestamp());
    }
    ts = ftp->timestamp();
  } else if (const auto* smtp = as(static_cast<SMTPCommand*>(nullptr))) {
    if (smtp->command().empty() && smtp->replycode() != 0) {
      impl_->greeting(smtp->serverip(), smtp->serverport(),
                      std::to_string(smtp->replycode()) + " " + smtp->replytext(), "smtp.banner",
                      smtp->flowid(), smtp->timestamp());
    }
    ts = smtp->timestamp();
  } else if (const auto* pop = as(static_cast<POP3Command*>(nullptr))) {
    if (pop->command().empty() && !pop->status().empty()) {
      impl_->greeting(pop->serverip(), pop->serverport(), pop->status() + " " + pop->statustext(),
                      "pop3.banner", pop->flowid(), pop->timestamp());
    }
    ts = pop->timestamp();
  } else if (const auto* imap = as(static_cast<IMAPCommand*>(nullptr))) {
    if (imap->command().empty() && imap->tag().empty() && !imap->status().empty()) {
      impl_->greeting(imap->serverip(), imap->serverport(),
                      "* " + imap->status() + " " + imap->statustext(), "imap.banner",
                      imap->flowid(), imap->timestamp());
    }
    ts = imap->timestamp();
  }
  latest_time_ = std::max(latest_time_, ts);
}

std::vector<std::unique_ptr<pb::Message>> ProfileBuilder::take_changed() {
  std::vector<std::unique_ptr<pb::Message>> out;
  impl_->collect(impl_->software, true, true, &out);
  impl_->collect(impl_->services, true, true, &out);
  impl_->collect(impl_->devices, true, true, &out);
  impl_->collect(impl_->hosts, true, true, &out);
  return out;
}

std::vector<std::unique_ptr<pb::Message>> ProfileBuilder::snapshot() const {
  std::vector<std::unique_ptr<pb::Message>> out;
  impl_->collect(impl_->software, false, false, &out);
  impl_->collect(impl_->services, false, false, &out);
  impl_->collect(impl_->devices, false, false, &out);
  impl_->collect(impl_->hosts, false, false, &out);
  return out;
}

}  // namespace netcap::profiles
