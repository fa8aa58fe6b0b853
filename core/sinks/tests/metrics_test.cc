#include "core/sinks/metrics.h"

#include <catch2/catch.hpp>
#include <string>

#include "proto/anomaly.pb.h"
#include "proto/connection.pb.h"
#include "proto/http.pb.h"

namespace netcap {
namespace {

TEST_CASE("metrics store renders the text exposition format, sorted, with HELP and TYPE") {
  MetricsStore store;
  store.set("nc_b", "second family", MetricType::kGauge, {}, 2.5);
  store.add("nc_a_total", "first\nfamily", MetricType::kCounter, {{"k", "z"}}, 1);
  store.add("nc_a_total", "ignored once created", MetricType::kCounter, {{"k", "a"}}, 3);
  store.add("nc_a_total", "", MetricType::kCounter, {{"k", "a"}}, 4);
  store.set("nc_big_total", "large counters keep every digit", MetricType::kCounter, {},
            123456789012.0);
  const std::string text = store.render();
  CHECK(text ==
        "# HELP nc_a_total first\\nfamily\n"
        "# TYPE nc_a_total counter\n"
        "nc_a_total{k=\"a\"} 7\n"
        "nc_a_total{k=\"z\"} 1\n"
        "# HELP nc_b second family\n"
        "# TYPE nc_b gauge\n"
        "nc_b 2.5\n"
        "# HELP nc_big_total large counters keep every digit\n"
        "# TYPE nc_big_total counter\n"
        "nc_big_total 123456789012\n");
  CHECK(store.value("nc_a_total", {{"k", "a"}}) == 7);
  CHECK(store.value("nc_a_total", {{"k", "missing"}}) == 0);
  CHECK(store.value("nc_missing", {}) == 0);
}

TEST_CASE("metric label values are escaped and kept printable") {
  CHECK(render_metric_labels({}) == "");
  CHECK(render_metric_labels({{"a", "x\"y\\z\nw"}, {"b", std::string("\x01\xff", 2)}}) ==
        "{a=\"x\\\"y\\\\z\\nw\",b=\"??\"}");
}

TEST_CASE("metrics sink counts records per type and per value of metric_label fields") {
  MetricsStore store;
  auto sink = open_metrics_sink(store);
  Connection c;
  c.set_transportproto("tcp");
  c.set_applicationproto("http");
  c.set_connstate("SF");
  c.set_srcip("10.0.0.1");  // not a label field: never a label value
  REQUIRE(sink->write(c).is_ok());
  c.set_applicationproto("tls");
  REQUIRE(sink->write(c).is_ok());
  Anomaly a;
  a.set_name("tcp.overlap_mismatch");
  REQUIRE(sink->write(a).is_ok());
  HTTP h;
  h.set_method("GET");
  h.set_statuscode(404);
  REQUIRE(sink->write(h).is_ok());

  // Nothing is published before the batch ends.
  CHECK(store.value("nc_records_total", {{"type", "Connection"}}) == 0);
  REQUIRE(sink->flush().is_ok());
  CHECK(store.value("nc_records_total", {{"type", "Connection"}}) == 2);
  CHECK(store.value("nc_records_total", {{"type", "Anomaly"}}) == 1);
  const auto value = [&](const char* type, const char* field, const char* v) {
    return store.value("nc_record_values_total", {{"type", type}, {"field", field}, {"value", v}});
  };
  CHECK(value("Connection", "ApplicationProto", "http") == 1);
  CHECK(value("Connection", "ApplicationProto", "tls") == 1);
  CHECK(value("Connection", "TransportProto", "tcp") == 2);
  CHECK(value("Connection", "ConnState", "SF") == 2);
  CHECK(value("Anomaly", "Name", "tcp.overlap_mismatch") == 1);
  CHECK(value("HTTP", "StatusCode", "404") == 1);
  CHECK(value("HTTP", "Method", "GET") == 1);
  CHECK(store.render().find("10.0.0.1") == std::string::npos);

  // Counts accumulate across batches; a second flush with nothing new changes nothing.
  REQUIRE(sink->write(c).is_ok());
  REQUIRE(sink->flush().is_ok());
  REQUIRE(sink->flush().is_ok());
  CHECK(value("Connection", "ApplicationProto", "tls") == 2);
  CHECK(store.value("nc_records_total", {{"type", "Connection"}}) == 3);
  REQUIRE(sink->close().is_ok());
}

TEST_CASE("metrics sink bounds the distinct values of a field and counts the overflow") {
  MetricsStore store(3);
  auto sink = open_metrics_sink(store);
  Anomaly a;
  for (int i = 0; i < 10; ++i) {
    a.set_name("hostile." + std::to_string(i));
    REQUIRE(sink->write(a).is_ok());
  }
  a.set_name("hostile.1");  // a kept value is still counted under its own name
  REQUIRE(sink->write(a).is_ok());
  REQUIRE(sink->close().is_ok());  // close publishes what is pending
  const auto value = [&](const std::string& v) {
    return store.value("nc_record_values_total",
                       {{"type", "Anomaly"}, {"field", "Name"}, {"value", v}});
  };
  CHECK(value("hostile.0") == 1);
  CHECK(value("hostile.1") == 2);
  CHECK(value("hostile.2") == 1);
  CHECK(value("hostile.3") == 0);
  CHECK(value("_other") == 7);
  CHECK(store.value("nc_record_values_overflow_total", {{"type", "Anomaly"}, {"field", "Name"}}) ==
        7);
  CHECK(store.value("nc_records_total", {{"type", "Anomaly"}}) == 11);
}

}  // namespace
}  // namespace netcap
