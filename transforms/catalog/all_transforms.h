// The register_* functions of transforms/catalog/, one per family of transforms.
#pragma once

#include "transforms/registry.h"

namespace netcap::catalog {

Status register_case_transforms(TransformRegistry& registry);   // case_transforms.cc
Status register_host_transforms(TransformRegistry& registry);   // host_transforms.cc
Status register_pivot_transforms(TransformRegistry& registry);  // pivot_transforms.cc

}  // namespace netcap::catalog
