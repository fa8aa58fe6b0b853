// The one list of transform families; build_transform_registry() adds them in this order.
#include "transforms/catalog/all_transforms.h"

namespace netcap {

Expected<TransformRegistry> build_transform_registry() {
  static constexpr RegisterFunction kFamilies[] = {
      catalog::register_case_transforms,         catalog::register_host_transforms,
      catalog::register_pivot_transforms,        catalog::register_dns_transforms,
      catalog::register_http_transforms,         catalog::register_tls_transforms,
      catalog::register_ssh_transforms,          catalog::register_dhcp_transforms,
      catalog::register_mail_transforms,         catalog::register_login_transforms,
      catalog::register_credential_transforms,   catalog::register_sip_smb_transforms,
      catalog::register_profile_transforms,      catalog::register_file_transforms,
      catalog::register_slice_transforms,        catalog::register_distribution_transforms,
      catalog::register_kerberos_sql_transforms, catalog::register_alert_transforms,
  };
  TransformRegistry registry;
  for (RegisterFunction add_family : kFamilies) {
    Status status = add_family(registry);
    if (!status) return status;
  }
  return registry;
}

}  // namespace netcap
