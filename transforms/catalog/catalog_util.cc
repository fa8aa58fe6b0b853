#include "transforms/catalog/catalog_util.h"

#include <arpa/inet.h>

#include <array>
#include <variant>
#include <vector>

#include "entities/entity_catalog.h"

namespace netcap::catalog {

Expected<ResultSet> query(const TransformContext& context, std::string_view sql,
                          std::initializer_list<SqlValue> params,
                          maltego::TransformResponse& response) {
  std::vector<SqlValue> bound(params);
  Expected<ResultSet> result = run_query(context.index.db(), sql, bound, kMaxQueryRows);
  if (!result) return Status(result.status()).with_context("querying the case index");
  if (result->truncated) {
    response.add_message(maltego::kPartialError, "Only the first " + std::to_string(kMaxQueryRows) +
                                                     " rows of the case index were read.");
  }
  return result;
}

std::string text_of(const SqlValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
  if (const auto* real = std::get_if<double>(&value)) return std::to_string(*real);
  if (const auto* blob = std::get_if<SqlBlob>(&value)) return blob->bytes;
  return "";
}

int64_t int_of(const SqlValue& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<int64_t>(*real);
  return 0;
}

Expected<std::string> input_value(const maltego::TransformRequest& request,
                                  std::initializer_list<std::string_view> properties) {
  if (!request.value.empty()) return request.value;
  for (std::string_view name : properties) {
    const std::string* value = request.property(name);
    if (value != nullptr && !value->empty()) return *value;
  }
  return Status::error("the input entity has no value");
}

std::string plural(int64_t count, std::string_view singular, std::string_view plural_word) {
  return std::to_string(count) + " " + std::string(count == 1 ? singular : plural_word);
}

std::optional<std::string> property_display_name(std::string_view type, std::string_view name) {
  const entities::EntitySpec* spec = entities::find_entity(type);
  if (spec == nullptr) return std::nullopt;
  for (const entities::PropertySpec& property : spec->properties) {
    if (property.name == name) return std::string(property.display_name);
  }
  return std::nullopt;
}

maltego::ResponseEntity& add_entity(maltego::TransformResponse& response,
                                    const TransformContext& context, std::string_view type,
                                    std::string_view value_property, std::string value) {
  maltego::ResponseEntity& entity = response.add_entity(std::string(type), value);
  entity.add_property(std::string(value_property), std::move(value),
                      property_display_name(type, value_property));
  entity.add_property(std::string(entities::kCaseProperty), context.case_dir, "Case directory");
  return entity;
}

bool is_internal_address(const std::string& ip) {
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, ip.c_str(), bytes.data()) == 1) {
    const unsigned a = bytes[0], b = bytes[1];
    return a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
           (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127);
  }
  if (inet_pton(AF_INET6, ip.c_str(), bytes.data()) == 1) {
    bool loopback = bytes[15] == 1;
    for (size_t i = 0; i < 15; ++i) loopback = loopback && bytes[i] == 0;
    return loopback || (bytes[0] & 0xfe) == 0xfc || (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80);
  }
  return false;
}

maltego::ResponseEntity& add_ip_entity(maltego::TransformResponse& response,
                                       const TransformContext& context, const std::string& ip) {
  const bool v6 = ip.find(':') != std::string::npos;
  maltego::ResponseEntity& entity =
      add_entity(response, context, v6 ? entities::kIPv6Address : entities::kIPv4Address,
                 v6 ? entities::kIPv6Property : entities::kIPv4Property, ip);
  entity.add_property(std::string(entities::kInternalProperty),
                      is_internal_address(ip) ? "true" : "false", "Internal");
  return entity;
}

}  // namespace netcap::catalog
