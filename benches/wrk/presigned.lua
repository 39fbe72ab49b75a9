-- wrk script for benches/run: walks a file of pre-signed requests (from benches/presign.rs),
-- one per line, "TARGET<TAB>Header: value<TAB>...", sending each once as a POST. Every request
-- carries its own nonce, so the file must hold more requests than the run sends; when it runs
-- out, the script says so (the next requests would be replays, refused with SignatureNonceUsed).
--   wrk -s benches/wrk/presigned.lua URL -- FILE

local file
local exhausted = false

function init(args)
  file = assert(io.open(args[1], "r"))
end

function request()
  local line = file:read("*l")
  if line == nil then
    if not exhausted then
      io.stderr:write("presigned.lua: the pre-signed requests ran out; the rest are replays\n")
      exhausted = true
    end
    file:seek("set")
    line = file:read("*l")
  end
  local headers = {}
  local target = nil
  for field in string.gmatch(line, "[^\t]+") do
    if target == nil then
      target = field
    else
      local name, value = string.match(field, "^([^:]+): (.*)$")
      headers[name] = value
    end
  end
  return wrk.format("POST", target, headers, "")
end

function done(summary, latency, requests)
  io.stderr:write(string.format("percentiles(us): p90=%d p95=%d p98=%d p99=%d p99.9=%d max=%d\n",
    latency:percentile(90), latency:percentile(95), latency:percentile(98), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
