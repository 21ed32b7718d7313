-- Returned goods received back into warehouses (退货入库): on-hand rises per line, once per return id.
-- The marker key keeps [[skuId, warehouseId, quantity]...] (by SKU, then warehouse) for the retention
-- time, and a repeat returns it unchanged; the movement ids keep the ledger exact beyond that.
-- KEYS[1] the return's marker, KEYS[2] ledger stream, KEYS[3] built marker; line i: KEYS[3+i] stock hash.
-- ARGV: returnId, retentionSeconds, lineCount, then per line: skuId, warehouseId, quantity.
if redis.call('EXISTS', KEYS[3]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
local marker, stream = KEYS[1], KEYS[2]
local returnId, retention = ARGV[1], tonumber(ARGV[2])
local done = redis.call('GET', marker)
if done then return '{"ok":true,"units":' .. done .. '}' end

local lines = {}
for i = 1, tonumber(ARGV[3]) do
  -- Every SKU gets its stock hash when created: a missing one was lost, and the counters must be rebuilt.
  if redis.call('EXISTS', KEYS[3 + i]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
  lines[i] = {sku = ARGV[1 + 3 * i], wh = ARGV[2 + 3 * i], qty = tonumber(ARGV[3 + 3 * i]), stock = KEYS[3 + i]}
end

local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moves, units = {}, {}
for _, l in ipairs(lines) do
  redis.call('HINCRBY', l.stock, l.wh .. ':on', l.qty)
  -- A warehouse new to the SKU gets all three counters, as a rebuild would write them.
  redis.call('HINCRBY', l.stock, l.wh .. ':res', 0)
  redis.call('HINCRBY', l.stock, l.wh .. ':safe', 0)
  units[#units + 1] = {l.sku, l.wh, l.qty}
  moves[#moves + 1] = {id = 'restock:' .. returnId .. ':' .. l.sku .. ':' .. l.wh, kind = 'RESTOCK',
    sku = l.sku, wh = l.wh, qty = l.qty, dOn = l.qty, dRes = 0, dSafe = 0, lim = 0, at = at}
end
table.sort(units, function(x, y) return x[1] < y[1] or (x[1] == y[1] and x[2] < y[2]) end)
local encoded = cjson.encode(units)
redis.call('SET', marker, encoded, 'EX', retention)
redis.call('XADD', stream, '*', 'm', cjson.encode(moves))
return '{"ok":true,"units":' .. encoded .. '}'
