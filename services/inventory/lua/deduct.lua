-- Marks a held reservation sold (payment succeeded), all lines or none, once. The units stay reserved
-- until they ship or are given back (let-go.lua); on-hand does not change here.
-- RESERVE_ON_ORDER lines keep their hold; DEDUCT_ON_PAYMENT lines are reserved now in the first candidate
-- warehouse with the stock, or the whole call fails with OUT_OF_STOCK. Purchase-limit counts stay: a paid
-- order keeps counting. With dryRun = 1 it only checks (the re-check before payment). The record does not
-- expire while it holds units.
-- KEYS[1] reservation record, KEYS[2] ledger stream, KEYS[3] built marker; line i: KEYS[3+i] stock hash.
-- ARGV: reservationId, dryRun, lineCount, then per line: skuId, candidateCount, candidates...
if redis.call('EXISTS', KEYS[3]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
local rec, stream = KEYS[1], KEYS[2]
local resId, dryRun = ARGV[1], ARGV[2] == '1'
local lines, a = {}, 4
for i = 1, tonumber(ARGV[3]) do
  local l = {sku = ARGV[a], stock = KEYS[3 + i], candidates = {}}
  local count = tonumber(ARGV[a + 1])
  for j = 1, count do l.candidates[j] = ARGV[a + 1 + j] end
  a = a + 2 + count
  lines[i] = l
end

local function result(status)
  local out = {}
  for _, l in ipairs(lines) do
    local s = cjson.decode(redis.call('HGET', rec, 'l:' .. l.sku))
    out[#out + 1] = {lineId = s.line, skuId = l.sku, warehouseId = s.dwh or l.wh or s.wh, quantity = s.qty,
      strategy = s.strategy}
  end
  return cjson.encode({ok = true, status = status, lines = out})
end

local status = redis.call('HGET', rec, 'status')
if not status then return cjson.encode({error = 'NOT_FOUND'}) end

-- The caller built KEYS from the record it read; a line added since makes the call stale.
local held = 0
for _, f in ipairs(redis.call('HKEYS', rec)) do
  if string.sub(f, 1, 2) == 'l:' then held = held + 1 end
end
if held ~= #lines then return cjson.encode({error = 'STALE'}) end
for _, l in ipairs(lines) do
  local stored = redis.call('HGET', rec, 'l:' .. l.sku)
  if not stored then return cjson.encode({error = 'STALE'}) end
  l.s = cjson.decode(stored)
  -- Every SKU gets its stock hash when created: a missing one was lost, and the counters must be rebuilt.
  if redis.call('EXISTS', l.stock) == 0 then return cjson.encode({error = 'NOT_READY'}) end
end
if status == 'DEDUCTED' then return result(status) end
if status ~= 'HELD' then return cjson.encode({error = 'NOT_HELD', status = status}) end

-- Check every checked-only line before changing anything.
for _, l in ipairs(lines) do
  if l.s.strategy ~= 'RESERVE_ON_ORDER' then
    local best = 0
    for _, wh in ipairs(l.candidates) do
      local f = redis.call('HMGET', l.stock, wh .. ':on', wh .. ':res', wh .. ':safe')
      local available = (tonumber(f[1]) or 0) - (tonumber(f[2]) or 0) - (tonumber(f[3]) or 0)
      if available >= l.s.qty then
        l.wh = wh
        break
      end
      if available > best then best = available end
    end
    if not l.wh then
      return cjson.encode({error = 'OUT_OF_STOCK', skuId = l.sku, requested = l.s.qty, available = best})
    end
  end
end
if dryRun then return result('HELD') end

local buyer, province = redis.call('HGET', rec, 'buyer'), redis.call('HGET', rec, 'prov')
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moves = {}
for _, l in ipairs(lines) do
  local s, dRes = l.s, 0
  local wh = l.wh or s.wh
  if s.strategy ~= 'RESERVE_ON_ORDER' then
    dRes = s.qty
    redis.call('HINCRBY', l.stock, wh .. ':res', dRes)
  end
  s.dwh = wh
  redis.call('HSET', rec, 'l:' .. l.sku, cjson.encode(s))
  moves[#moves + 1] = {id = resId .. ':' .. l.sku .. ':DEDUCT', kind = 'DEDUCT', res = resId, sku = l.sku,
    wh = wh, buyer = buyer, line = s.line, strategy = s.strategy, prov = province, qty = s.qty,
    dOn = 0, dRes = dRes, dSafe = 0, lim = s.lim, at = at}
end
redis.call('HSET', rec, 'status', 'DEDUCTED')
redis.call('XADD', stream, '*', 'm', cjson.encode(moves))
return result('DEDUCTED')
