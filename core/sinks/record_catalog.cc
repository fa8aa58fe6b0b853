#include "core/sinks/record_catalog.h"

#include <algorithm>

namespace netcap {

RecordClass record_class_of(const google::protobuf::Descriptor& descriptor) {
  return descriptor.options().GetExtension(record_class);
}

RecordCatalog RecordCatalog::from_files(const std::vector<std::string>& files) {
  namespace pb = google::protobuf;
  RecordCatalog catalog;
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  for (const std::string& file_name : files) {
    const pb::FileDescriptor* file = pool->FindFileByName(file_name);
    if (file == nullptr) continue;
    // Only top-level messages are records; nested types are parts of a record.
    for (int i = 0; i < file->message_type_count(); ++i) {
      const pb::Descriptor* descriptor = file->message_type(i);
      RecordClass cls = record_class_of(*descriptor);
      if (cls == RECORD_CLASS_UNSPECIFIED) continue;
      const pb::Message* prototype = factory->GetPrototype(descriptor);
      if (prototype == nullptr) continue;
      catalog.types_.push_back(RecordType{descriptor->name(), descriptor, cls, prototype});
    }
  }
  std::sort(catalog.types_.begin(), catalog.types_.end(),
            [](const RecordType& a, const RecordType& b) { return a.name < b.name; });
  return catalog;
}

const RecordType* RecordCatalog::find(std::string_view name) const {
  auto it = std::lower_bound(types_.begin(), types_.end(), name,
                             [](const RecordType& t, std::string_view n) { return t.name < n; });
  if (it == types_.end() || it->name != name) return nullptr;
  return &*it;
}

const RecordType* RecordCatalog::find(const google::protobuf::Descriptor* descriptor) const {
  for (const RecordType& type : types_) {
    if (type.descriptor == descriptor) return &type;
  }
  return nullptr;
}

const RecordCatalog& record_catalog() {
  static const RecordCatalog kCatalog = RecordCatalog::from_files(schema_file_names());
  return kCatalog;
}

}  // namespace netcap
