// Table-driven transforms: most application-protocol transforms are one grouped, bound-parameter
// query over the case index whose rows become entities. A family file declares a constexpr
// array of QueryTransform and registers it with register_query_transforms<kArray>(registry);
// each element gets its own TransformRun (a template instantiation), so the registry's plain
// function pointers need no state.
//
// Row contract of `sql`: column 0 = the entity value (rows with an empty value are skipped),
// columns 1..counts = integers shown in the link label ("3 queries\n2 clients\n1024 bytes"),
// the remaining columns = the `extra` properties in order (empty texts are left out).
// `?1` is the input value (bound, never spliced into the SQL); case-input transforms take no
// parameter. A column alias must not equal a column name of the table (SQLite resolves the
// column first in WHERE and GROUP BY); group by position then. Every ORDER BY must be total (ties
// broken by the value) so output is deterministic.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include "transforms/registry.h"

namespace netcap::catalog {

enum class QueryInput {
  kCase,    // netcap.PCAP; no parameter
  kIP,      // registered twice: netcap.<Name> (IPv4) and netcap.<Name>IPv6
  kEntity,  // `input_entity`, value or `input_properties`
};

// Output id that means "maltego.IPv4Address or maltego.IPv6Address by the value" (add_ip_entity).
inline constexpr std::string_view kIPOutput = "ip";

struct CountLabel {
  std::string_view one;   // "query"
  std::string_view many;  // "queries"
};

// One branch of a union over optional tables: `sql` is used only when `table` exists.
struct UnionSource {
  std::string_view table;
  std::string_view sql;
};

// Source tables a union transform may combine (logins: FTP, Telnet, mail, SMB, SIP, MySQL, ...).
inline constexpr size_t kMaxUnionSources = 12;

struct QueryTransform {
  std::string_view name;         // without "netcap.": "ToDNSQuestions"
  std::string_view display;      // without " [NETCAP]": "To DNS Questions"
  std::string_view description;  // one sentence for the Maltego UI
  QueryInput input = QueryInput::kCase;
  std::string_view input_entity;                       // kEntity only
  std::array<std::string_view, 2> input_properties{};  // tried when the value is empty
  // All must exist in the index, else the answer is empty (the protocol was never seen).
  std::array<std::string_view, 2> tables{};
  std::string_view sql;
  // When sources[0] is set, "{sources}" in `sql` is replaced by the UNION ALL of the sources
  // whose table exists (constant text only; no source present: empty answer).
  std::array<UnionSource, kMaxUnionSources> sources{};
  std::string_view output;                  // an entities:: id, or kIPOutput
  std::string_view value_property;          // ignored for kIPOutput
  std::array<CountLabel, 3> counts{};       // empty `one` ends the list
  std::array<std::string_view, 8> extra{};  // empty name ends the list
  // Precomputed answers (precomputed_answers.h). A case transform's `sql` is always
  // precomputed when a capture ends. An input transform is precomputed when `by_input_sql` is
  // set: `sql` for every input at once, as column 0 named InputKey followed by `sql`'s columns,
  // ordered by InputKey and then as `sql` orders; `input_key` is what InputKey must equal
  // (as `sql` compares the input: "?1", "lower(?1)").
  std::string_view by_input_sql;
  std::string_view input_key = "?1";
};

// Runs `spec` for one request (shared by every instantiation).
Status run_query_transform(const QueryTransform& spec, const TransformContext& context,
                           const maltego::TransformRequest& request,
                           maltego::TransformResponse& response);

// Adds `spec` (both address families for kIP) with `run` as its function.
Status add_query_transform(TransformRegistry& registry, const QueryTransform& spec,
                           TransformRun run);

namespace detail {

template <const auto& kSpecs, size_t kIndex>
Status run_one(const TransformContext& context, const maltego::TransformRequest& request,
               maltego::TransformResponse& response) {
  return run_query_transform(kSpecs[kIndex], context, request, response);
}

template <const auto& kSpecs, size_t... kIndices>
Status add_all(TransformRegistry& registry, std::index_sequence<kIndices...>) {
  Status status = Status::ok();
  // Stops at the first failure (&& short-circuits the fold).
  ((status = add_query_transform(registry, kSpecs[kIndices], &run_one<kSpecs, kIndices>),
    static_cast<bool>(status)) &&
   ...);
  return status;
}

}  // namespace detail

// Registers every element of a constexpr QueryTransform array with static storage.
template <const auto& kSpecs>
Status register_query_transforms(TransformRegistry& registry) {
  constexpr size_t kCount = std::size(kSpecs);
  return detail::add_all<kSpecs>(registry, std::make_index_sequence<kCount>{});
}

}  // namespace netcap::catalog
