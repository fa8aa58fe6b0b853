#include "forensics/app/text_util.h"

#include <catch2/catch.hpp>

using namespace netcap::app;

TEST_CASE("base64 round trip and invalid input") {
  CHECK(base64_decode("dXNlcjpwYXNz").value() == "user:pass");
  CHECK(base64_decode("dXNlcjpwYXNzMQ==").value() == "user:pass1");
  CHECK(base64_decode("dXNl\r\ncjpw").value() == "user:p");
  CHECK_FALSE(base64_decode("dXN*").has_value());
  CHECK_FALSE(base64_decode("d").has_value());
  const std::string text = "any carnal pleas";
  for (size_t n = 0; n <= text.size(); ++n) {
    std::string part = text.substr(0, n);
    CHECK(base64_decode(base64_encode(as_bytes(part))).value() == part);
  }
}

TEST_CASE("digests match known vectors") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(sha1_hex(as_bytes("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha256_hex(as_bytes("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("percent decoding, case-insensitive helpers, decimals") {
  CHECK(percent_decode("a%20b+c%zz%4", true) == "a b c%zz%4");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(iequals("Content-Length", "content-length"));
  CHECK(istarts_with("EHLO mail", "ehlo"));
  CHECK(ifind("xxHoSt: y", "host") == 2);
  CHECK(trim("  a b \r\n") == "a b");
  CHECK(split("a,,b", ',').size() == 3);
  CHECK(parse_decimal("18446744073709551615").value() == 18446744073709551615ull);
  CHECK_FALSE(parse_decimal("18446744073709551616").has_value());
  CHECK_FALSE(parse_decimal("12a").has_value());
}

TEST_CASE("line splitter bounds long lines and strips CR") {
  LineSplitter s(8);
  std::vector<std::pair<std::string, bool>> lines;
  auto sink = [&](std::string_view l, bool t) { lines.emplace_back(std::string(l), t); };
  s.feed(as_bytes("HELO a\r\nVERYLONGLINEHERE\nsp"), sink);
  s.feed(as_bytes("lit\r\n"), sink);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == std::make_pair(std::string("HELO a"), false));
  CHECK(lines[1] == std::make_pair(std::string("VERYLONG"), true));
  CHECK(lines[2] == std::make_pair(std::string("split"), false));
}
