// Tests of the Maltego protocol layer against every vector in shared/maltego/vectors
// (see its README.md) plus targeted unit tests. Vector tests skip with a WARN when the shared
// directory is absent.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "transforms/maltego/local_arguments.h"
#include "transforms/maltego/request.h"
#include "transforms/maltego/response.h"
#include "transforms/maltego/tests/mini_json.h"
#include "transforms/maltego/text.h"

namespace fs = std::filesystem;
using namespace netcap::maltego;
using netcap::testjson::Value;

namespace {

fs::path vectors_dir() { return fs::path(NETCAP_SHARED_DIR) / "maltego" / "vectors"; }

bool have_vectors() {
  if (fs::is_directory(vectors_dir())) return true;
  WARN("skipped: " << vectors_dir().string() << " does not exist");
  return false;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_with_suffix(const fs::path& dir, std::string_view suffix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::optional<std::string> opt_string(const Value& v) {
  if (v.is_null()) return std::nullopt;
  return v.string;
}

std::optional<int> opt_int(const Value& v) {
  if (v.is_null()) return std::nullopt;
  return static_cast<int>(v.number);
}

// Records a CHECK and clears `ok` when it fails, so that pass counts are real.
#define VCHECK(...)                 \
  do {                              \
    if (!(__VA_ARGS__)) ok = false; \
    CHECK(__VA_ARGS__);             \
  } while (0)

// Compares a parsed request with every field an expected.json (or alternative) gives.
bool check_request(const TransformRequest& r, const Value& e) {
  bool ok = true;
  if (const Value* v = e.find("entityCount"))
    VCHECK(r.entity_count == static_cast<size_t>(v->number));
  if (const Value* v = e.find("type")) VCHECK(r.type == v->string);
  if (const Value* v = e.find("value")) VCHECK(r.value == v->string);
  if (const Value* v = e.find("weight")) VCHECK(r.weight == static_cast<int>(v->number));
  if (const Value* v = e.find("genealogy")) {
    VCHECK(r.genealogy.size() == v->array.size());
    for (size_t i = 0; i < std::min(r.genealogy.size(), v->array.size()); ++i) {
      VCHECK(r.genealogy[i].name == v->array[i]["name"].string);
      VCHECK(r.genealogy[i].old_name == opt_string(v->array[i]["oldName"]));
    }
  }
  if (const Value* v = e.find("properties")) {
    VCHECK(r.properties.size() == v->array.size());
    for (size_t i = 0; i < std::min(r.properties.size(), v->array.size()); ++i) {
      const Value& p = v->array[i];
      VCHECK(r.properties[i].name == p["name"].string);
      VCHECK(r.properties[i].display_name == opt_string(p["displayName"]));
      VCHECK(r.properties[i].matching_rule == opt_string(p["matchingRule"]));
      VCHECK(r.properties[i].value == p["value"].string);
    }
  }
  auto check_pairs = [&ok](const std::vector<std::pair<std::string, std::string>>& got,
                           const Value& want) {
    VCHECK(got.size() == want.array.size());
    for (size_t i = 0; i < std::min(got.size(), want.array.size()); ++i) {
      VCHECK(got[i].first == want.array[i].array.at(0).string);
      VCHECK(got[i].second == want.array[i].array.at(1).string);
    }
  };
  if (const Value* v = e.find("legacyAliasesAdded")) check_pairs(r.legacy_aliases_added, *v);
  if (const Value* v = e.find("transformFields")) check_pairs(r.transform_fields, *v);
  if (const Value* v = e.find("softLimit")) VCHECK(r.soft_limit == opt_int(*v));
  if (const Value* v = e.find("hardLimit")) VCHECK(r.hard_limit == opt_int(*v));
  if (const Value* v = e.find("effectiveLimit")) {
    VCHECK(r.effective_limit(kRemoteDefaultLimit) == static_cast<int>(v->number));
  }
  return ok;
}

// Spec §2.8: the exception text each error class must produce.
std::string expected_exception_prefix(std::string_view error_class) {
  if (error_class == "malformed_xml") return "Malformed request: invalid XML";
  if (error_class == "doctype_forbidden") return "Malformed request: DOCTYPE is not allowed";
  if (error_class == "not_a_request") {
    return "Malformed request: not a MaltegoTransformRequestMessage";
  }
  if (error_class == "no_entity") return "Malformed request: no input entity";
  return "";
}

// Builds a response model from an edge/response/*.model.json.
TransformResponse response_from_json(const Value& m) {
  TransformResponse r;
  for (const Value& je : m["entities"].array) {
    ResponseEntity e;
    if (const Value* t = je.find("type"); t != nullptr && !t->is_null()) e.type = t->string;
    if (const Value* v = je.find("value")) e.value = v->string;
    if (const Value* v = je.find("value_hex")) e.value = from_hex(v->string);
    if (const Value* v = je.find("weight")) e.weight = static_cast<int>(v->number);
    if (const Value* fields = je.find("fields")) {
      for (const Value& f : fields->array) {
        ResponseProperty p;
        p.name = f["name"].string;
        if (const Value* d = f.find("displayName")) p.display_name = d->string;
        if (const Value* mr = f.find("matchingRule")) {
          p.matching_rule = mr->string == "strict" ? MatchingRule::kStrict : MatchingRule::kLoose;
        }
        p.value = f["value"].string;
        e.properties.push_back(std::move(p));
      }
    }
    if (const Value* labels = je.find("labels")) {
      for (const Value& l : labels->array) {
        e.labels.push_back({l.array.at(0).string, l.array.at(2).string, l.array.at(1).string});
      }
    }
    if (const Value* overlays = je.find("overlays")) {
      for (const Value& o : overlays->array) {
        e.overlays.push_back({o.array.at(0).string, o.array.at(1).string, o.array.at(2).string});
      }
    }
    if (const Value* icon = je.find("iconURL")) e.icon_url = icon->string;
    r.entities.push_back(std::move(e));
  }
  for (const Value& msg : m["uiMessages"].array) {
    r.add_message(msg.array.at(0).string, msg.array.at(1).string);
  }
  return r;
}

}  // namespace

TEST_CASE("maltego edge request vectors parse as expected", "[maltego][vectors]") {
  if (!have_vectors()) return;
  const auto files = files_with_suffix(vectors_dir() / "edge" / "request", ".xml");
  REQUIRE(files.size() >= 23);
  size_t passed = 0;
  for (const fs::path& xml : files) {
    fs::path json_path = xml;
    json_path.replace_extension(".expected.json");
    INFO("vector " << xml.filename().string());
    REQUIRE(fs::exists(json_path));
    const Value want = netcap::testjson::parse(read_file(json_path));
    RequestError error = RequestError::kNone;
    const auto got = parse_request(read_file(xml), ParseLimits{}, &error);
    const bool want_ok = want["ok"].boolean;
    if (!want_ok && !got) {
      // Primary expectation: the same error class and the exact §2.8 exception text.
      const std::string& cls = want["error_class"].string;
      bool ok = true;
      VCHECK(request_error_name(error) == cls);
      VCHECK(got.status().message().starts_with(expected_exception_prefix(cls)));
      if (ok) ++passed;
      continue;
    }
    if (want_ok) {
      REQUIRE(got.has_value());
      INFO("parse status: " << got.status().message());
      if (check_request(got.value(), want)) ++passed;
      continue;
    }
    // Expected failure but parsed: only allowed if an alternative says so.
    const Value* alternatives = want.find("acceptable_alternatives");
    REQUIRE(alternatives != nullptr);
    bool matched = false;
    for (const Value& alt : alternatives->array) {
      if (alt["ok"].boolean && got->value == alt["value"].string) matched = true;
    }
    CHECK(matched);
    if (matched) ++passed;
  }
  std::printf("maltego edge request vectors: %zu/%zu passed\n", passed, files.size());
  CHECK(passed == files.size());
}

TEST_CASE("maltego public request vectors parse as expected", "[maltego][vectors]") {
  if (!have_vectors()) return;
  const fs::path dir = vectors_dir() / "request";
  // Expectations written from the files and spec §2.2-§2.4.
  std::map<std::string, std::function<void(const TransformRequest&)>> checks;
  checks["trx-request_body.xml"] = [](const TransformRequest& r) {
    CHECK(r.type == "Domain");
    CHECK(r.effective_type() == "maltego.Domain");
    CHECK(r.value == "baidu.com");
    CHECK(r.weight == 87);
    REQUIRE(r.properties.size() == 1);
    CHECK(r.properties[0].name == "fqdn");
    CHECK(r.properties[0].display_name == "Domain Name");
    CHECK(r.properties[0].value == "baidu.com");
    REQUIRE(r.transform_field("testDepth") != nullptr);
    CHECK(*r.transform_field("testDepth") == "4");
    CHECK(r.effective_limit() == 12);
  };
  checks["trx-test_request.xml"] = [](const TransformRequest& r) {
    REQUIRE(r.genealogy.size() == 1);
    CHECK(r.genealogy[0].name == "maltego.Domain");
    CHECK(r.genealogy[0].old_name == "Domain");
    REQUIRE(r.property("whois") != nullptr);
    REQUIRE(r.property("whois-info") != nullptr);  // spec §2.4 alias
    CHECK(*r.property("whois-info") == "whois-info found");
    CHECK(r.weight == 0);
  };
  checks["trx-test_hierarchical_entity.fragment.xml"] = [](const TransformRequest& r) {
    CHECK(r.type == "DNSName");
    CHECK(r.effective_type() == "maltego.Website");  // spec §2.3: first Genealogy name
    CHECK(r.is_of_type("maltego.DNSName"));
    CHECK(r.is_of_type("maltego.Website"));
    CHECK_FALSE(r.is_of_type("maltego.Domain"));
    REQUIRE(r.properties.size() == 3);
    CHECK(*r.property("website.ssl-enabled") == "false");
    CHECK(*r.property("ports") == "80");
    CHECK(r.value == "www.paterva.com");
  };
  checks["sdk-v2-phrase-settings.xml"] = [](const TransformRequest& r) {
    CHECK(r.type == "maltego.Phrase");
    CHECK(r.value == "Some phrase");
    CHECK(r.weight == 0);
    REQUIRE(r.transform_fields.size() == 3);
    CHECK(*r.transform_field("test.oauth.token") == "ENCRYPTED_OAUTH_TOKEN_PLACEHOLDER");
    CHECK(r.soft_limit == 256);
    CHECK(r.hard_limit == 256);
  };
  checks["sdk-v2-all-settings.xml"] = [](const TransformRequest& r) {
    REQUIRE(r.transform_fields.size() == 10);
    CHECK(*r.transform_field("pytest.maltoso.transform_all_settings.datetime") ==
          "2023-02-11 12:47:51.584 +0100");
    CHECK(*r.transform_field("global#pytest.maltoso.setting_global") == "123.321");
    CHECK(*r.transform_field("pytest.maltoso.global.global#setting_global_legacy") == "123.321");
    CHECK(r.effective_limit() == 256);
  };
  checks["sdk-v2-simple-entity.xml"] = [](const TransformRequest& r) {
    CHECK(r.type == "maltego.simpleEntity");
    CHECK(r.value.empty());
    REQUIRE(r.genealogy.size() == 1);
    CHECK_FALSE(r.genealogy[0].old_name.has_value());
    CHECK(r.properties.empty());
  };
  checks["goltego-maltego-to-tds.xml"] = [](const TransformRequest& r) {
    CHECK(r.type == "DNSName");
    CHECK(r.value == "alpine.paterva.com");
    CHECK(*r.property("fqdn") == "alpine.paterva.com");
    CHECK(r.effective_limit() == 256);
    CHECK(r.effective_type() == "maltego.DNSName");
  };
  size_t passed = 0;
  const auto files = files_with_suffix(dir, ".xml");
  for (const fs::path& xml : files) {
    const std::string name = xml.filename().string();
    INFO("vector " << name);
    REQUIRE(checks.count(name) == 1);
    std::string body = read_file(xml);
    if (name.find(".fragment.") != std::string::npos) {
      // An Entity element alone is not a request (spec §2.2) ...
      RequestError error = RequestError::kNone;
      CHECK_FALSE(parse_request(body, ParseLimits{}, &error).has_value());
      CHECK(error == RequestError::kNotARequest);
      // ... but wrapped in the envelope it must parse.
      body = "<MaltegoMessage><MaltegoTransformRequestMessage><Entities>" + body +
             "</Entities></MaltegoTransformRequestMessage></MaltegoMessage>";
    }
    const auto got = parse_request(body, ParseLimits{});
    INFO("status " << got.status().message());
    REQUIRE(got.has_value());
    CHECK(got->entity_count == 1);
    checks[name](got.value());
    ++passed;
  }
  std::printf("maltego public request vectors: %zu/%zu passed\n", passed, files.size());
  CHECK(passed == checks.size());
}

TEST_CASE("maltego trx snapshots are reproduced byte for byte", "[maltego][vectors]") {
  if (!have_vectors()) return;
  // Models built by hand from the test names in maltego-trx tests/test_xml.py.
  const std::string kHello = "Hello Spencer!";
  std::map<std::string, std::string> models;
  auto simple = [&](std::function<void(ResponseEntity&)> fill) {
    TransformResponse r;
    fill(r.add_entity("maltego.Phrase", kHello));
    return serialize_response(r);
  };
  models["entity_with_value"] = simple([](ResponseEntity&) {});
  models["entity_with_none_value"] = [] {
    TransformResponse r;
    r.add_entity("maltego.Phrase", "");
    return serialize_response(r);
  }();
  models["entity_with_none_type_is_phrase"] = [] {
    TransformResponse r;
    r.add_entity("", "Value");  // no type -> maltego.Phrase
    return serialize_response(r);
  }();
  models["entity_with_properties"] = simple([](ResponseEntity& e) {
    e.add_property("fieldNameTest", "valueTest");
    e.add_property("fieldNameTest2", "valueTest2", "displayNameTest2", MatchingRule::kStrict);
  });
  models["entity_property_with_no_display_name_gets_field_name"] =
      simple([](ResponseEntity& e) { e.add_property("fieldNameTest", "valueTest"); });
  models["entity_property_with_no_matching_rule_gets_loose_matching_rule"] = simple(
      [](ResponseEntity& e) { e.add_property("fieldNameTest", "valueTest", "displayNameTest"); });
  models["entity_property_with_no_value_gets_empty_value"] =
      simple([](ResponseEntity& e) { e.add_property("fieldNameTest", "", "displayNameTest"); });
  // Our API cannot express Python's None; the literal string "None" reproduces trx's bytes.
  models["entity_property_with_no_field_name_gets_skipped"] =
      simple([](ResponseEntity& e) { e.add_property("None", "valueTest", "displayNameTest"); });
  models["entity_with_display_information"] = simple([](ResponseEntity& e) {
    e.labels.push_back({"Display Info Title", "<p>Display Info Content</p>", "text/html"});
  });
  models["entity_with_icon"] = simple([](ResponseEntity& e) {
    e.icon_url = "https://www.maltego.com/img/maltego-logo/maltego-horizontal.png";
  });
  models["entity_with_overlays"] = simple([](ResponseEntity& e) {
    e.overlays.push_back({"#45e06f", "NW", "colour"});
  });
  models["all_null_values"] = [] {
    TransformResponse r;
    ResponseEntity& e = r.add_entity("", "");
    e.add_property("None", "", "None");
    e.set_link_label("");
    e.add_property(std::string(kLinkThickness), "None", "Thickness");
    e.set_link_color("");
    e.add_property(std::string(kLinkStyle), "", "LinkStyle");
    e.set_note("");
    e.overlays.push_back({"None", "NW", "colour"});
    r.add_message(kInform, "None");
    return serialize_response(r);
  }();
  models["exception_message"] = [] {
    TransformResponse r;
    r.add_message(kPartialError, "Test Exception");
    return serialize_response(r);
  }();
  models["response_with_exception"] = serialize_exception("Test Exception");
  models["response_with_ui_message"] = [] {
    TransformResponse r;
    r.add_message("inform", "Test Message");
    return serialize_response(r);
  }();

  const auto files = files_with_suffix(vectors_dir() / "response", ".xml");
  size_t total = 0;
  size_t passed = 0;
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    if (!name.starts_with("trx-snap-")) continue;
    ++total;
    const std::string test = name.substr(9, name.size() - 9 - 4);
    INFO("snapshot " << name);
    REQUIRE(models.count(test) == 1);
    CHECK(models[test] == read_file(file));
    if (models[test] == read_file(file)) ++passed;
  }
  std::printf("maltego trx snapshots: %zu/%zu byte-exact\n", passed, total);
  CHECK(total == 15);
  CHECK(passed == total);
}

TEST_CASE("maltego edge response vectors serialize byte for byte", "[maltego][vectors]") {
  if (!have_vectors()) return;
  const auto files = files_with_suffix(vectors_dir() / "edge" / "response", ".model.json");
  REQUIRE(files.size() >= 11);
  size_t passed = 0;
  for (const fs::path& model_path : files) {
    const std::string base = model_path.string().substr(
        0, model_path.string().size() - std::string(".model.json").size());
    INFO("vector " << model_path.filename().string());
    const Value m = netcap::testjson::parse(read_file(model_path));
    std::string utf8;
    std::string ascii;
    if (const Value* ex = m.find("exceptions")) {
      std::vector<TransformException> list;
      for (const Value& e : ex->array)
        list.push_back({e.array.at(0).string, opt_string(e.array.at(1))});
      utf8 = serialize_exception(list, OutputEncoding::kUtf8);
      ascii = serialize_exception(list, OutputEncoding::kAsciiSafe);
    } else {
      TransformResponse r = response_from_json(m);
      if (const Value* behaviour = m.find("behaviour")) {
        // Behavioural vector (spec §2.5): run truncation over the candidates.
        TransformResponse candidates;
        for (const Value& c : (*behaviour)["candidates"].array) {
          candidates.add_entity(r.entities.at(0).type, c.string);
        }
        CHECK(truncate_to_limit(&candidates,
                                static_cast<int>((*behaviour)["effectiveLimit"].number)));
        r = std::move(candidates);
      }
      utf8 = serialize_response(r, OutputEncoding::kUtf8);
      ascii = serialize_response(r, OutputEncoding::kAsciiSafe);
    }
    const bool ok_utf8 = utf8 == read_file(base + ".expected.xml");
    const bool ok_ascii = ascii == read_file(base + ".expected-ascii.xml");
    CHECK(utf8 == read_file(base + ".expected.xml"));
    CHECK(ascii == read_file(base + ".expected-ascii.xml"));
    if (ok_utf8 && ok_ascii) ++passed;
  }
  std::printf("maltego edge response vectors: %zu/%zu byte-exact (UTF-8 and ASCII-safe)\n", passed,
              files.size());
  CHECK(passed == files.size());
}

TEST_CASE("maltego local argument vectors parse as expected", "[maltego][vectors]") {
  if (!have_vectors()) return;
  size_t total = 0;
  size_t passed = 0;
  for (const fs::path& file : {vectors_dir() / "local" / "local-args-real.json",
                               vectors_dir() / "edge" / "local" / "local-args-edge.json"}) {
    const Value doc = netcap::testjson::parse(read_file(file));
    for (const Value& c : doc["cases"].array) {
      ++total;
      INFO("case " << c["id"].string);
      std::vector<std::string> storage;
      if (const Value* hex = c.find("argv_hex")) {
        for (const Value& a : hex->array) storage.push_back(from_hex(a.string));
      } else {
        for (const Value& a : c["argv"].array) storage.push_back(a.string);
      }
      const std::vector<std::string_view> args(storage.begin(), storage.end());
      const auto got = parse_local_arguments(args);
      REQUIRE(got.has_value());
      const Value& want = c["expected"];
      bool ok = true;
      VCHECK(got->value == want["value"].string);
      const auto& props = want["properties"].array;
      VCHECK(got->properties.size() == props.size());
      for (size_t i = 0; i < std::min(props.size(), got->properties.size()); ++i) {
        VCHECK(got->properties[i].first == props[i].array.at(0).string);
        VCHECK(got->properties[i].second == props[i].array.at(1).string);
      }
      if (const Value* map = want.find("map")) {
        std::map<std::string, std::string> want_map;
        for (const auto& [k, v] : map->object) want_map[k] = v.string;
        VCHECK(got->property_map() == want_map);
      }
      if (storage.size() > 2) VCHECK(got->ignored_arguments == storage.size() - 2);
      if (ok) ++passed;
    }
  }
  std::printf("maltego local argument vectors: %zu/%zu passed\n", passed, total);
  CHECK(total >= 20);
  CHECK(passed == total);
}

TEST_CASE("maltego local arguments without a value are refused", "[maltego]") {
  const auto got = parse_local_arguments({});
  REQUIRE_FALSE(got.has_value());
  CHECK(got.status().message() == "Malformed request: no input value");
  size_t dropped = 0;
  const auto props = parse_property_string("a=1#orphan", &dropped);
  CHECK(props.size() == 1);
  CHECK(dropped == 1);
}

TEST_CASE("maltego UTF-8 decoding uses maximal subparts", "[maltego]") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(decode_utf8_lossy("A\xED\xA0\x80"
                          "B") == "A" + r + r + r + "B");
  CHECK(decode_utf8_lossy("\xFF\xFE"
                          "A") == r + r + "A");
  CHECK(decode_utf8_lossy("A\xE2\x82"
                          "A") == "A" + r + "A");
  CHECK(decode_utf8_lossy("\xC0\xAF"
                          "A") == r + r + "A");
  CHECK(decode_utf8_lossy("\xF0\x9F\x98") == r);
  CHECK(decode_utf8_lossy("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");
  CHECK(sanitize_for_xml(std::string("a\0\x01"
                                     "b\x7F",
                                     5)) == "a?b\x7F");
  size_t bad = 0;
  CHECK_FALSE(is_valid_utf8("ok\xF5", &bad));
  CHECK(bad == 2);
}

TEST_CASE("maltego request limits are enforced", "[maltego]") {
  const std::string ok_body =
      "<MaltegoMessage><MaltegoTransformRequestMessage><Entities><Entity Type=\"maltego.Phrase\">"
      "<Value>x</Value></Entity></Entities></MaltegoTransformRequestMessage></MaltegoMessage>";
  ParseLimits small;
  small.max_body_bytes = 10;
  RequestError error = RequestError::kNone;
  CHECK_FALSE(parse_request(ok_body, small, &error).has_value());
  CHECK(error == RequestError::kTooLarge);

  std::string deep = "<MaltegoMessage><MaltegoTransformRequestMessage><Entities><Entity><Value>";
  for (int i = 0; i < 70; ++i) deep += "<a>";
  for (int i = 0; i < 70; ++i) deep += "</a>";
  deep += "</Value></Entity></Entities></MaltegoTransformRequestMessage></MaltegoMessage>";
  CHECK_FALSE(parse_request(deep, ParseLimits{}, &error).has_value());
  CHECK(error == RequestError::kMalformedXml);

  // A DOCTYPE anywhere (here after a comment) and undefined entities are refused.
  CHECK_FALSE(
      parse_request("<!-- c --><!DOCTYPE x [<!ENTITY a 'b'>]>" + ok_body, ParseLimits{}, &error)
          .has_value());
  CHECK(error == RequestError::kDoctypeForbidden);
  std::string with_entity = ok_body;
  with_entity.replace(with_entity.find("<Value>x"), 8, "<Value>&a;");
  const auto undefined = parse_request(with_entity, ParseLimits{}, &error);
  CHECK_FALSE(undefined.has_value());
  CHECK(error == RequestError::kMalformedXml);
  CHECK(undefined.status().message().starts_with("Malformed request: invalid XML: "));

  const auto parsed = parse_request(ok_body, ParseLimits{}, &error);
  REQUIRE(parsed.has_value());
  CHECK(error == RequestError::kNone);
  CHECK(parsed->value == "x");
  CHECK(parsed->weight == kDefaultWeight);
  CHECK(parsed->effective_limit(kLocalDefaultLimit) == kLocalDefaultLimit);
}

TEST_CASE("maltego serializer drops nameless fields and truncates", "[maltego]") {
  TransformResponse r;
  ResponseEntity& e = r.add_entity("maltego.Phrase", "v");
  e.add_property("", "lost");
  CHECK(serialize_response(r).find("AdditionalFields") == std::string::npos);
  e.add_property("kept", "x");
  CHECK(serialize_response(r).find("Name=\"kept\"") != std::string::npos);
  CHECK(serialize_response(r).find("lost") == std::string::npos);
  r.add_entity("maltego.Phrase", "w");
  CHECK_FALSE(truncate_to_limit(&r, 2));
  CHECK(truncate_to_limit(&r, 1));
  REQUIRE(r.entities.size() == 1);
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].text == "Returned 1 of 2 results (limit 1).");
  CHECK(serialize_exception("x\x01y", OutputEncoding::kAsciiSafe) ==
        "<MaltegoMessage><MaltegoTransformExceptionMessage><Exceptions><Exception>x?y</Exception>"
        "</Exceptions></MaltegoTransformExceptionMessage></MaltegoMessage>");
}
