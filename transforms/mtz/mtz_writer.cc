// .mtz generation (spec maltego.md §3). Element and attribute shapes follow the maltego-trx
// snapshots in /work/shared/maltego/vectors/mtz/trx-*.
#include "transforms/mtz/mtz_writer.h"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include "entities/entity_catalog.h"
#include "transforms/maltego/text.h"

namespace netcap {

namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

// Canonical element (spec §2.6): attributes sorted by name, explicit end tag. `inner` is
// already-serialized content; `text` is escaped here.
std::string element(std::string_view name, Attributes attributes, std::string_view inner = {},
                    std::string_view text = {}) {
  std::sort(attributes.begin(), attributes.end());
  std::string out = "<";
  out += name;
  for (const auto& [key, value] : attributes) {
    out += ' ';
    out += key;
    out += "=\"";
    maltego::append_escaped_attribute(&out, maltego::sanitize_for_xml(value),
                                      maltego::OutputEncoding::kUtf8);
    out += '"';
  }
  out += '>';
  out += inner;
  maltego::append_escaped_text(&out, maltego::sanitize_for_xml(text),
                               maltego::OutputEncoding::kUtf8);
  out += "</";
  out += name;
  out += '>';
  return out;
}

bool is_standard_entity(std::string_view id) { return id.rfind("maltego.", 0) == 0; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* field_type(entities::PropertyType type) {
  switch (type) {
    case entities::PropertyType::kInt:
      return "int";
    case entities::PropertyType::kBool:
      return "boolean";
    case entities::PropertyType::kString:
      break;
  }
  return "string";
}

// The catalog's icon names are not Maltego icon resources and netcap ships no PNGs yet, so every
// netcap entity uses a built-in resource (spec §3.11: a custom resource would need five PNGs).
// General/SharkAttack is the icon netcap's own export uses for its entities.
constexpr const char* kBuiltinIcon = "General/SharkAttack";

// Spec §3.4: MaltegoEntity with Properties/Groups/Fields; the value field's SampleValue is "-".
std::string entity_xml(const entities::EntitySpec& entity) {
  std::string fields;
  for (const entities::PropertySpec& property : entity.properties) {
    const bool is_value = property.name == entity.main_property;
    fields += element("Field",
                      {{"name", std::string(property.name)},
                       {"type", field_type(property.type)},
                       {"nullable", "true"},
                       {"hidden", "false"},
                       {"readonly", "false"},
                       {"description", ""},
                       {"displayName", std::string(property.display_name)}},
                      element("SampleValue", {}, {}, is_value ? "-" : ""));
  }
  const std::string properties = element("Properties",
                                         {{"value", std::string(entity.main_property)},
                                          {"displayValue", std::string(entity.main_property)}},
                                         element("Groups", {}) + element("Fields", {}, fields));
  // Spec §3.4: BaseEntities before Properties, one BaseEntity per parent type.
  const std::string base_entities =
      entity.base.empty()
          ? std::string()
          : element("BaseEntities", {}, element("BaseEntity", {}, {}, std::string(entity.base)));
  return element("MaltegoEntity",
                 {{"id", std::string(entity.id)},
                  {"displayName", std::string(entity.display_name)},
                  {"displayNamePlural", std::string(entity.plural)},
                  {"description", std::string(entity.description)},
                  {"category", std::string(entity.category)},
                  {"smallIconResource", kBuiltinIcon},
                  {"largeIconResource", kBuiltinIcon},
                  {"allowedRoot", "true"},
                  {"conversionOrder", "2147483647"},
                  {"visible", "true"}},
                 base_entities + properties);
}

// One of the four transform.local.* field declarations (spec §3.6, trx mtz.py).
std::string local_field(const char* name, const char* type, bool nullable, const char* display,
                        const char* description) {
  return element("Property", {{"abstract", "false"},
                              {"auth", "false"},
                              {"description", description},
                              {"displayName", display},
                              {"hidden", "false"},
                              {"name", name},
                              {"nullable", nullable ? "true" : "false"},
                              {"popup", "false"},
                              {"readonly", "false"},
                              {"type", type},
                              {"visibility", "public"}});
}

// Spec §3.6. Transform settings are not written: local transforms never receive them (§1.1).
std::string transform_xml(const TransformSpec& spec, const MtzOptions& options) {
  const std::string fields =
      local_field("transform.local.command", "string", false, "Command line",
                  "The command to execute for this transform") +
      local_field("transform.local.parameters", "string", true, "Command parameters",
                  "The parameters to pass to the transform command") +
      local_field("transform.local.working-directory", "string", true, "Working directory",
                  "The working directory used when invoking the executable") +
      local_field("transform.local.debug", "boolean", true, "Show debug info",
                  "When this is set, the transform's text output will be printed to the output "
                  "window");
  std::string outputs;
  for (const std::string& output : spec.output_entities) {
    outputs += element("Entity", {{"type", output}, {"min", "1"}, {"max", "1"}});
  }
  std::string inner =
      element("TransformAdapter", {}, {},
              "com.paterva.maltego.transform.protocol.v2api.LocalTransformAdapterV2") +
      element("Properties", {}, element("Fields", {}, fields)) +
      element("InputConstraints", {},
              element("Entity", {{"type", spec.input_entity}, {"min", "1"}, {"max", "1"}})) +
      element("OutputEntities", {}, outputs) +
      element("defaultSets", {}, element("Set", {{"name", options.set_name}})) +
      element("StealthLevel", {}, {}, "0");
  return element("MaltegoTransform",
                 {{"abstract", "false"},
                  {"author", "netcap"},
                  {"description", spec.description},
                  {"displayName", spec.display_name},
                  {"name", spec.id},
                  {"requireDisplayInfo", "false"},
                  {"template", "false"},
                  {"visibility", "public"}},
                 inner);
}

std::string setting_property(const char* name, const char* type, std::string_view value) {
  return element("Property", {{"name", name}, {"popup", "false"}, {"type", type}}, {}, value);
}

// Spec §3.7: the four properties in this order.
std::string transform_settings_xml(const TransformSpec& spec, const MtzOptions& options) {
  const std::string properties =
      setting_property("transform.local.command", "string", options.executable) +
      setting_property("transform.local.parameters", "string", "transform local " + spec.id) +
      setting_property("transform.local.working-directory", "string", options.working_directory) +
      setting_property("transform.local.debug", "boolean", "false");
  return element("TransformSettings",
                 {{"disclaimerAccepted", "false"},
                  {"enabled", "true"},
                  {"favorite", "false"},
                  {"runWithAll", "true"},
                  {"showHelp", "true"}},
                 element("Properties", {}, properties));
}

std::string transform_list(const std::vector<const TransformSpec*>& transforms) {
  std::string out;
  for (const TransformSpec* spec : transforms) out += element("Transform", {{"name", spec->id}});
  return out;
}

}  // namespace

std::vector<MtzFile> build_mtz_files(const TransformRegistry& registry, const MtzOptions& options) {
  std::vector<MtzFile> files;
  std::set<std::string> categories;
  for (const entities::EntitySpec& entity : entities::entity_catalog()) {
    if (is_standard_entity(entity.id)) continue;
    categories.insert(std::string(entity.category));
    files.push_back({"Entities/" + std::string(entity.id) + ".entity", entity_xml(entity)});
  }
  for (const std::string& category : categories) {
    files.push_back({"EntityCategories/" + lower(category) + ".category",
                     element("EntityCategory", {{"name", category}})});
  }
  const std::vector<const TransformSpec*> transforms = registry.list();
  for (const TransformSpec* spec : transforms) {
    const std::string base = "TransformRepositories/Local/" + spec->id;
    files.push_back({base + ".transform", transform_xml(*spec, options)});
    files.push_back({base + ".transformsettings", transform_settings_xml(*spec, options)});
  }
  files.push_back(
      {"Servers/Local.tas",
       element("MaltegoServer",
               {{"name", "Local"},
                {"enabled", "true"},
                {"description", "Local transforms hosted on this machine"},
                {"url", "http://localhost"}},
               element("LastSync", {}, {}, kMtzLastSync) +
                   element("Protocol", {{"version", "0.0"}}) +
                   element("Authentication", {{"type", "none"}}) +
                   element("Transforms", {}, transform_list(transforms)) + element("Seeds", {}))});
  files.push_back(
      {"TransformSets/" + options.set_name + ".set",
       element("TransformSet", {{"name", options.set_name}, {"description", kMtzSetDescription}},
               element("Transforms", {}, transform_list(transforms)))});
  // Spec §3.2: no timestamp comment, so the file is reproducible.
  files.push_back({"version.properties",
                   "maltego.mtz.version=1.0\nmaltego.graph.version=1.2\n"
                   "maltego.client.name=netcap\n"});
  std::sort(files.begin(), files.end(),
            [](const MtzFile& a, const MtzFile& b) { return a.path < b.path; });
  return files;
}

Status write_mtz(const std::vector<MtzFile>& files, const std::string& path) {
  int error_code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error_code);
  if (archive == nullptr) {
    zip_error_t error;
    zip_error_init_with_code(&error, error_code);
    Status status = Status::error("cannot create " + path + ": " + zip_error_strerror(&error));
    zip_error_fini(&error);
    return status;
  }
  // A fixed time (2020-01-01 00:00:00 UTC) so that the archive bytes do not depend on when it
  // was written.
  constexpr time_t kFixedMtime = 1577836800;
  auto fail = [&](const std::string& what) {
    Status status = Status::error(path + ": " + what + ": " + zip_strerror(archive));
    zip_discard(archive);
    return status;
  };
  for (const MtzFile& file : files) {
    // The buffer is read when zip_close runs; `files` outlives that call.
    zip_source_t* source = zip_source_buffer(archive, file.bytes.data(), file.bytes.size(), 0);
    if (source == nullptr) return fail("adding " + file.path);
    const zip_int64_t index =
        zip_file_add(archive, file.path.c_str(), source, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      return fail("adding " + file.path);
    }
    const auto entry = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(archive, entry, ZIP_CM_DEFLATE, 9) != 0 ||
        zip_file_set_mtime(archive, entry, kFixedMtime, 0) != 0) {
      return fail("setting attributes of " + file.path);
    }
  }
  if (zip_close(archive) != 0) return fail("writing");
  return Status::ok();
}

Status write_tree(const std::vector<MtzFile>& files, const std::string& dir) {
  namespace fs = std::filesystem;
  for (const MtzFile& file : files) {
    const fs::path target = fs::path(dir) / file.path;
    std::error_code error;
    fs::create_directories(target.parent_path(), error);
    if (error) {
      return Status::error("cannot create " + target.parent_path().string() + ": " +
                           error.message());
    }
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(file.bytes.data(), static_cast<std::streamsize>(file.bytes.size()));
    out.close();
    if (!out) return Status::error("cannot write " + target.string());
  }
  return Status::ok();
}

}  // namespace netcap
