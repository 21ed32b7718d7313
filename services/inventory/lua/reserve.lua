-- Reserves (RESERVE_ON_ORDER) or checks (DEDUCT_ON_PAYMENT) every line of one reservation, all or nothing,
-- enforcing purchase limits, idempotent per (reservation, SKU), and appends the movements to the ledger stream.
-- KEYS[1] reservation record, KEYS[2] ledger stream, KEYS[3] built marker;
-- line i: KEYS[2+2i] the SKU's stock hash, KEYS[3+2i] the (SKU, buyer) purchase-limit counter.
-- ARGV: reservationId, buyerId, province, lineCount, then per line:
--   skuId, lineId, quantity, strategy, limit (-1 = none), candidateCount, candidate warehouse ids...
if redis.call('EXISTS', KEYS[3]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
local rec, stream = KEYS[1], KEYS[2]
local resId, buyer, province = ARGV[1], ARGV[2], ARGV[3]
local lines, a = {}, 5
for i = 1, tonumber(ARGV[4]) do
  local l = {sku = ARGV[a], line = ARGV[a + 1], qty = tonumber(ARGV[a + 2]), strategy = ARGV[a + 3],
    limit = tonumber(ARGV[a + 4]), stock = KEYS[2 + 2 * i], limitKey = KEYS[3 + 2 * i], candidates = {}}
  local count = tonumber(ARGV[a + 5])
  for j = 1, count do l.candidates[j] = ARGV[a + 5 + j] end
  a = a + 6 + count
  lines[i] = l
  -- Every SKU gets its stock hash when created: a missing one was lost, and the counters must be rebuilt.
  if redis.call('EXISTS', l.stock) == 0 then return cjson.encode({error = 'NOT_READY'}) end
end

-- The first result for the requested SKUs, as stored in the record.
local function result(status)
  local out = {}
  for _, l in ipairs(lines) do
    local stored = redis.call('HGET', rec, 'l:' .. l.sku)
    if stored then
      local s = cjson.decode(stored)
      out[#out + 1] = {lineId = s.line, skuId = l.sku, warehouseId = s.dwh or s.wh, quantity = s.qty,
        strategy = s.strategy}
    end
  end
  return cjson.encode({ok = true, status = status, lines = out})
end

local status = redis.call('HGET', rec, 'status')
if status and status ~= 'HELD' then return result(status) end
if status and redis.call('HGET', rec, 'buyer') ~= buyer then
  return cjson.encode({error = 'BUYER_MISMATCH'})
end

-- Check every new line before changing anything.
local fresh = {}
for _, l in ipairs(lines) do
  if redis.call('HEXISTS', rec, 'l:' .. l.sku) == 0 then
    if l.limit >= 0 then
      local used = tonumber(redis.call('GET', l.limitKey) or '0')
      if used + l.qty > l.limit then
        return cjson.encode({error = 'PURCHASE_LIMIT_EXCEEDED', skuId = l.sku, limit = l.limit, used = used})
      end
    end
    local best = 0
    for _, wh in ipairs(l.candidates) do
      local f = redis.call('HMGET', l.stock, wh .. ':on', wh .. ':res', wh .. ':safe')
      local available = (tonumber(f[1]) or 0) - (tonumber(f[2]) or 0) - (tonumber(f[3]) or 0)
      if available >= l.qty then
        l.wh = wh
        break
      end
      if available > best then best = available end
    end
    if not l.wh then
      return cjson.encode({error = 'OUT_OF_STOCK', skuId = l.sku, requested = l.qty, available = best})
    end
    fresh[#fresh + 1] = l
  end
end
if #fresh == 0 then return result('HELD') end

local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moves = {}
for _, l in ipairs(fresh) do
  local kind, dRes, lim = 'CHECK', 0, 0
  if l.strategy == 'RESERVE_ON_ORDER' then
    kind, dRes = 'RESERVE', l.qty
    redis.call('HINCRBY', l.stock, l.wh .. ':res', l.qty)
  end
  if l.limit >= 0 then
    lim = 1
    redis.call('INCRBY', l.limitKey, l.qty)
  end
  redis.call('HSET', rec, 'l:' .. l.sku,
    cjson.encode({line = l.line, wh = l.wh, qty = l.qty, strategy = l.strategy, lim = lim}))
  moves[#moves + 1] = {id = resId .. ':' .. l.sku .. ':' .. kind, kind = kind, res = resId, sku = l.sku,
    wh = l.wh, buyer = buyer, line = l.line, strategy = l.strategy, prov = province, qty = l.qty,
    dOn = 0, dRes = dRes, dSafe = 0, lim = lim, at = at}
end
redis.call('HSET', rec, 'status', 'HELD', 'buyer', buyer, 'prov', province)
redis.call('XADD', stream, '*', 'm', cjson.encode(moves))
return result('HELD')
