import { createHash } from "node:crypto";

/**
 * One round trip for the takes of one or more keys (runs), each run: GCRA over all windows of its
 * key (hash `KEYS[1]`, a field per window holding its TAT in µs of Redis's own clock, so every
 * replica reads one time), plus the abuse rule (block flag `KEYS[2]`, strike counter `KEYS[3]`,
 * block level `KEYS[4]`), the next run's keys following (`KEYS[5..8]`, …). A run's four keys share
 * a hash tag, so on Redis Cluster a call holds one run (or runs of one slot); on one Redis a turn
 * of the event loop sends all its runs in one call. Same arithmetic as `gcra.ts`. A run takes
 * `count` requests one after the other at one instant, each decided as if it came alone (a
 * refused one takes nothing; the one that starts a block is the last one counted), so the checks
 * of one key that meet in one turn of the event loop share one atomic run.
 *
 * ARGV: the number of runs, then per run: windows n, requests count, blockAfter (0 = never block),
 * strike window ms, first block ms, longest block ms, block memory ms, then per window its
 * interval µs and capacity. Returns, per request of each run in order, {allowed, binding window
 * index, remaining, retry-after µs, reset µs, blocked ms}, all flat in one array.
 */
export const BUCKET_SCRIPT = `
local out = {}
local k = 0
local function answer(allowed, binding, remaining, retry, reset, ms)
  out[k + 1] = allowed
  out[k + 2] = binding
  out[k + 3] = remaining
  out[k + 4] = retry
  out[k + 5] = reset
  out[k + 6] = ms
  k = k + 6
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
-- One run: its keys from KEYS[key + 1], its arguments from ARGV[arg + 1].
local function run(key, arg)
  local n = tonumber(ARGV[arg + 1])
  local count = tonumber(ARGV[arg + 2])
  local blockAfter = tonumber(ARGV[arg + 3])
  local blocked = 0
  if blockAfter > 0 then
    local pttl = redis.call('PTTL', KEYS[key + 2])
    if pttl > 0 then blocked = pttl end
  end
  if blocked > 0 then
    for _ = 1, count do answer(0, 0, 0, blocked * 1000, 0, blocked) end
    return
  end
  local fields = {}
  local intervals = {}
  local limits = {}
  local longest = 0
  for i = 1, n do
    fields[i] = tostring(i)
    intervals[i] = tonumber(ARGV[arg + 6 + 2 * i])
    limits[i] = tonumber(ARGV[arg + 7 + 2 * i]) * intervals[i]
    if limits[i] > longest then longest = limits[i] end
  end
  local stored = redis.call('HMGET', KEYS[key + 1], unpack(fields))
  local tats = {}
  for i = 1, n do
    local tat = tonumber(stored[i]) or now
    if tat < now then tat = now end
    tats[i] = tat
  end
  local nextTats = {}
  local taken = false
  for _ = 1, count do
    if blocked > 0 then
      answer(0, 0, 0, blocked * 1000, 0, blocked)
    else
      local retry = 0
      local binding = 1
      local fewest = math.huge
      local reset = 0
      for i = 1, n do
        local t = intervals[i]
        local limit = limits[i]
        local newTat = tats[i] + t
        local over = newTat - now - limit
        if over > 0 and over > retry then retry = over end
        local used = newTat - now
        if over > 0 then used = newTat - t - now end
        local remaining = math.floor((limit - used) / t)
        if remaining < 0 then remaining = 0 end
        nextTats[i] = newTat
        if remaining < fewest then
          fewest = remaining
          binding = i
          reset = used
          if reset < 0 then reset = 0 end
        end
      end
      if retry == 0 then
        for i = 1, n do tats[i] = nextTats[i] end
        taken = true
        answer(1, binding - 1, fewest, 0, math.ceil(reset), 0)
      else
        local ms = 0
        if blockAfter > 0 then
          local strikes = redis.call('INCR', KEYS[key + 3])
          if strikes == 1 then redis.call('PEXPIRE', KEYS[key + 3], tonumber(ARGV[arg + 4])) end
          if strikes >= blockAfter then
            local level = redis.call('INCR', KEYS[key + 4])
            redis.call('PEXPIRE', KEYS[key + 4], tonumber(ARGV[arg + 7]))
            ms = math.floor(math.min(tonumber(ARGV[arg + 5]) * 2 ^ (level - 1), tonumber(ARGV[arg + 6])))
            redis.call('SET', KEYS[key + 2], '1', 'PX', ms)
            redis.call('DEL', KEYS[key + 3])
          end
        end
        if ms > 0 then
          blocked = ms
          answer(0, binding - 1, 0, ms * 1000, math.ceil(reset), ms)
        else
          answer(0, binding - 1, 0, math.ceil(retry), math.ceil(reset), 0)
        end
      end
    end
  end
  if taken then
    local values = {}
    for i = 1, n do
      values[2 * i - 1] = fields[i]
      values[2 * i] = string.format('%.0f', tats[i])
    end
    redis.call('HSET', KEYS[key + 1], unpack(values))
    redis.call('PEXPIRE', KEYS[key + 1], math.ceil(longest / 1000) + 1000)
  end
end
local arg = 1
for r = 0, tonumber(ARGV[1]) - 1 do
  run(4 * r, arg)
  arg = arg + 7 + 2 * tonumber(ARGV[arg + 1])
end
return out
`;

/** The script's SHA-1, for EVALSHA. */
export const BUCKET_SCRIPT_SHA = createHash("sha1").update(BUCKET_SCRIPT).digest("hex");
