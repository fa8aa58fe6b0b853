#include "cli/args.h"

#include <charconv>
#include <optional>
#include <ostream>

namespace netcap::cli {

std::string ParsedArgs::get(std::string_view name, std::string_view fallback) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->second.empty()) return std::string(fallback);
  return it->second.back();
}

std::vector<std::string> ParsedArgs::values(std::string_view name) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Expected<int64_t> ParsedArgs::get_int(std::string_view name, int64_t fallback, int64_t min,
                                      int64_t max) const {
  if (!has(name)) return fallback;
  std::string text = get(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::error("--" + std::string(name) + " wants an integer, got '" + text + "'");
  }
  if (value < min || value > max) {
    return Status::error("--" + std::string(name) + " must be between " + std::to_string(min) +
                         " and " + std::to_string(max) + ", got " + text);
  }
  return value;
}

Expected<ParsedArgs> parse_args(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs parsed;
  auto find_long = [&](std::string_view name) -> const OptionSpec* {
    for (const OptionSpec& o : spec.options) {
      if (o.name == name) return &o;
    }
    return nullptr;
  };
  auto find_short = [&](char c) -> const OptionSpec* {
    for (const OptionSpec& o : spec.options) {
      if (o.short_name == c && c != 0) return &o;
    }
    return nullptr;
  };
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      parsed.help_ = true;
      return parsed;
    }
    const OptionSpec* option = nullptr;
    std::string display;
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0) {
      std::string body = arg.substr(2);
      if (size_t eq = body.find('='); eq != std::string::npos) {
        inline_value = body.substr(eq + 1);
        body.resize(eq);
      }
      option = find_long(body);
      display = "--" + body;
    } else if (arg.size() == 2) {
      option = find_short(arg[1]);
      display = arg;
    } else if (arg[1] >= '0' && arg[1] <= '9') {
      // "-5": a negative number is a positional.
      parsed.positionals_.push_back(arg);
      continue;
    } else {
      display = arg;
    }
    if (option == nullptr) return Status::error("unknown option " + display);
    std::string value;
    if (option->value_name.empty()) {
      if (inline_value) return Status::error("option " + display + " takes no value");
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= args.size()) {
        return Status::error("option " + display + " needs a value (" + option->value_name + ")");
      }
      value = args[++i];
    }
    auto& slot = parsed.values_[option->name];
    if (!slot.empty() && !option->repeated) {
      return Status::error("option --" + option->name + " given more than once");
    }
    slot.push_back(std::move(value));
  }
  size_t required = 0;
  for (const PositionalSpec& p : spec.positionals) required += p.required ? 1 : 0;
  if (parsed.positionals_.size() < required) {
    return Status::error("missing " + spec.positionals[parsed.positionals_.size()].name);
  }
  const bool last_repeats = !spec.positionals.empty() && spec.positionals.back().repeated;
  if (parsed.positionals_.size() > spec.positionals.size() && !last_repeats) {
    return Status::error("unexpected argument '" + parsed.positionals_[spec.positionals.size()] +
                         "'");
  }
  return parsed;
}

namespace {

// Indents every line of `text` by `indent` spaces.
void append_indented(const std::string& text, int indent, std::string* out) {
  std::string pad(indent, ' ');
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (!line.empty()) {
      out->append(pad);
      out->append(line);
    }
    out->push_back('\n');
    start = end + 1;
  }
}

}  // namespace

std::string format_help(const CommandSpec& spec) {
  std::string out;
  out += "NAME\n    netcap " + spec.name + " - " + spec.summary + "\n\n";
  out +=
      "SYNOPSIS\n    netcap " + spec.name + (spec.usage.empty() ? "" : " " + spec.usage) + "\n\n";
  if (!spec.description.empty()) {
    out += "DESCRIPTION\n";
    append_indented(spec.description, 4, &out);
    out += "\n";
  }
  if (!spec.positionals.empty()) {
    out += "ARGUMENTS\n";
    for (const PositionalSpec& p : spec.positionals) {
      out += "    " + p.name + (p.repeated ? "..." : "") + (p.required ? "" : " (optional)") + "\n";
      append_indented(p.help, 8, &out);
    }
    out += "\n";
  }
  out += "OPTIONS\n";
  for (const OptionSpec& o : spec.options) {
    std::string line = "    ";
    if (o.short_name != 0) line += std::string("-") + o.short_name + ", ";
    line += "--" + o.name;
    if (!o.value_name.empty()) line += " " + o.value_name;
    out += line + "\n";
    std::string help = o.help;
    if (o.repeated) help += " May be repeated.";
    if (!o.default_text.empty()) help += " (default: " + o.default_text + ")";
    append_indented(help, 8, &out);
  }
  out += "    -h, --help\n        Show this help and exit.\n\n";
  if (!spec.examples.empty()) {
    out += "EXAMPLES\n";
    append_indented(spec.examples, 4, &out);
    out += "\n";
  }
  out += "EXIT STATUS\n";
  append_indented(spec.exit_status.empty()
                      ? "0 on success, 1 when the command fails, 2 for a bad command line."
                      : spec.exit_status,
                  4, &out);
  return out;
}

bool parse_or_report(const CommandSpec& spec, const std::vector<std::string>& args,
                     ParsedArgs* parsed, int* exit_code, std::ostream& out, std::ostream& err) {
  auto result = parse_args(spec, args);
  if (!result) {
    err << "netcap " << spec.name << ": " << result.status().message() << "\n"
        << "try 'netcap " << spec.name << " --help'\n";
    *exit_code = kExitUsage;
    return false;
  }
  if (result->help_requested()) {
    out << format_help(spec);
    *exit_code = kExitOk;
    return false;
  }
  *parsed = std::move(result).value();
  return true;
}

bool parse_listen(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) return false;
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return false;
  const std::string p = text.substr(colon + 1);
  if (p.size() > 5) return false;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
  }
  const int value = std::stoi(p);
  if (value > 65535) return false;
  *host = h;
  *port = value;
  return true;
}

}  // namespace netcap::cli
