// The register_* functions of transforms/catalog/, one per family of transforms.
#pragma once

#include "transforms/registry.h"

namespace netcap::catalog {

Status register_case_transforms(TransformRegistry& registry);   // case_transforms.cc
Status register_alert_transforms(TransformRegistry& registry);  // alert_transforms.cc
Status register_host_transforms(TransformRegistry& registry);   // host_transforms.cc
Status register_pivot_transforms(TransformRegistry& registry);  // pivot_transforms.cc
// Application-protocol families (table-driven, query_transform.h).
Status register_dns_transforms(TransformRegistry& registry);             // dns_transforms.cc
Status register_http_transforms(TransformRegistry& registry);            // http_transforms.cc
Status register_tls_transforms(TransformRegistry& registry);             // tls_transforms.cc
Status register_ssh_transforms(TransformRegistry& registry);             // ssh_transforms.cc
Status register_dhcp_transforms(TransformRegistry& registry);            // dhcp_transforms.cc
Status register_mail_transforms(TransformRegistry& registry);            // mail_transforms.cc
Status register_login_transforms(TransformRegistry& registry);           // login_transforms.cc
Status register_credential_transforms(TransformRegistry& registry);      // credential_transforms.cc
Status register_sip_smb_transforms(TransformRegistry& registry);         // sip_smb_transforms.cc
Status register_kerberos_sql_transforms(TransformRegistry& registry);  // kerberos_sql_transforms.cc
Status register_profile_transforms(TransformRegistry& registry);         // profile_transforms.cc
Status register_file_transforms(TransformRegistry& registry);            // file_transforms.cc
Status register_slice_transforms(TransformRegistry& registry);           // slice_transforms.cc
Status register_distribution_transforms(TransformRegistry& registry);  // distribution_transforms.cc

}  // namespace netcap::catalog
