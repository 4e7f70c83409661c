-- wrk script: public lookups (GET /api/v1/public/dossiers/{code}?secret=…) of random stored
-- dossiers, codes read from the file named by the CODES environment variable (one per line),
-- each thread starting at a different point of a fixed shuffle (reproducible runs).
local codes = {}
local secret = os.getenv("SECRET") or "BENCH123"

local f = assert(io.open(os.getenv("CODES"), "r"))
for line in f:lines() do
  if #line > 0 then codes[#codes + 1] = line end
end
f:close()
assert(#codes > 0, "no codes to look up")

local counter = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

function request()
  counter = counter + 1
  local i = ((counter + (offset or 0)) * 2654435761) % #codes + 1
  return wrk.format("GET", "/api/v1/public/dossiers/" .. codes[i] .. "?secret=" .. secret)
end

function done(summary, latency, requests)
  io.write(string.format("non2xx_or_3xx %d\n", summary.errors.status))
end
