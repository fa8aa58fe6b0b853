-- wrk script for bench/transform_latency.sh: POSTs Maltego TDS requests, rotating over the
-- transforms in TRANSFORMS (comma separated ids) on the entity type/value in ENTITY_TYPE /
-- ENTITY_VALUE (case directory in ENTITY_PATH), and prints the latency percentiles as one JSON line at the end.
local transforms = {}
for id in string.gmatch(os.getenv("TRANSFORMS") or "netcap.ToHosts", "[^,]+") do
  transforms[#transforms + 1] = id
end
local body = string.format(
  '<MaltegoMessage><MaltegoTransformRequestMessage><Entities><Entity Type="%s">' ..
  '<Value>%s</Value><AdditionalFields><Field Name="path">%s</Field></AdditionalFields>' ..
  '</Entity></Entities><Limits SoftLimit="256" HardLimit="256"/>' ..
  '</MaltegoTransformRequestMessage></MaltegoMessage>',
  os.getenv("ENTITY_TYPE") or "netcap.PCAP", os.getenv("ENTITY_VALUE") or "",
  os.getenv("ENTITY_PATH") or "")
local n = 0

local health_only = os.getenv("TRANSFORMS") == "health"

request = function()
  if health_only then return wrk.format("GET", "/health") end
  n = n + 1
  local id = transforms[(n % #transforms) + 1]
  return wrk.format("POST", "/run/" .. id, { ["Content-Type"] = "text/xml" }, body)
end

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "non_200": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
