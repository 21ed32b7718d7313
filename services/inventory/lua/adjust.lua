-- Sets the on-hand count (and optionally the safety stock) of one SKU in one warehouse, keeping what is
-- reserved, and appends an ADJUST movement carrying the deltas to the ledger stream.
-- KEYS[1] the SKU's stock hash, KEYS[2] ledger stream, KEYS[3] built marker.
-- ARGV: skuId, warehouseId, onHand, safetyStock (-1 = keep), movementId.
if redis.call('EXISTS', KEYS[3]) == 0 or redis.call('EXISTS', KEYS[1]) == 0 then
  return cjson.encode({error = 'NOT_READY'})
end
local sku, wh, onHand, safety, id = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local f = redis.call('HMGET', KEYS[1], wh .. ':on', wh .. ':res', wh .. ':safe')
local oldOn, reserved, oldSafe = tonumber(f[1]) or 0, tonumber(f[2]) or 0, tonumber(f[3]) or 0
if safety < 0 then safety = oldSafe end
redis.call('HSET', KEYS[1], wh .. ':on', onHand, wh .. ':res', reserved, wh .. ':safe', safety)
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local move = {id = id, kind = 'ADJUST', sku = sku, wh = wh, qty = onHand, dOn = onHand - oldOn, dRes = 0,
  dSafe = safety - oldSafe, lim = 0, at = at}
redis.call('XADD', KEYS[2], '*', 'm', cjson.encode({move}))
return cjson.encode({ok = true, onHand = onHand, reserved = reserved, safetyStock = safety})
