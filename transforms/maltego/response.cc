#include "transforms/maltego/response.h"

namespace netcap::maltego {
namespace {

class Writer {
 public:
  explicit Writer(OutputEncoding encoding) : encoding_(encoding) {}

  // Opens <name a1="v1" ...>; attributes must already be in ascending byte order of their
  // names (spec §2.6 rule 3).
  void open(std::string_view name,
            std::initializer_list<std::pair<std::string_view, std::string_view>> attributes = {}) {
    out_.push_back('<');
    out_.append(name);
    for (const auto& [key, value] : attributes) {
      out_.push_back(' ');
      out_.append(key);
      out_.append("=\"");
      append_escaped_attribute(&out_, sanitize_for_xml(value), encoding_);
      out_.push_back('"');
    }
    out_.push_back('>');
  }
  void close(std::string_view name) {
    out_.append("</");
    out_.append(name);
    out_.push_back('>');
  }
  void text(std::string_view value) {
    append_escaped_text(&out_, sanitize_for_xml(value), encoding_);
  }
  void element(std::string_view name, std::string_view value) {
    open(name);
    text(value);
    close(name);
  }
  std::string take() { return std::move(out_); }

 private:
  OutputEncoding encoding_;
  std::string out_;
};

void write_entity(Writer* w, const ResponseEntity& e) {
  w->open("Entity", {{"Type", e.type.empty() ? kDefaultEntityType : std::string_view(e.type)}});
  w->element("Value", e.value);
  w->element("Weight", std::to_string(e.weight));
  if (!e.labels.empty()) {
    w->open("DisplayInformation");
    for (const DisplayLabel& l : e.labels) {
      w->open("Label", {{"Name", l.name}, {"Type", l.type}});
      w->text(l.content);
      w->close("Label");
    }
    w->close("DisplayInformation");
  }
  bool any_named = false;
  for (const ResponseProperty& p : e.properties) any_named = any_named || !p.name.empty();
  if (any_named) {
    w->open("AdditionalFields");
    for (const ResponseProperty& p : e.properties) {
      if (p.name.empty()) continue;  // spec §2.6 rule 7: never write a nameless field
      w->open("Field",
              {{"DisplayName", p.display_name ? *p.display_name : p.name},
               {"MatchingRule", p.matching_rule == MatchingRule::kStrict ? "strict" : "loose"},
               {"Name", p.name}});
      w->text(p.value);
      w->close("Field");
    }
    w->close("AdditionalFields");
  }
  if (!e.overlays.empty()) {
    w->open("Overlays");
    for (const Overlay& o : e.overlays) {
      w->open("Overlay",
              {{"position", o.position}, {"propertyName", o.property_name}, {"type", o.type}});
      w->close("Overlay");
    }
    w->close("Overlays");
  }
  if (!e.icon_url.empty()) w->element("IconURL", e.icon_url);
  w->close("Entity");
}

}  // namespace

ResponseEntity& ResponseEntity::add_property(std::string name, std::string value,
                                             std::optional<std::string> display_name,
                                             MatchingRule rule) {
  properties.push_back({std::move(name), std::move(display_name), rule, std::move(value)});
  return *this;
}

ResponseEntity& ResponseEntity::set_link_label(std::string label) {
  return add_property(std::string(kLinkLabel), std::move(label), "Label");
}
ResponseEntity& ResponseEntity::set_link_color(std::string rgb) {
  return add_property(std::string(kLinkColor), std::move(rgb), "LinkColor");
}
ResponseEntity& ResponseEntity::set_link_style(int style) {
  return add_property(std::string(kLinkStyle), std::to_string(style), "LinkStyle");
}
ResponseEntity& ResponseEntity::set_link_thickness(int thickness) {
  return add_property(std::string(kLinkThickness), std::to_string(thickness), "Thickness");
}
ResponseEntity& ResponseEntity::set_note(std::string note) {
  return add_property(std::string(kNotes), std::move(note), "Notes");
}
ResponseEntity& ResponseEntity::set_bookmark(int colour) {
  return add_property(std::string(kBookmark), std::to_string(colour), "Bookmark");
}
ResponseEntity& ResponseEntity::reverse_link() {
  return add_property(std::string(kLinkDirection), "output-to-input");
}

ResponseEntity& TransformResponse::add_entity(std::string type, std::string value) {
  ResponseEntity e;
  e.type = std::move(type);
  e.value = std::move(value);
  entities.push_back(std::move(e));
  return entities.back();
}

void TransformResponse::add_message(std::string_view type, std::string text) {
  messages.push_back({std::string(type), std::move(text)});
}

bool truncate_to_limit(TransformResponse* response, int limit) {
  if (limit <= 0) return false;
  const size_t total = response->entities.size();
  if (total <= static_cast<size_t>(limit)) return false;
  response->entities.resize(static_cast<size_t>(limit));
  const std::string l = std::to_string(limit);
  response->add_message(
      kInform, "Returned " + l + " of " + std::to_string(total) + " results (limit " + l + ").");
  return true;
}

std::string serialize_response(const TransformResponse& response, OutputEncoding encoding) {
  Writer w(encoding);
  w.open("MaltegoMessage");
  w.open("MaltegoTransformResponseMessage");
  w.open("Entities");
  for (const ResponseEntity& e : response.entities) write_entity(&w, e);
  w.close("Entities");
  w.open("UIMessages");
  for (const UiMessage& m : response.messages) {
    w.open("UIMessage", {{"MessageType", m.type}});
    w.text(m.text);
    w.close("UIMessage");
  }
  w.close("UIMessages");
  w.close("MaltegoTransformResponseMessage");
  w.close("MaltegoMessage");
  return w.take();
}

std::string serialize_exception(const std::vector<TransformException>& exceptions,
                                OutputEncoding encoding) {
  Writer w(encoding);
  w.open("MaltegoMessage");
  w.open("MaltegoTransformExceptionMessage");
  w.open("Exceptions");
  for (const TransformException& e : exceptions) {
    if (e.code) {
      w.open("Exception", {{"code", *e.code}});
    } else {
      w.open("Exception");
    }
    w.text(e.text);
    w.close("Exception");
  }
  w.close("Exceptions");
  w.close("MaltegoTransformExceptionMessage");
  w.close("MaltegoMessage");
  return w.take();
}

std::string serialize_exception(std::string_view text, OutputEncoding encoding) {
  return serialize_exception(std::vector<TransformException>{{std::string(text), std::nullopt}},
                             encoding);
}

}  // namespace netcap::maltego
