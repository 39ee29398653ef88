import { createHash } from "node:crypto";

/**
 * One round trip per check: GCRA over all windows of one key (hash `KEYS[1]`, a field per
 * window holding its TAT in µs of Redis's own clock, so every replica reads one time), plus the
 * abuse rule (block flag `KEYS[2]`, strike counter `KEYS[3]`, block level `KEYS[4]`). The four
 * keys share a hash tag, so the script runs on Redis Cluster too. Same arithmetic as `gcra.ts`.
 *
 * ARGV: windows n, blockAfter (0 = never block), strike window ms, first block ms, longest block
 * ms, block memory ms, then per window its interval µs and capacity.
 * Returns {allowed, binding window index, remaining, retry-after µs, reset µs, blocked ms}.
 */
export const BUCKET_SCRIPT = `
local n = tonumber(ARGV[1])
local blockAfter = tonumber(ARGV[2])
if blockAfter > 0 then
  local pttl = redis.call('PTTL', KEYS[2])
  if pttl > 0 then return {0, 0, 0, pttl * 1000, 0, pttl} end
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local fields = {}
for i = 1, n do fields[i] = tostring(i) end
local stored = redis.call('HMGET', KEYS[1], unpack(fields))
local nextTats = {}
local retry = 0
local binding = 1
local fewest = math.huge
local reset = 0
local longest = 0
for i = 1, n do
  local t = tonumber(ARGV[5 + 2 * i])
  local limit = tonumber(ARGV[6 + 2 * i]) * t
  if limit > longest then longest = limit end
  local tat = tonumber(stored[i]) or now
  if tat < now then tat = now end
  local newTat = tat + t
  local over = newTat - now - limit
  if over > 0 and over > retry then retry = over end
  local used = newTat - now
  if over > 0 then used = newTat - t - now end
  local remaining = math.floor((limit - used) / t)
  if remaining < 0 then remaining = 0 end
  nextTats[2 * i - 1] = fields[i]
  nextTats[2 * i] = string.format('%.0f', newTat)
  if remaining < fewest then
    fewest = remaining
    binding = i
    reset = used
    if reset < 0 then reset = 0 end
  end
end
if retry == 0 then
  redis.call('HSET', KEYS[1], unpack(nextTats))
  redis.call('PEXPIRE', KEYS[1], math.ceil(longest / 1000) + 1000)
  return {1, binding - 1, fewest, 0, math.ceil(reset), 0}
end
if blockAfter > 0 then
  local strikes = redis.call('INCR', KEYS[3])
  if strikes == 1 then redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3])) end
  if strikes >= blockAfter then
    local level = redis.call('INCR', KEYS[4])
    redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[6]))
    local ms = math.min(tonumber(ARGV[4]) * 2 ^ (level - 1), tonumber(ARGV[5]))
    ms = math.floor(ms)
    redis.call('SET', KEYS[2], '1', 'PX', ms)
    redis.call('DEL', KEYS[3])
    return {0, binding - 1, 0, ms * 1000, math.ceil(reset), ms}
  end
end
return {0, binding - 1, 0, math.ceil(retry), math.ceil(reset), 0}
`;

/** The script's SHA-1, for EVALSHA. */
export const BUCKET_SCRIPT_SHA = createHash("sha1").update(BUCKET_SCRIPT).digest("hex");
