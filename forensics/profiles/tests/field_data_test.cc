// The field data loaders on the real Debian files (ieee-data, nmap-common, uap-core,
// publicsuffix) and their error paths.
#include "forensics/profiles/field_data.h"

#include <catch2/catch.hpp>

using namespace netcap::profiles;

namespace {
// Loaded once for the whole test binary: compiling the patterns is the expensive part.
const NmapServiceProbes& nmap() {
  static const NmapServiceProbes kProbes = [] {
    auto p = NmapServiceProbes::load();
    REQUIRE(p);
    return std::move(p.value());
  }();
  return kProbes;
}
const UserAgentParser& agents() {
  static const UserAgentParser kParser = [] {
    auto p = UserAgentParser::load();
    REQUIRE(p);
    return std::move(p.value());
  }();
  return kParser;
}
}  // namespace

TEST_CASE("MAC vendors: longest prefix over MA-L, MA-M and MA-S") {
  auto vendors = MacVendors::load();
  REQUIRE(vendors);
  CHECK(vendors->size() > 30000);
  CHECK(vendors->lookup("00:00:0c:12:34:56") == "Cisco Systems, Inc");  // quoted CSV field
  CHECK(vendors->lookup("08-00-27-AA-BB-CC") == "PCS Systemtechnik GmbH");
  CHECK(vendors->lookup("00:0c:29:01:02:03") == "VMware, Inc.");
  // F0:AC:D7 is an IEEE block; its MA-M assignment F0ACD71 names the real organisation.
  CHECK(vendors->lookup("f0:ac:d7:10:00:01") == "Intenta GmbH");
  // 70:B3:D5:71:9x:xx is MA-S 70B3D5719.
  CHECK(vendors->lookup("70:b3:d5:71:90:01") == "2M Technology");
  CHECK(vendors->lookup("not a mac").empty());
  CHECK(vendors->lookup("00:00:0c:12:34").empty());
}

TEST_CASE("MAC vendors: a missing registry is an error naming the file") {
  auto vendors = MacVendors::load("/nonexistent/ieee-data");
  REQUIRE_FALSE(vendors);
  CHECK(vendors.status().message().find("/nonexistent/ieee-data/oui.csv") != std::string::npos);
}

TEST_CASE("nmap probes: a real OpenSSH banner gives product, version and OS") {
  MatchScratch scratch;
  CHECK(nmap().size() > 5000);
  auto m = nmap().match("NULL", "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n", scratch);
  REQUIRE(m);
  CHECK(m->service == "ssh");
  CHECK(m->product == "OpenSSH");
  CHECK(m->version == "8.9p1 Ubuntu 3ubuntu0.1");
  CHECK(m->os == "Linux");
  CHECK(m->info.find("protocol 2.0") != std::string::npos);
  REQUIRE_FALSE(m->cpes.empty());
  CHECK(m->cpes.front() == "cpe:/a:openbsd:openssh:8.9p1");
  CHECK_FALSE(m->soft);
}

TEST_CASE("nmap probes: FTP greeting and HTTP response heads") {
  MatchScratch scratch;
  auto ftp = nmap().match("NULL", "220 (vsFTPd 3.0.3)\r\n", scratch);
  REQUIRE(ftp);
  CHECK(ftp->service == "ftp");
  CHECK(ftp->product == "vsftpd");
  CHECK(ftp->version == "3.0.3");
  auto http =
      nmap().match("GetRequest",
                   "HTTP/1.1 200 OK\r\nDate: x\r\nServer: Apache/2.4.41 (Ubuntu)\r\n\r\n", scratch);
  REQUIRE(http);
  CHECK(http->service == "http");
  CHECK(http->product == "Apache httpd");
  CHECK(http->version == "2.4.41");
  CHECK_FALSE(nmap().match("NULL", "nothing any pattern knows \x01\x02", scratch));
  CHECK_FALSE(nmap().match("NoSuchProbe", "SSH-2.0-OpenSSH_8.9p1\r\n", scratch));
}

TEST_CASE("nmap probes: version-info templates") {
  Captures c = {"whole", "8.9p1", "a_b_c", std::string_view("\x01\x02", 2)};
  CHECK(fill_nmap_template("v$1", c) == "v8.9p1");
  CHECK(fill_nmap_template("$SUBST(2,\"_\",\".\")", c) == "a.b.c");
  CHECK(fill_nmap_template("$P(2)x", c) == "a_b_cx");
  CHECK(fill_nmap_template("$I(3,\">\")", c) == "258");
  CHECK(fill_nmap_template("$I(3,\"<\")", c) == "513");
  CHECK(fill_nmap_template("$9 missing", c) == " missing");
}

TEST_CASE("nmap probes: missing file, and a file without usable lines") {
  CHECK_FALSE(NmapServiceProbes::load("/nonexistent/nmap-service-probes"));
  CHECK_FALSE(NmapServiceProbes::load("/usr/share/nmap/nmap-service-probes", {"NoSuchProbe"}));
}

TEST_CASE("uap-core: real browser, tool and bot user agents") {
  MatchScratch scratch;
  UserAgentInfo ff = agents().parse(
      "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", scratch);
  CHECK(ff.family == "Firefox");
  CHECK(ff.major == "115");
  CHECK(ff.minor == "0");
  CHECK(ff.version() == "115.0");
  CHECK(ff.os == "Ubuntu");

  UserAgentInfo chrome = agents().parse(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.6099.109 Safari/537.36",
      scratch);
  CHECK(chrome.family == "Chrome");
  CHECK(chrome.version() == "120.0.6099");
  CHECK(chrome.os == "Windows");
  CHECK(chrome.os_major == "10");

  UserAgentInfo iphone = agents().parse(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
      scratch);
  CHECK(iphone.family == "Mobile Safari");
  CHECK(iphone.os == "iOS");
  CHECK(iphone.device == "iPhone");
  CHECK(iphone.brand == "Apple");

  UserAgentInfo curl = agents().parse("curl/7.88.1", scratch);
  CHECK(curl.family == "curl");
  CHECK(curl.version() == "7.88.1");

  UserAgentInfo unknown = agents().parse("\x01\x02 nothing", scratch);
  CHECK(unknown.family == "Other");
  CHECK(unknown.os == "Other");
}

TEST_CASE("uap-core: missing file is an error") {
  CHECK_FALSE(UserAgentParser::load("/nonexistent/regexes.yaml"));
}

TEST_CASE("Public Suffix List: plain, wildcard and exception rules on the real list") {
  auto psl = PublicSuffixList::load();
  REQUIRE(psl);
  CHECK(psl->registered_domain("www.bbc.co.uk") == "bbc.co.uk");
  CHECK(psl->registered_domain("WWW.Example.COM.") == "example.com");
  CHECK(psl->registered_domain("co.uk").empty());  // itself a public suffix
  CHECK(psl->public_suffix("a.b.example.co.uk") == "co.uk");
  // *.ck: every name under ck is a suffix ...
  CHECK(psl->public_suffix("foo.bar.ck") == "bar.ck");
  CHECK(psl->registered_domain("foo.bar.ck") == "foo.bar.ck");
  CHECK(psl->registered_domain("bar.ck").empty());
  // ... except !www.ck.
  CHECK(psl->public_suffix("www.ck") == "ck");
  CHECK(psl->registered_domain("www.ck") == "www.ck");
  CHECK(psl->registered_domain("a.www.ck") == "www.ck");
  // Private section (github.io) and the implicit "*" rule for unknown TLDs.
  CHECK(psl->registered_domain("user.github.io") == "user.github.io");
  CHECK(psl->registered_domain("host.example.nosuchtld") == "example.nosuchtld");
  CHECK(psl->registered_domain("192.168.1.1").empty());
  CHECK(psl->registered_domain("a..example.com").empty());
  CHECK(psl->registered_domain("").empty());
}

TEST_CASE("Public Suffix List: parsed text and a missing file") {
  PublicSuffixList psl =
      PublicSuffixList::parse("// comment\ncom\n*.kawasaki.jp\n!city.kawasaki.jp\n");
  CHECK(psl.registered_domain("a.b.kawasaki.jp") == "a.b.kawasaki.jp");
  CHECK(psl.registered_domain("x.city.kawasaki.jp") == "city.kawasaki.jp");
  CHECK(psl.registered_domain("www.example.com") == "example.com");
  CHECK_FALSE(PublicSuffixList::load("/nonexistent/public_suffix_list.dat"));
}

TEST_CASE("GeoIP: no database is no error and no fields; a bad file is an error") {
  auto none = GeoIp::open({});
  REQUIRE(none);
  CHECK(none->empty());
  CHECK(none->lookup("8.8.8.8").country.empty());
  auto bad = GeoIp::open({"/usr/share/publicsuffix/public_suffix_list.dat"});
  REQUIRE_FALSE(bad);
  CHECK(bad.status().message().find("public_suffix_list.dat") != std::string::npos);
  CHECK(GeoIp::split_paths("a.mmdb,,b.mmdb") == std::vector<std::string>{"a.mmdb", "b.mmdb"});
}

TEST_CASE("FieldData: missing files turn features off without failing") {
  FieldDataPaths paths;
  paths.ieee_data_dir = "/nonexistent";
  paths.public_suffix_list = "/nonexistent/psl.dat";
  paths.nmap_probes = "/nonexistent/probes";
  paths.uap_regexes = "/nonexistent/regexes.yaml";
  paths.p0f_signatures = "/nonexistent/p0f.fp";
  FieldData data = FieldData::load(paths);
  CHECK_FALSE(data.mac_vendors);
  CHECK_FALSE(data.public_suffixes);
  CHECK_FALSE(data.nmap);
  CHECK_FALSE(data.user_agents);
  CHECK_FALSE(data.p0f);
  CHECK_FALSE(data.geoip);
  REQUIRE(data.status.size() == 6);
  for (const auto& [key, value] : data.status) CHECK(value.starts_with("off: "));
  CHECK(data.status[4].first == "profiles.p0f");
  CHECK(data.status[4].second.find("/nonexistent/p0f.fp") != std::string::npos);
  CHECK(data.status.back().first == "profiles.geoip");  // the capture command reads it last
}
