// Transforms over the IDS alerts that `netcap label` imported (Alert records, proto/alert.proto):
// the case's alert signatures, a host's, and the hosts of a signature. A case without imported
// alerts has an empty Alert table, so they answer nothing rather than fail.
#include "entities/entity_catalog.h"
#include "transforms/catalog/all_transforms.h"
#include "transforms/catalog/query_transform.h"

namespace netcap::catalog {

namespace {

namespace e = entities;

constexpr CountLabel kAlerts{"alert", "alerts"};
constexpr CountLabel kFlows{"flow", "flows"};
constexpr std::array<std::string_view, 8> kAlertExtra{"signatureid", "category", "severity"};

// Signature, alerts, matched flows, then the extra properties; `where` filters Alert rows.
#define NETCAP_ALERT_SIGNATURES(where)                                                \
  "SELECT Signature, COUNT(*), COUNT(DISTINCT NULLIF(FlowID, '')), MIN(SignatureID)," \
  " MIN(Category), MIN(Severity) FROM Alert WHERE Signature <> '' " where             \
  " GROUP BY Signature ORDER BY 2 DESC, 1 ASC"

constexpr QueryTransform kAlertTransforms[] = {
    {.name = "ToAlertSignatures",
     .display = "To Alert Signatures",
     .description = "IDS alert signatures imported with 'netcap label', with alerts and flows",
     .tables = {"Alert"},
     .sql = NETCAP_ALERT_SIGNATURES(""),
     .output = e::kNetcapAlert,
     .value_property = e::kAlertProperty,
     .counts = {kAlerts, kFlows},
     .extra = kAlertExtra},
    {.name = "ToAlertsForHost",
     .display = "To Alerts For Host",
     .description = "IDS alert signatures raised on this host's traffic (either side)",
     .input = QueryInput::kIP,
     .tables = {"Alert"},
     .sql = NETCAP_ALERT_SIGNATURES("AND (SrcIP = ?1 OR DstIP = ?1)"),
     .output = e::kNetcapAlert,
     .value_property = e::kAlertProperty,
     .counts = {kAlerts, kFlows},
     .extra = kAlertExtra},
    {.name = "ToAlertHosts",
     .display = "To Alert Hosts",
     .description = "Addresses on either side of the traffic that raised this alert signature",
     .input = QueryInput::kEntity,
     .input_entity = e::kNetcapAlert,
     .input_properties = {e::kAlertProperty},
     .tables = {"Alert"},
     .sql = "SELECT ip, COUNT(*) FROM (SELECT SrcIP AS ip FROM Alert WHERE Signature = ?1"
            " UNION ALL SELECT DstIP FROM Alert WHERE Signature = ?1)"
            " WHERE ip <> '' GROUP BY ip ORDER BY 2 DESC, 1 ASC",
     .output = kIPOutput,
     .counts = {kAlerts}},
};

#undef NETCAP_ALERT_SIGNATURES

}  // namespace

Status register_alert_transforms(TransformRegistry& registry) {
  return register_query_transforms<kAlertTransforms>(registry);
}

}  // namespace netcap::catalog
