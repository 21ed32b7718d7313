-- Units of a paid reservation leave it, all lines or none, once per id:
--   SHIP      a package was handed over: on-hand and reserved both fall (record field `sh:<id>`);
--   UNRESERVE the units will not ship (intercepted, refunded before shipment): reserved falls and the buyer's
--             purchase-limit count falls for lines that count it (record field `ur:<id>`).
-- The field keeps [[skuId, warehouseId, quantity]...] (by SKU), which a repeat returns unchanged. A line never
-- gives more than it still holds (quantity - shipped - unreserved), from the warehouse it is reserved in.
-- KEYS[1] reservation record, KEYS[2] ledger stream, KEYS[3] built marker;
-- line i: KEYS[2+2i] stock hash, KEYS[3+2i] purchase-limit counter (of the buyer the caller read).
-- ARGV: kind (SHIP | UNRESERVE), reservationId, id, retentionSeconds, buyerId, lineCount,
-- then per line: skuId, quantity.
if redis.call('EXISTS', KEYS[3]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
local rec, stream = KEYS[1], KEYS[2]
local kind, resId, id, retention = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local ship = kind == 'SHIP'
local field = (ship and 'sh:' or 'ur:') .. id

local status = redis.call('HGET', rec, 'status')
if not status then return cjson.encode({error = 'NOT_FOUND'}) end
local done = redis.call('HGET', rec, field)
if done then return '{"ok":true,"units":' .. done .. '}' end
if status ~= 'DEDUCTED' then return cjson.encode({error = 'NOT_DEDUCTED', status = status}) end
-- The caller built the limit keys from the buyer it read.
local buyer, province = redis.call('HGET', rec, 'buyer'), redis.call('HGET', rec, 'prov')
if buyer ~= ARGV[5] then return cjson.encode({error = 'STALE'}) end

-- Check every line before changing anything.
local lines = {}
for i = 1, tonumber(ARGV[6]) do
  local sku, qty = ARGV[5 + 2 * i], tonumber(ARGV[6 + 2 * i])
  local stored = redis.call('HGET', rec, 'l:' .. sku)
  if not stored then
    return cjson.encode({error = 'VALIDATION_FAILED', field = 'lines[' .. (i - 1) .. '].skuId', skuId = sku})
  end
  if redis.call('EXISTS', KEYS[2 + 2 * i]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
  local s = cjson.decode(stored)
  local remaining = s.qty - (s.sh or 0) - (s.ur or 0)
  if qty > remaining then
    return cjson.encode({error = 'VALIDATION_FAILED', field = 'lines[' .. (i - 1) .. '].quantity', skuId = sku,
      requested = qty, remaining = remaining})
  end
  lines[i] = {sku = sku, qty = qty, s = s, stock = KEYS[2 + 2 * i], limitKey = KEYS[3 + 2 * i],
    wh = s.dwh or s.wh}
end

local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moves, units = {}, {}
for _, l in ipairs(lines) do
  local s, dOn = l.s, 0
  redis.call('HINCRBY', l.stock, l.wh .. ':res', -l.qty)
  if ship then
    dOn = -l.qty
    redis.call('HINCRBY', l.stock, l.wh .. ':on', dOn)
    s.sh = (s.sh or 0) + l.qty
  else
    if s.lim == 1 and redis.call('DECRBY', l.limitKey, l.qty) <= 0 then redis.call('DEL', l.limitKey) end
    s.ur = (s.ur or 0) + l.qty
  end
  redis.call('HSET', rec, 'l:' .. l.sku, cjson.encode(s))
  units[#units + 1] = {l.sku, l.wh, l.qty}
  moves[#moves + 1] = {id = resId .. ':' .. l.sku .. ':' .. kind .. ':' .. id, kind = kind, res = resId,
    sku = l.sku, wh = l.wh, buyer = buyer, line = s.line, strategy = s.strategy, prov = province, qty = l.qty,
    dOn = dOn, dRes = -l.qty, dSafe = 0, lim = s.lim, at = at}
end
table.sort(units, function(x, y) return x[1] < y[1] end)
local encoded = cjson.encode(units)
redis.call('HSET', rec, field, encoded)

-- Once every unit is shipped or given back the record only answers retries, and expires like a closed one.
local open = false
for _, f in ipairs(redis.call('HKEYS', rec)) do
  if string.sub(f, 1, 2) == 'l:' then
    local s = cjson.decode(redis.call('HGET', rec, f))
    if s.qty - (s.sh or 0) - (s.ur or 0) > 0 then open = true end
  end
end
if not open then redis.call('EXPIRE', rec, retention) end
redis.call('XADD', stream, '*', 'm', cjson.encode(moves))
return '{"ok":true,"units":' .. encoded .. '}'
