// libFuzzer target: the Maltego request parser must never crash, whatever the body, and a
// successfully parsed request must survive a round trip through the serializer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transforms/maltego/local_arguments.h"
#include "transforms/maltego/request.h"
#include "transforms/maltego/response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace netcap::maltego;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  ParseLimits limits;
  limits.max_body_bytes = 1 << 20;
  RequestError error = RequestError::kNone;
  auto request = parse_request(body, limits, &error);
  if (request) {
    // Echo the input back as an entity: exercises sanitisation/escaping on parsed strings.
    TransformResponse response;
    ResponseEntity& e = response.add_entity(request->effective_type(), request->value);
    for (const RequestProperty& p : request->properties) {
      e.add_property(p.name, p.value, p.display_name);
    }
    (void)serialize_response(response, OutputEncoding::kAsciiSafe);
    (void)request->effective_limit();
  } else {
    (void)serialize_exception(request.status().message());
  }
  (void)parse_property_string(body);
  return 0;
}
