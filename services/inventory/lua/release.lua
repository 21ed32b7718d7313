-- Releases a reservation: returns reserved stock and purchase-limit counts, once. Releasing an unknown
-- reservation leaves a RELEASED tombstone so that a late reserve with that id reserves nothing.
-- KEYS[1] reservation record, KEYS[2] ledger stream, KEYS[3] built marker;
-- line i (as the caller read the record): KEYS[2+2i] stock hash, KEYS[3+2i] purchase-limit counter.
-- ARGV: reservationId, retentionSeconds, lineCount, skuIds...
if redis.call('EXISTS', KEYS[3]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
local rec, stream = KEYS[1], KEYS[2]
local resId, retention, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

local status = redis.call('HGET', rec, 'status')
if not status then
  redis.call('HSET', rec, 'status', 'RELEASED')
  redis.call('EXPIRE', rec, retention)
  return cjson.encode({ok = true, released = false, status = 'RELEASED'})
end
if status ~= 'HELD' then return cjson.encode({ok = true, released = false, status = status}) end

-- The caller built KEYS from the record it read; a line added since makes the call stale.
local fields = redis.call('HKEYS', rec)
local held = 0
for _, f in ipairs(fields) do
  if string.sub(f, 1, 2) == 'l:' then held = held + 1 end
end
if held ~= n then return cjson.encode({error = 'STALE'}) end

local lines = {}
for i = 1, n do
  local sku = ARGV[3 + i]
  local stored = redis.call('HGET', rec, 'l:' .. sku)
  if not stored then return cjson.encode({error = 'STALE'}) end
  if redis.call('EXISTS', KEYS[2 + 2 * i]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
  lines[i] = {sku = sku, s = cjson.decode(stored), stock = KEYS[2 + 2 * i], limitKey = KEYS[3 + 2 * i]}
end

local buyer, province = redis.call('HGET', rec, 'buyer'), redis.call('HGET', rec, 'prov')
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moves = {}
for _, l in ipairs(lines) do
  local s, dRes = l.s, 0
  if s.strategy == 'RESERVE_ON_ORDER' then
    dRes = -s.qty
    redis.call('HINCRBY', l.stock, s.wh .. ':res', dRes)
  end
  if s.lim == 1 and redis.call('DECRBY', l.limitKey, s.qty) <= 0 then redis.call('DEL', l.limitKey) end
  moves[#moves + 1] = {id = resId .. ':' .. l.sku .. ':RELEASE', kind = 'RELEASE', res = resId, sku = l.sku,
    wh = s.wh, buyer = buyer, line = s.line, strategy = s.strategy, prov = province, qty = s.qty,
    dOn = 0, dRes = dRes, dSafe = 0, lim = s.lim, at = at}
end
redis.call('HSET', rec, 'status', 'RELEASED')
redis.call('EXPIRE', rec, retention)
redis.call('XADD', stream, '*', 'm', cjson.encode(moves))
return cjson.encode({ok = true, released = true, status = 'RELEASED'})
