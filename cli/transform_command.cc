// netcap transform: Maltego local transforms over a case index (spec
// /work/shared/reference/maltego.md §1) and the list of registered transforms.
// Local mode writes exactly one MaltegoMessage document plus "\n" to stdout (§1.4), every
// diagnostic to stderr, and exits 0 whenever a document was written (§1.5).
#include <exception>
#include <iostream>
#include <string_view>

#include "cli/args.h"
#include "cli/commands.h"
#include "transforms/catalog/precomputed_answers.h"
#include "transforms/maltego/local_arguments.h"
#include "transforms/maltego/response.h"
#include "transforms/registry.h"

namespace netcap {

namespace cli {

namespace {

const CommandSpec& transform_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec;
    spec.name = "transform";
    spec.summary = "run a Maltego transform over a case (local transform mode), list transforms";
    spec.usage =
        "local [--limit=N] [--utf8] TRANSFORM-ID VALUE [PROPERTIES]\n    netcap transform list\n"
        "    netcap transform precompute CASE";
    spec.description =
        "'local' runs one transform the way Maltego's local transform adapter calls it: the\n"
        "transform settings use command = the netcap executable and parameters =\n"
        "'transform local TRANSFORM-ID'; Maltego appends the entity VALUE and the PROPERTIES\n"
        "string (name=value pairs joined by '#', with '\\#', '\\=' and '\\\\' escapes).\n"
        "\n"
        "The case directory (the one 'netcap capture -o CASE' wrote, holding index.db) comes\n"
        "from the input entity: for the case entity (netcap.PCAP) it is the VALUE, for every\n"
        "other entity the 'path' property, which every entity netcap returns carries.\n"
        "\n"
        "Standard output holds exactly one MaltegoMessage XML document followed by a newline:\n"
        "the transform response, or a MaltegoTransformExceptionMessage when the request cannot\n"
        "be answered (unknown transform, missing case, no VALUE). Diagnostics go to standard\n"
        "error. Output is ASCII-safe (characters above U+007F as &#xHEX;) unless --utf8.\n"
        "At most --limit entities are returned; a note says how many there were.\n"
        "Options must come before TRANSFORM-ID; arguments after PROPERTIES are ignored.\n"
        "\n"
        "'list' prints every transform: id, input entity -> output entities, description.\n"
        "\n"
        "'precompute' (re)writes the answers of the transforms that aggregate whole tables\n"
        "into CASE/index.db: 'netcap capture' does this when it ends (unless --no-precompute);\n"
        "run it for a case captured without them or by an older netcap. Transforms answer\n"
        "from the records when a case has no current precomputed answer, only slower.";
    spec.positionals = {
        {"TRANSFORM-ID", "A transform id from 'netcap transform list' (netcap.ToHosts, ...)."},
        {"VALUE", "The input entity's value (taken verbatim)."},
        {"PROPERTIES", "The input entity's properties, 'name=value#name=value'.", false}};
    spec.options = {
        {"limit", 0, "N", "Return at most N entities (local mode).", "10000"},
        {"utf8", 0, "", "Write raw UTF-8 instead of ASCII-safe character references.", ""},
    };
    spec.examples =
        "netcap transform list\n"
        "netcap transform precompute ./case\n"
        "netcap transform local netcap.ToHosts ./case\n"
        "netcap transform local netcap.ToPeers 10.0.0.1 'ipv4-address=10.0.0.1#path=/cases/a'\n"
        "netcap transform local --limit=12 netcap.ToConnectionsForHost 10.0.0.1 'path=./case'";
    spec.exit_status =
        "0 whenever a document was written, including exception documents (Maltego treats\n"
        "any other status as a failed run); 1 if standard output could not be written;\n"
        "2 for a bad command line outside local mode.";
    return spec;
  }();
  return kSpec;
}

// Writes the document and its newline; false if stdout failed.
bool write_document(std::ostream& out, const std::string& document) {
  out << document << '\n';
  out.flush();
  return static_cast<bool>(out);
}

int answer_exception(std::ostream& out, std::ostream& err, const std::string& text,
                     maltego::OutputEncoding encoding) {
  err << "ERROR netcap transform: " << text << "\n";
  return write_document(out, maltego::serialize_exception(text, encoding)) ? kExitOk : kExitFailure;
}

int run_local(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  maltego::OutputEncoding encoding = maltego::OutputEncoding::kAsciiSafe;
  int limit = maltego::kLocalDefaultLimit;
  size_t index = 1;  // args[0] == "local"
  // Spec §1.1: options come before the transform id, so value/properties positions are fixed.
  for (; index < args.size() && args[index].rfind("--", 0) == 0; ++index) {
    const std::string& option = args[index];
    if (option == "--utf8") {
      encoding = maltego::OutputEncoding::kUtf8;
    } else if (option.rfind("--limit=", 0) == 0) {
      const std::string number = option.substr(8);
      int parsed = 0;
      bool valid = !number.empty() && number.size() <= 9;
      for (char c : number) valid = valid && c >= '0' && c <= '9';
      if (valid) parsed = std::stoi(number);
      if (!valid || parsed <= 0) {
        return answer_exception(out, err, "Malformed request: bad --limit '" + number + "'",
                                encoding);
      }
      limit = parsed;
    } else {
      return answer_exception(out, err, "Malformed request: unknown option " + option, encoding);
    }
  }
  if (index >= args.size()) {
    return answer_exception(out, err, "Malformed request: no transform id", encoding);
  }
  const std::string& transform_id = args[index++];
  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) return answer_exception(out, err, registry.status().message(), encoding);
  const TransformSpec* spec = registry->find(transform_id);
  if (spec == nullptr) {
    return answer_exception(out, err, "Unknown transform: " + transform_id, encoding);
  }
  std::vector<std::string_view> rest(args.begin() + static_cast<std::ptrdiff_t>(index), args.end());
  Expected<maltego::LocalArguments> local = maltego::parse_local_arguments(rest);
  if (!local) return answer_exception(out, err, local.status().message(), encoding);
  if (local->ignored_arguments > 0) {
    err << "WARN netcap transform: ignored " << local->ignored_arguments
        << " argument(s) after the property string\n";
  }
  maltego::TransformRequest request;
  request.type = spec->input_entity;  // the .transform binds one input type (spec §1.1)
  request.value = local->value;
  for (auto& [name, value] : local->properties) {
    request.properties.push_back({name, std::nullopt, std::nullopt, value});
  }
  maltego::TransformResponse response;
  Status status = execute_transform(*spec, request, limit, response);
  if (!status) return answer_exception(out, err, status.message(), encoding);
  err << "INFO netcap transform: " << transform_id << " returned " << response.entities.size()
      << " entities\n";
  return write_document(out, maltego::serialize_response(response, encoding)) ? kExitOk
                                                                              : kExitFailure;
}

int run_list(std::ostream& out, std::ostream& err) {
  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) {
    err << "netcap transform: " << registry.status().message() << "\n";
    return kExitFailure;
  }
  for (const TransformSpec* spec : registry->list()) {
    out << spec->id << "  " << spec->input_entity << " ->";
    for (size_t i = 0; i < spec->output_entities.size(); ++i) {
      out << (i == 0 ? " " : ", ") << spec->output_entities[i];
    }
    out << "\n    " << spec->description << "\n";
  }
  return kExitOk;
}

int run_precompute(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) {
    err << "netcap transform precompute: expected one CASE directory\n";
    return kExitUsage;
  }
  Expected<TransformRegistry> registry = build_transform_registry();
  if (!registry) {
    err << "netcap transform: " << registry.status().message() << "\n";
    return kExitFailure;
  }
  if (Expected<CaseIndex> index = CaseIndex::open_read_only(args[1]); !index) {
    err << "netcap transform precompute: " << index.status().message() << "\n";
    return kExitFailure;
  }
  Expected<catalog::PrecomputeReport> report = catalog::precompute_answers(args[1], *registry);
  if (!report) {
    err << "netcap transform precompute: " << report.status().message() << "\n";
    return kExitFailure;
  }
  out << "transform answers: " << report->answers << " precomputed (" << report->rows << " rows); "
      << report->not_in_case << " transforms have no records in this case\n";
  return kExitOk;
}

}  // namespace

int transform_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "local") {
    // Spec §1.5: every failure, even an unexpected exception, is answered with a document.
    try {
      return run_local(args, out, err);
    } catch (const std::exception& e) {
      return answer_exception(out, err, std::string("Internal error: ") + e.what(),
                              maltego::OutputEncoding::kAsciiSafe);
    }
  }
  if (args.empty()) {
    err << "netcap transform: missing 'local', 'list' or 'precompute'\ntry 'netcap transform "
           "--help'\n";
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out << format_help(transform_spec());
    return kExitOk;
  }
  if (args[0] == "precompute") return run_precompute(args, out, err);
  if (args[0] == "list") {
    if (args.size() > 1) {
      err << "netcap transform list: unexpected argument '" << args[1] << "'\n";
      return kExitUsage;
    }
    return run_list(out, err);
  }
  err << "netcap transform: unknown mode '" << args[0]
      << "' (expected 'local', 'list' or 'precompute')\ntry 'netcap transform --help'\n";
  return kExitUsage;
}

}  // namespace cli

int run_transform(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return cli::transform_main(args, std::cout, std::cerr);
}

}  // namespace netcap
