#include "transforms/registry.h"

#include "entities/entity_catalog.h"

namespace netcap {

Status TransformRegistry::add(TransformSpec spec) {
  if (spec.id.empty()) return Status::error("transform with an empty id");
  if (spec.run == nullptr) return Status::error("transform " + spec.id + " has no run function");
  if (entities::find_entity(spec.input_entity) == nullptr) {
    return Status::error("transform " + spec.id + ": unknown input entity '" + spec.input_entity +
                         "'");
  }
  if (spec.output_entities.empty()) {
    return Status::error("transform " + spec.id + " declares no output entity");
  }
  for (const std::string& output : spec.output_entities) {
    if (entities::find_entity(output) == nullptr) {
      return Status::error("transform " + spec.id + ": unknown output entity '" + output + "'");
    }
  }
  if (transforms_.count(spec.id) != 0) {
    return Status::error("duplicate transform id " + spec.id);
  }
  std::string id = spec.id;
  transforms_.emplace(std::move(id), std::move(spec));
  return Status::ok();
}

const TransformSpec* TransformRegistry::find(std::string_view id) const {
  auto it = transforms_.find(id);
  return it == transforms_.end() ? nullptr : &it->second;
}

std::vector<const TransformSpec*> TransformRegistry::list() const {
  std::vector<const TransformSpec*> out;
  out.reserve(transforms_.size());
  for (const auto& [id, spec] : transforms_) out.push_back(&spec);  // std::map: sorted by id
  return out;
}

Expected<std::string> case_dir_for_request(const TransformSpec& spec,
                                           const maltego::TransformRequest& request) {
  if (spec.input_entity == entities::kNetcapCase && !request.value.empty()) {
    return request.value;
  }
  const std::string* path = request.property(entities::kCaseProperty);
  if (path == nullptr || path->empty()) {
    return Status::error("no case directory: the input entity has no '" +
                         std::string(entities::kCaseProperty) + "' property");
  }
  return *path;
}

Status execute_transform(const TransformSpec& spec, const maltego::TransformRequest& request,
                         int limit, maltego::TransformResponse& response) {
  Expected<std::string> case_dir = case_dir_for_request(spec, request);
  if (!case_dir) return case_dir.status();
  Expected<CaseIndex> index = CaseIndex::open_read_only(*case_dir);
  if (!index) return Status(index.status()).with_context("opening case " + *case_dir);
  TransformContext context{*index, *case_dir, limit};
  Status status = spec.run(context, request, response);
  if (!status) return status;
  maltego::truncate_to_limit(&response, limit);
  return Status::ok();
}

}  // namespace netcap
