// Helpers shared by the transforms in transforms/catalog/: bound-parameter queries over the case
// index and builders for the entities every transform emits (each carries the case directory).
// Pure functions over their arguments; no state.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/sinks/case_index.h"
#include "transforms/maltego/request.h"
#include "transforms/maltego/response.h"
#include "transforms/registry.h"

namespace netcap::catalog {

// Upper bound on rows one transform reads (grouped queries stay far below it); a result cut
// here gets a PartialError message.
inline constexpr size_t kMaxQueryRows = 1'000'000;

// Runs `sql` with the bound parameters (?1, ?2, ...). Rows beyond kMaxQueryRows are dropped
// and noted in `response`.
Expected<ResultSet> query(const TransformContext& context, std::string_view sql,
                          std::initializer_list<SqlValue> params,
                          maltego::TransformResponse& response);

std::string text_of(const SqlValue& value);  // "" for NULL, decimal for numbers
int64_t int_of(const SqlValue& value);       // 0 for NULL/TEXT

// The input entity's value, else the first of `properties` present. Error if all are empty.
Expected<std::string> input_value(const maltego::TransformRequest& request,
                                  std::initializer_list<std::string_view> properties);

// The catalog's display name of property `name` of entity `type`; nullopt if not declared.
std::optional<std::string> property_display_name(std::string_view type, std::string_view name);

// "1 conn", "3 conns" style counts.
std::string plural(int64_t count, std::string_view singular, std::string_view plural_word);

// An entity of catalog type `type` whose value is also written to `value_property`, plus the
// case directory.
maltego::ResponseEntity& add_entity(maltego::TransformResponse& response,
                                    const TransformContext& context, std::string_view type,
                                    std::string_view value_property, std::string value);

// maltego.IPv6Address when the address contains ':', maltego.IPv4Address otherwise; sets the
// value property and ipaddress.internal (RFC 1918/6598/loopback/link-local, RFC 4193/4291).
maltego::ResponseEntity& add_ip_entity(maltego::TransformResponse& response,
                                       const TransformContext& context, const std::string& ip);

bool is_internal_address(const std::string& ip);

}  // namespace netcap::catalog
