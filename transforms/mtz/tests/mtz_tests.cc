// Tests of the .mtz writer: committed tree up to date, archive readable, consistency rules of
// spec maltego.md §3.11, file shapes equal to the maltego-trx vectors.
#include <unistd.h>
#include <zip.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "entities/entity_catalog.h"
#include "transforms/mtz/mtz_writer.h"

namespace {

namespace fs = std::filesystem;
using netcap::MtzFile;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

netcap::TransformRegistry registry() {
  auto built = netcap::build_transform_registry();
  REQUIRE(built);
  return std::move(*built);
}

std::map<std::string, std::string> as_map(const std::vector<MtzFile>& files) {
  std::map<std::string, std::string> out;
  for (const MtzFile& file : files) {
    REQUIRE(out.emplace(file.path, file.bytes).second);  // unique paths
  }
  return out;
}

// Element names and attribute names, depth first, one line per element.
void structure(const pugi::xml_node& node, int depth, std::string* out) {
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    *out += std::string(static_cast<size_t>(depth) * 2, ' ') + child.name();
    for (const pugi::xml_attribute& attribute : child.attributes()) {
      *out += std::string(" @") + attribute.name();
    }
    *out += "\n";
    structure(child, depth + 1, out);
  }
}

std::string structure_of(const std::string& xml) {
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str()));
  std::string out;
  structure(doc, 0, &out);
  return out;
}

std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const size_t begin = text.find(open);
  const size_t end = text.find(close, begin);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  return text.substr(begin, end + close.size() - begin);
}

netcap::Status dummy_run(const netcap::TransformContext&, const netcap::maltego::TransformRequest&,
                         netcap::maltego::TransformResponse&) {
  return netcap::Status::ok();
}

}  // namespace

TEST_CASE("committed maltego-config tree equals the generated files") {
  const fs::path dir = fs::path(NETCAP_SOURCE_DIR) / "maltego-config";
  const std::string how =
      "regenerate with: rm -rf maltego-config && netcap maltego-config --tree maltego-config "
      "--exe netcap";
  const auto files = as_map(netcap::build_mtz_files(registry(), netcap::MtzOptions{}));
  for (const auto& [path, bytes] : files) {
    INFO(path << " differs from the committed tree; " << how);
    REQUIRE(fs::exists(dir / path));
    CHECK(read_file(dir / path) == bytes);
  }
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = fs::relative(entry.path(), dir).generic_string();
    INFO(relative << " is committed but no longer generated; " << how);
    CHECK(files.count(relative) == 1);
  }
}

TEST_CASE("the .mtz re-opens with libzip and every XML entry parses") {
  const auto files = netcap::build_mtz_files(registry(), netcap::MtzOptions{});
  const fs::path path =
      fs::temp_directory_path() / ("netcap-mtz-test-" + std::to_string(getpid()) + ".mtz");
  REQUIRE(netcap::write_mtz(files, path.string()));
  const std::string first = read_file(path);
  REQUIRE(netcap::write_mtz(files, path.string()));
  CHECK(read_file(path) == first);  // deterministic bytes

  int error = 0;
  zip_t* archive = zip_open(path.string().c_str(), ZIP_RDONLY, &error);
  REQUIRE(archive != nullptr);
  REQUIRE(zip_get_num_entries(archive, 0) == static_cast<zip_int64_t>(files.size()));
  for (zip_uint64_t i = 0; i < files.size(); ++i) {
    zip_stat_t stat;
    REQUIRE(zip_stat_index(archive, i, 0, &stat) == 0);
    const std::string name = stat.name;
    INFO(name);
    CHECK(stat.comp_method == ZIP_CM_DEFLATE);
    CHECK(name.back() != '/');  // no directory entries
    std::string bytes(stat.size, '\0');
    zip_file_t* file = zip_fopen_index(archive, i, 0);
    REQUIRE(file != nullptr);
    CHECK(zip_fread(file, bytes.data(), stat.size) == static_cast<zip_int64_t>(stat.size));
    zip_fclose(file);
    const auto match =
        std::find_if(files.begin(), files.end(), [&](const MtzFile& f) { return f.path == name; });
    REQUIRE(match != files.end());
    CHECK(match->bytes == bytes);
    if (name == "version.properties") continue;
    pugi::xml_document doc;
    CHECK(doc.load_string(bytes.c_str()));
    CHECK(doc.document_element());
  }
  zip_close(archive);
  fs::remove(path);
}

TEST_CASE("archive consistency rules (spec 3.11)") {
  const netcap::TransformRegistry transforms = registry();
  const auto files = as_map(netcap::build_mtz_files(transforms, netcap::MtzOptions{}));
  auto known_entity = [&](const std::string& id) {
    if (id.rfind("maltego.", 0) == 0) return true;
    return files.count("Entities/" + id + ".entity") == 1 &&
           netcap::entities::find_entity(id) != nullptr;
  };
  pugi::xml_document tas;
  REQUIRE(tas.load_string(files.at("Servers/Local.tas").c_str()));
  pugi::xml_document set;
  REQUIRE(set.load_string(files.at("TransformSets/netcap.set").c_str()));
  std::map<std::string, int> listed;
  for (auto node : tas.child("MaltegoServer").child("Transforms").children("Transform")) {
    ++listed[node.attribute("name").value()];
  }
  std::map<std::string, int> in_set;
  for (auto node : set.child("TransformSet").child("Transforms").children("Transform")) {
    ++in_set[node.attribute("name").value()];
  }
  REQUIRE(transforms.size() > 0);
  CHECK(listed.size() == transforms.size());
  std::set<std::string> ids;
  size_t transform_files = 0;
  for (const auto& [path, bytes] : files) {
    if (path.size() > 10 && path.substr(path.size() - 10) == ".transform") ++transform_files;
  }
  CHECK(transform_files == transforms.size());
  for (const netcap::TransformSpec* spec : transforms.list()) {
    INFO(spec->id);
    CHECK(ids.insert(spec->id).second);
    const std::string base = "TransformRepositories/Local/" + spec->id;
    REQUIRE(files.count(base + ".transform") == 1);
    REQUIRE(files.count(base + ".transformsettings") == 1);
    CHECK(listed[spec->id] == 1);
    CHECK(in_set[spec->id] == 1);
    pugi::xml_document doc;
    REQUIRE(doc.load_string(files.at(base + ".transform").c_str()));
    auto root = doc.child("MaltegoTransform");
    CHECK(std::string(root.attribute("name").value()) == spec->id);
    CHECK(std::string(root.attribute("author").value()) == "netcap");
    const std::string input =
        root.child("InputConstraints").child("Entity").attribute("type").value();
    CHECK(input == spec->input_entity);
    CHECK(known_entity(input));
    for (auto output : root.child("OutputEntities").children("Entity")) {
      CHECK(known_entity(output.attribute("type").value()));
    }
    for (const std::string& output : spec->output_entities) CHECK(known_entity(output));
    pugi::xml_document settings;
    REQUIRE(settings.load_string(files.at(base + ".transformsettings").c_str()));
    std::map<std::string, std::string> values;
    for (auto p : settings.child("TransformSettings").child("Properties").children("Property")) {
      values[p.attribute("name").value()] = p.text().get();
    }
    CHECK(values["transform.local.command"] == "netcap");
    CHECK(values["transform.local.parameters"] == "transform local " + spec->id);
  }
  // Every custom entity's category has a .category file; no standard entity is redefined.
  for (const netcap::entities::EntitySpec& entity : netcap::entities::entity_catalog()) {
    const std::string id(entity.id);
    INFO(id);
    if (id.rfind("maltego.", 0) == 0) {
      CHECK(files.count("Entities/" + id + ".entity") == 0);
      continue;
    }
    pugi::xml_document doc;
    REQUIRE(doc.load_string(files.at("Entities/" + id + ".entity").c_str()));
    const std::string category = doc.child("MaltegoEntity").attribute("category").value();
    CHECK(category == entity.category);
    std::string lower = category;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    REQUIRE(files.count("EntityCategories/" + lower + ".category") == 1);
    pugi::xml_document category_doc;
    REQUIRE(category_doc.load_string(files.at("EntityCategories/" + lower + ".category").c_str()));
    CHECK(category == category_doc.child("EntityCategory").attribute("name").value());
    // Spec §3.4/§3.11: BaseEntities/BaseEntity (not netcap's BaseEntities/Entities), naming a
    // standard or defined entity.
    std::vector<std::string> bases;
    for (auto node : doc.child("MaltegoEntity").child("BaseEntities").children()) {
      CHECK(std::string(node.name()) == "BaseEntity");
      bases.push_back(node.text().get());
    }
    if (entity.base.empty()) {
      CHECK(bases.empty());
    } else {
      REQUIRE(bases.size() == 1);
      CHECK(bases[0] == entity.base);
      CHECK(known_entity(bases[0]));
    }
  }
}

TEST_CASE("file shapes match the maltego-trx write_local_mtz vectors") {
  const fs::path vectors = fs::path(NETCAP_SHARED_DIR) / "maltego/vectors/mtz/trx-write_local_mtz";
  if (!fs::exists(vectors)) {
    WARN("skipped: " << vectors << " not found");
    return;
  }
  // The one-transform registry equivalent to the trx snapshot (name "testclass").
  netcap::TransformRegistry one;
  netcap::TransformSpec spec;
  spec.id = "testclass";
  spec.display_name = "Test Class";
  spec.input_entity = std::string(netcap::entities::kPhrase);
  spec.output_entities = {std::string(netcap::entities::kPhrase)};  // the registry needs one
  spec.run = dummy_run;
  REQUIRE(one.add(spec));
  netcap::MtzOptions options;
  options.executable = "python3";
  options.working_directory = "/home/maltego";
  options.set_name = "test";
  const auto files = as_map(netcap::build_mtz_files(one, options));

  const std::string transform = files.at("TransformRepositories/Local/testclass.transform");
  const std::string expected_transform =
      read_file(vectors / "TransformRepositories/Local/testclass.transform");
  // The four transform.local.* declarations are byte for byte the same.
  CHECK(between(transform, "<Properties>", "</Properties>") ==
        between(expected_transform, "<Properties>", "</Properties>"));
  // Same elements and attributes in the same order; ours adds OutputEntities/Entity and
  // defaultSets/Set (spec §3.6), removed here.
  const std::string outputs = between(transform, "<OutputEntities>", "</OutputEntities>");
  CHECK(outputs ==
        "<OutputEntities><Entity max=\"1\" min=\"1\" type=\"maltego.Phrase\"></Entity>"
        "</OutputEntities>");
  std::string trimmed = transform;
  trimmed.replace(trimmed.find(outputs), outputs.size(), "<OutputEntities></OutputEntities>");
  std::string ours = structure_of(trimmed);
  const std::string set_line = "    Set @name\n";
  const size_t set_at = ours.find(set_line);
  REQUIRE(set_at != std::string::npos);
  ours.erase(set_at, set_line.size());
  CHECK(ours == structure_of(expected_transform));

  const std::string settings = files.at("TransformRepositories/Local/testclass.transformsettings");
  const std::string expected_settings =
      read_file(vectors / "TransformRepositories/Local/testclass.transformsettings");
  CHECK(structure_of(settings) == structure_of(expected_settings));
  std::string adjusted = settings;
  adjusted.replace(adjusted.find("transform local testclass"), 25, "project.py local testclass");
  adjusted.replace(adjusted.find(">false<"), 7, ">true<");  // the vector has debug on
  CHECK(adjusted == expected_settings);

  std::string tas = files.at("Servers/Local.tas");
  tas.replace(tas.find(netcap::kMtzLastSync), std::string(netcap::kMtzLastSync).size(),
              "2022-08-10 07:52:45 UTC");
  CHECK(tas == read_file(vectors / "Servers/Local.tas"));

  std::string set = files.at("TransformSets/test.set");
  CHECK(structure_of(set) == structure_of(read_file(vectors / "TransformSets/test.set")));
  set.replace(set.find(netcap::kMtzSetDescription), std::string(netcap::kMtzSetDescription).size(),
              "Test Transform Set");
  CHECK(set == read_file(vectors / "TransformSets/test.set"));
}
