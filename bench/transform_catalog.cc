// Benchmark: the latency of every transform of the catalog, each POSTed to a running
// `netcap serve` as a TDS request, and the cost of Go netcap's way of answering a transform
// (decode the whole audit record file of the type it reads) measured on the same case.
//
// usage: transform_catalog CASE_DIR PORT [REPEAT [MEDIANS_TSV]]
//   CASE_DIR  a case written by `netcap capture` with its records/<Type>.ncap.gz files
//   PORT      the loopback port `netcap serve CASE_DIR` listens on
//   REPEAT    requests per transform (default 5)
//   MEDIANS_TSV  where to write every transform's median latency, slowest first
// Inputs: the case entity for case transforms; for the others the first entity of their input
// type that the case transforms (and one more hop) return, as an analyst would click through.
// Prints a human summary and one JSON line (prefixed "json: ") with the figures.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/sinks/ncap_reader.h"
#include "entities/entity_catalog.h"
#include "transforms/maltego/text.h"
#include "transforms/registry.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string escaped(const std::string& text) {
  std::string out;
  netcap::maltego::append_escaped_text(&out, netcap::maltego::sanitize_for_xml(text),
                                       netcap::maltego::OutputEncoding::kUtf8);
  return out;
}

std::string request_xml(std::string_view type, const std::string& value,
                        const std::string& case_dir) {
  return "<MaltegoMessage><MaltegoTransformRequestMessage><Entities><Entity Type=\"" +
         std::string(type) + "\"><AdditionalFields><Field Name=\"path\">" + escaped(case_dir) +
         "</Field></AdditionalFields><Value>" + escaped(value) +
         "</Value></Entity></Entities><Limits SoftLimit=\"256\" HardLimit=\"256\"/>"
         "</MaltegoTransformRequestMessage></MaltegoMessage>";
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = static_cast<size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
  return values[index];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: transform_catalog CASE_DIR PORT [REPEAT [MEDIANS_TSV]]\n");
    return 2;
  }
  const std::string case_dir = argv[1];
  const int port = std::atoi(argv[2]);
  const int repeat = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  auto registry = netcap::build_transform_registry();
  if (!registry) {
    std::fprintf(stderr, "registry: %s\n", registry.status().message().c_str());
    return 1;
  }

  // The pool of input values: what the case transforms return, then one more hop.
  std::map<std::string, std::string> pool;
  for (int hop = 0; hop < 2; ++hop) {
    for (const netcap::TransformSpec* spec : registry->list()) {
      netcap::maltego::TransformRequest seed;
      seed.type = spec->input_entity;
      if (spec->input_entity == netcap::entities::kNetcapCase) {
        if (hop == 1) continue;
        seed.value = case_dir;
      } else if (hop == 1 && pool.count(spec->input_entity) > 0) {
        seed.value = pool[spec->input_entity];
        seed.properties.push_back({std::string(netcap::entities::kCaseProperty), {}, {}, case_dir});
      } else {
        continue;
      }
      netcap::maltego::TransformResponse answer;
      if (!netcap::execute_transform(*spec, seed, 256, answer)) continue;
      for (const auto& entity : answer.entities) pool.emplace(entity.type, entity.value);
    }
  }

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  client.set_keep_alive(true);
  // httplib writes the headers and the body separately: without TCP_NODELAY the body waits for
  // the server's delayed ACK (40 ms), which would be measured as transform latency.
  client.set_tcp_nodelay(true);
  std::vector<double> all;
  std::vector<std::pair<double, std::string>> medians;
  size_t skipped = 0, failed = 0;
  for (const netcap::TransformSpec* spec : registry->list()) {
    std::string value = case_dir;
    if (spec->input_entity != netcap::entities::kNetcapCase) {
      auto it = pool.find(spec->input_entity);
      if (it == pool.end()) {
        ++skipped;  // the case has no entity of this input type
        continue;
      }
      value = it->second;
    }
    const std::string body = request_xml(spec->input_entity, value, case_dir);
    std::vector<double> samples;
    for (int i = 0; i < repeat; ++i) {
      const Clock::time_point start = Clock::now();
      auto res = client.Post(("/run/" + spec->id).c_str(), body, "text/xml");
      const double elapsed = ms_since(start);
      if (!res || res->status != 200 ||
          res->body.find("MaltegoTransformExceptionMessage") != std::string::npos) {
        ++failed;
        continue;
      }
      samples.push_back(elapsed);
    }
    if (samples.empty()) continue;
    all.insert(all.end(), samples.begin(), samples.end());
    medians.emplace_back(percentile(samples, 50), spec->id);
  }
  std::sort(medians.rbegin(), medians.rend());
  // Every transform's median, slowest first, for looking into (bench/out/latency-per-transform.tsv
  // when the script passes the path).
  if (argc > 4) {
    if (FILE* tsv = std::fopen(argv[4], "w")) {
      for (const auto& [ms, id] : medians) std::fprintf(tsv, "%.2f\t%s\n", ms, id.c_str());
      std::fclose(tsv);
    }
  }

  // Go netcap's way: every transform decodes the whole record file of its type.
  struct FileCost {
    std::string name;
    uint64_t records = 0;
    double ms = 0;
  };
  std::vector<FileCost> files;
  const std::filesystem::path records_dir = std::filesystem::path(case_dir) / "records";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(records_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 8 || name.substr(name.size() - 8) != ".ncap.gz") continue;
    const Clock::time_point start = Clock::now();
    auto reader = netcap::NcapReader::open(entry.path().string());
    if (!reader) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), reader.status().message().c_str());
      continue;
    }
    auto record = reader->new_record();
    while (true) {
      auto more = reader->next(*record);
      if (!more || !*more) break;
    }
    files.push_back({name, reader->records_read(), ms_since(start)});
  }
  std::sort(files.begin(), files.end(),
            [](const FileCost& a, const FileCost& b) { return a.ms > b.ms; });
  double connection_ms = 0;
  std::vector<double> file_ms;
  for (const FileCost& f : files) {
    file_ms.push_back(f.ms);
    if (f.name == "Connection.ncap.gz") connection_ms = f.ms;
  }

  const double p50 = percentile(all, 50), p90 = percentile(all, 90), p99 = percentile(all, 99);
  const double max = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  std::printf(
      "transforms measured: %zu of %zu (%zu without an input entity in the case), "
      "%d requests each, %zu failed\n",
      medians.size(), registry->size(), skipped, repeat, failed);
  std::printf(
      "latency over the catalog (HTTP, one client): p50 %.2f ms, p90 %.2f ms, "
      "p99 %.2f ms, max %.2f ms (target p99 < 20 ms: %s)\n",
      p50, p90, p99, max, p99 < 20 ? "met" : "NOT met");
  std::printf("slowest transforms (median):");
  for (size_t i = 0; i < medians.size() && i < 5; ++i) {
    std::printf("%s %s %.1f ms", i == 0 ? "" : ",", medians[i].second.c_str(), medians[i].first);
  }
  std::printf("\nGo netcap's way (decode the record file per transform):");
  for (size_t i = 0; i < files.size() && i < 4; ++i) {
    std::printf("%s %s %llu records %.1f ms", i == 0 ? "" : ",", files[i].name.c_str(),
                static_cast<unsigned long long>(files[i].records), files[i].ms);
  }
  std::printf(
      "\n  Connection.ncap.gz (host transforms) %.1f ms = %.0fx our p50; "
      "median over the %zu record files %.1f ms\n",
      connection_ms, p50 > 0 ? connection_ms / p50 : 0, files.size(), percentile(file_ms, 50));
  std::printf(
      "json: {\"transforms\": %zu, \"requests\": %zu, \"failed\": %zu, \"p50_ms\": %.3f, "
      "\"p90_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
      "\"connection_file_ms\": %.3f, \"median_file_ms\": %.3f}\n",
      medians.size(), all.size(), failed, p50, p90, p99, max, connection_ms,
      percentile(file_ms, 50));
  return failed == 0 ? 0 : 1;
}
