// The transform registry: every netcap transform declared once (id, entities, description, the
// function that runs it), built without global mutable state by build_transform_registry()
// from the register_* functions listed in transforms/catalog/all_transforms.cc.
// A built registry is immutable in use: const methods are thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/sinks/case_index.h"
#include "core/util/status.h"
#include "transforms/maltego/request.h"
#include "transforms/maltego/response.h"

namespace netcap {

class CaseIndexPool;  // transforms/case_index_pool.h
namespace catalog {
struct QueryTransform;  // transforms/catalog/query_transform.h
}

// What a transform may use while it runs. `index` is open read-only on `case_dir`; both outlive
// the run. `limit` is the effective entity limit (the caller truncates with truncate_to_limit;
// transforms may stop early once they have more than `limit` rows).
struct TransformContext {
  const CaseIndex& index;
  std::string case_dir;
  int limit = maltego::kLocalDefaultLimit;
};

// A transform setting (TransformFields in remote mode; ignored in local mode, spec §1.1).
struct TransformSetting {
  std::string name;
  std::string display_name;
  std::string type;  // "string", "int", "boolean"
  std::string default_value;
};

// Fills `response` with entities (each carrying the case directory in
// entities::kCaseProperty). A failed Status becomes an exception document.
using TransformRun = Status (*)(const TransformContext&, const maltego::TransformRequest&,
                                maltego::TransformResponse&);

struct TransformSpec {
  std::string id;            // Maltego transform id, "netcap.ToHosts"
  std::string display_name;  // "To Hosts [NETCAP]"
  std::string description;
  std::string input_entity;                  // an entities:: id
  std::vector<std::string> output_entities;  // entities:: ids
  std::vector<TransformSetting> settings;
  TransformRun run = nullptr;
};

class TransformRegistry {
 public:
  // Fails on an empty or duplicate id, a missing run function, or an input/output entity id
  // that is not in entities::entity_catalog().
  Status add(TransformSpec spec);
  // nullptr if unknown. The pointer is valid while the registry lives.
  const TransformSpec* find(std::string_view id) const;
  // All transforms sorted by id.
  std::vector<const TransformSpec*> list() const;
  size_t size() const { return transforms_.size(); }

  // The table-driven transforms (catalog/query_transform.h) whose answers are precomputed into
  // the case index when a capture ends (catalog/precomputed_answers.h). `spec` has static
  // storage; registered once even when it yields two transforms (IPv4 and IPv6 inputs).
  void add_precomputable(const catalog::QueryTransform* spec) { precomputable_.push_back(spec); }
  const std::vector<const catalog::QueryTransform*>& precomputable() const {
    return precomputable_;
  }

 private:
  std::map<std::string, TransformSpec, std::less<>> transforms_;
  std::vector<const catalog::QueryTransform*> precomputable_;
};

// A register_* function adds one family of transforms.
using RegisterFunction = Status (*)(TransformRegistry&);

// Builds the registry from the list in transforms/catalog/all_transforms.cc.
Expected<TransformRegistry> build_transform_registry();

// The case directory a request refers to: for the case entity its value (or the kCaseProperty
// if the value is empty), for every other entity the kCaseProperty. Error if there is none.
// A file path (a Go netcap graph's capture or .ncap.gz file) resolves to "<file>.net", its
// directory or the directory above when one of them holds index.db.
Expected<std::string> case_dir_for_request(const TransformSpec& spec,
                                           const maltego::TransformRequest& request);

// Spec §2.3: the request's type, one of its Genealogy types, or a catalog entity deriving from
// them (EntitySpec::base, e.g. netcap.IPAddr for maltego.IPv4Address) is the declared input.
bool accepts_input_type(const TransformSpec& spec, const maltego::TransformRequest& request);

// Opens the case index read-only (borrowed from `pool` when one is given), runs the transform
// and truncates to `limit` (spec §2.5). Errors (missing case, SQL failure) come back as a
// Status whose message is the exception text.
Status execute_transform(const TransformSpec& spec, const maltego::TransformRequest& request,
                         int limit, maltego::TransformResponse& response,
                         CaseIndexPool* pool = nullptr);

}  // namespace netcap
