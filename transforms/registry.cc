#include "transforms/registry.h"

#include <filesystem>
#include <system_error>

#include "entities/entity_catalog.h"
#include "transforms/case_index_pool.h"

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

namespace {

// A Go netcap graph names files rather than our case directory: netcap.PCAP carries the capture
// (netcap writes its records to "<capture>.net"), the other entities the audit record file
// ("<dir>/<Type>.ncap.gz"; ours are "<case>/records/<Type>.ncap.gz"). A file resolves to the
// first of those directories that holds an index; anything else is returned unchanged (opening
// it then fails with the path in the message).
std::string resolve_case_dir(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return path;
  const fs::path file(path);
  const fs::path candidates[] = {fs::path(path + ".net"), file.parent_path(),
                                 file.parent_path().parent_path()};
  for (const fs::path& dir : candidates) {
    if (!dir.empty() && fs::is_regular_file(dir / "index.db", error)) return dir.string();
  }
  return path;
}

}  // namespace

Expected<std::string> case_dir_for_request(const TransformSpec& spec,
                                           const maltego::TransformRequest& request) {
  if (spec.input_entity == entities::kNetcapCase && !request.value.empty()) {
    return resolve_case_dir(request.value);
  }
  const std::string* path = request.property(entities::kCaseProperty);
  if (path == nullptr || path->empty()) {
    return Status::error("no case directory: the input entity has no '" +
                         std::string(entities::kCaseProperty) + "' property");
  }
  return resolve_case_dir(*path);
}

bool accepts_input_type(const TransformSpec& spec, const maltego::TransformRequest& request) {
  return request.is_of_type(spec.input_entity) ||
         entities::entity_is_a(request.effective_type(), spec.input_entity);
}

Status execute_transform(const TransformSpec& spec, const maltego::TransformRequest& request,
                         int limit, maltego::TransformResponse& response, CaseIndexPool* pool) {
  Expected<std::string> case_dir = case_dir_for_request(spec, request);
  if (!case_dir) return case_dir.status();
  CaseIndexPool one_shot(0);  // without a pool: a connection of its own, closed afterwards
  Expected<CaseIndexPool::Lease> lease = (pool != nullptr ? *pool : one_shot).acquire(*case_dir);
  if (!lease) return Status(lease.status()).with_context("opening case " + *case_dir);
  TransformContext context{lease->index(), *case_dir, limit};
  // A value that spans lines keeps its first line when the sent type or the declared one says
  // so (Go netcap's Device: "MAC\nvendor"); local mode knows only the declared type.
  const entities::EntitySpec* sent = entities::find_entity(request.effective_type());
  const entities::EntitySpec* declared = entities::find_entity(spec.input_entity);
  const size_t newline = request.value.find('\n');
  const maltego::TransformRequest* input = &request;
  maltego::TransformRequest first_line;
  if (newline != std::string::npos && ((sent != nullptr && sent->value_is_first_line) ||
                                       (declared != nullptr && declared->value_is_first_line))) {
    first_line = request;
    first_line.value.resize(newline);
    if (!first_line.value.empty() && first_line.value.back() == '\r') first_line.value.pop_back();
    input = &first_line;
  }
  Status status = spec.run(context, *input, response);
  if (!status) return status;
  maltego::truncate_to_limit(&response, limit);
  return Status::ok();
}

}  // namespace netcap
