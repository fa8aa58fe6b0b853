#include "transforms/catalog/query_transform.h"

#include <algorithm>

#include "entities/entity_catalog.h"
#include "transforms/catalog/catalog_util.h"
#include "transforms/catalog/precomputed_answers.h"

namespace netcap::catalog {

namespace {

std::string count_label(const QueryTransform& spec, const std::vector<SqlValue>& row) {
  std::string label;
  size_t column = 1;
  for (const CountLabel& count : spec.counts) {
    if (count.one.empty() || column >= row.size()) break;
    if (!label.empty()) label += "\n";
    label += plural(int_of(row[column]), count.one, count.many);
    ++column;
  }
  return label;
}

size_t count_columns(const QueryTransform& spec) {
  size_t n = 0;
  for (const CountLabel& count : spec.counts) {
    if (count.one.empty()) break;
    ++n;
  }
  return n;
}

}  // namespace

Status run_query_transform(const QueryTransform& spec, const TransformContext& context,
                           const maltego::TransformRequest& request,
                           maltego::TransformResponse& response) {
  std::string input;
  if (spec.input != QueryInput::kCase) {
    Expected<std::string> value =
        spec.input == QueryInput::kIP
            ? input_value(request, {entities::kIPv4Property, entities::kIPv6Property})
            : input_value(request, {spec.input_properties[0], spec.input_properties[1]});
    if (!value) return value.status();
    input = *value;
  }
  for (std::string_view table : spec.tables) {
    if (!table.empty() && !context.index.has_table(table)) return Status::ok();  // never seen
  }
  const size_t max_rows = context.limit > 0
                              ? std::min(static_cast<size_t>(context.limit), kMaxQueryRows)
                              : kMaxQueryRows;
  Expected<std::optional<PrecomputedRows>> precomputed =
      read_precomputed(context.index, spec, input, max_rows);
  if (!precomputed)
    return Status(precomputed.status()).with_context("reading a precomputed answer");
  Expected<ResultSet> rows = ResultSet{};
  if (*precomputed) {
    rows = std::move((*precomputed)->rows);
    const uint64_t total = (*precomputed)->total;
    if (total > rows->rows.size()) {
      // The limit is applied here (the answer is read in order up to it), so say what
      // truncate_to_limit would have said.
      const std::string shown = std::to_string(rows->rows.size());
      response.add_message(maltego::kInform, "Returned " + shown + " of " + std::to_string(total) +
                                                 " results (limit " + shown + ").");
    }
  } else {
    Expected<std::optional<std::string>> sql = resolve_sources(context.index.db(), spec, spec.sql);
    if (!sql) return sql.status();
    if (!*sql) return Status::ok();  // none of the union's tables exists
    rows = spec.input == QueryInput::kCase ? query(context, **sql, {}, response)
                                           : query(context, **sql, {input}, response);
  }
  if (!rows) return rows.status();
  const size_t first_extra = 1 + count_columns(spec);
  for (const auto& row : rows->rows) {
    std::string value = row.empty() ? std::string() : text_of(row[0]);
    if (value.empty()) continue;
    maltego::ResponseEntity& entity =
        spec.output == kIPOutput
            ? add_ip_entity(response, context, value)
            : add_entity(response, context, spec.output, spec.value_property, value);
    std::string label = count_label(spec, row);
    if (!label.empty()) entity.set_link_label(std::move(label));
    for (size_t i = 0; i < spec.extra.size() && !spec.extra[i].empty(); ++i) {
      const size_t column = first_extra + i;
      if (column >= row.size()) break;
      std::string text = text_of(row[column]);
      if (text.empty()) continue;
      entity.add_property(std::string(spec.extra[i]), std::move(text),
                          spec.output == kIPOutput
                              ? std::nullopt
                              : property_display_name(spec.output, spec.extra[i]));
    }
  }
  return Status::ok();
}

Status add_query_transform(TransformRegistry& registry, const QueryTransform& spec,
                           TransformRun run) {
  std::vector<std::string> outputs;
  if (spec.output == kIPOutput) {
    outputs = {std::string(entities::kIPv4Address), std::string(entities::kIPv6Address)};
  } else {
    outputs = {std::string(spec.output)};
  }
  std::vector<std::pair<std::string, bool>> inputs;  // (entity id, IPv6 variant)
  switch (spec.input) {
    case QueryInput::kCase:
      inputs.emplace_back(entities::kNetcapCase, false);
      break;
    case QueryInput::kIP:
      inputs.emplace_back(entities::kIPv4Address, false);
      inputs.emplace_back(entities::kIPv6Address, true);
      break;
    case QueryInput::kEntity:
      inputs.emplace_back(spec.input_entity, false);
      break;
  }
  if (is_precomputable(spec)) registry.add_precomputable(&spec);
  for (const auto& [input, v6] : inputs) {
    TransformSpec transform;
    transform.id = "netcap." + std::string(spec.name) + (v6 ? "IPv6" : "");
    transform.display_name = std::string(spec.display) + (v6 ? " (IPv6)" : "") + " [NETCAP]";
    transform.description = std::string(spec.description);
    transform.input_entity = input;
    transform.output_entities = outputs;
    transform.run = run;
    Status status = registry.add(std::move(transform));
    if (!status) return status;
  }
  return Status::ok();
}

}  // namespace netcap::catalog
