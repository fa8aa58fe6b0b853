// Tests of transforms/catalog/credential_transforms.cc: a small case index of hand-built
// Credentials records is written through the real index sink, the transforms run through the
// registry and their answers are compared with values worked out by hand from those records.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/sinks/record_sink.h"
#include "entities/entity_catalog.h"
#include "proto/credentials.pb.h"
#include "transforms/maltego/response.h"
#include "transforms/registry.h"

namespace fs = std::filesystem;
using namespace netcap;

namespace {

struct Got {
  std::string type, value, label;
  std::map<std::string, std::string> properties;
};

Credentials cred(const std::string& service, const std::string& client, const std::string& server,
                 int port, const std::string& user, const std::string& secret,
                 const std::string& hash, int mode, const std::string& method,
                 const std::string& result) {
  Credentials c;
  c.set_service(service);
  c.set_clientip(client);
  c.set_serverip(server);
  c.set_serverport(port);
  c.set_user(user);
  c.set_secret(secret);
  c.set_hash(hash);
  c.set_hashcatmode(mode);
  c.set_method(method);
  c.set_result(result);
  return c;
}

const std::string& case_dir() {
  struct Case {
    fs::path path =
        fs::temp_directory_path() / ("netcap-cred-transform-tests-" + std::to_string(getpid()));
    Case() {
      SinkOptions options;
      options.case_dir = path.string();
      options.input_source = "credential_transform_tests";
      auto sink = open_index_sink(options);
      REQUIRE(sink);
      const Credentials records[] = {
          cred("ftp", "10.0.0.1", "10.0.0.9", 21, "bob", "pw1", "", 0, "user/pass", "rejected"),
          cred("ftp", "10.0.0.1", "10.0.0.9", 21, "bob", "pw2", "", 0, "user/pass", "accepted"),
          cred("ftp", "10.0.0.2", "10.0.0.9", 21, "bob", "pw2", "", 0, "user/pass", "accepted"),
          cred("http", "10.0.0.2", "10.0.0.8", 80, "alice", "", "alice::D:1122:aa:bb", 5600,
               "ntlmv2", ""),
      };
      for (const auto& r : records) REQUIRE((*sink)->write(r));
      REQUIRE((*sink)->flush());
      REQUIRE((*sink)->close());
    }
    ~Case() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Case instance;
  static const std::string dir = instance.path.string();
  return dir;
}

const TransformRegistry& registry() {
  static const TransformRegistry instance = [] {
    auto built = build_transform_registry();
    REQUIRE(built);
    return std::move(*built);
  }();
  return instance;
}

std::vector<Got> run(const std::string& id, const std::string& value) {
  const TransformSpec* spec = registry().find(id);
  INFO(id);
  REQUIRE(spec != nullptr);
  maltego::TransformRequest request;
  request.type = spec->input_entity;
  request.value = value;
  request.properties.push_back({std::string(entities::kCaseProperty), {}, {}, case_dir()});
  maltego::TransformResponse response;
  Status status = execute_transform(*spec, request, 1000, response);
  INFO(status.message());
  REQUIRE(status);
  std::vector<Got> out;
  for (const maltego::ResponseEntity& entity : response.entities) {
    Got got{entity.type, entity.value, "", {}};
    for (const auto& property : entity.properties) {
      if (property.name == maltego::kLinkLabel) {
        got.label = property.value;
      } else {
        got.properties[property.name] = property.value;
      }
    }
    out.push_back(std::move(got));
  }
  return out;
}

}  // namespace

TEST_CASE("ToCredentials groups attempts by service and user") {
  auto got = run("netcap.ToCredentials", case_dir());
  REQUIRE(got.size() == 2);
  CHECK(got[0].type == entities::kNetcapCredentials);
  CHECK(got[0].value == "ftp: bob");
  CHECK(got[0].label == "3 attempts\n2 clients\n2 accepted");
  CHECK(got[0].properties["properties.password"] == "pw2");
  CHECK(got[0].properties["properties.result"] == "accepted");  // one attempt passed
  CHECK(got[1].value == "http: alice");
  CHECK(got[1].properties["properties.hash"] == "alice::D:1122:aa:bb");
  CHECK(got[1].properties["properties.hashcatmode"] == "5600");
}

TEST_CASE("credentials of a client, a server, a service and a user") {
  auto host = run("netcap.ToCredentialsForHost", "10.0.0.2");
  REQUIRE(host.size() == 2);
  CHECK(host[0].label == "1 attempt\n1 client\n1 accepted");
  auto server = run("netcap.ToCredentialsForServer", "10.0.0.8");
  REQUIRE(server.size() == 1);
  CHECK(server[0].value == "http: alice");
  auto service = run("netcap.ToCredentialsForService", "10.0.0.9:21/tcp");
  REQUIRE(service.size() == 1);
  CHECK(service[0].value == "ftp: bob");
  auto user = run("netcap.ToCredentialsForUser", "alice");
  REQUIRE(user.size() == 1);
  CHECK(user[0].value == "http: alice");
}

TEST_CASE("users, secrets and hashes") {
  auto users = run("netcap.ToCredentialUsers", case_dir());
  REQUIRE(users.size() == 2);
  CHECK(users[0].type == entities::kAlias);
  CHECK(users[0].value == "bob");
  CHECK(users[0].label == "3 attempts\n2 clients");
  auto secrets = run("netcap.ToCredentialSecrets", case_dir());
  REQUIRE(secrets.size() == 2);
  CHECK(secrets[0].value == "pw2");
  CHECK(secrets[0].label == "2 attempts\n1 user");
  auto hashes = run("netcap.ToCredentialHashes", case_dir());
  REQUIRE(hashes.size() == 1);
  CHECK(hashes[0].type == entities::kHash);
  CHECK(hashes[0].value == "alice::D:1122:aa:bb");
  CHECK(hashes[0].properties["properties.hashcatmode"] == "5600");
}
