-- Gives a new SKU its (empty) stock hash before the SKU is committed, so that afterwards a missing stock
-- hash always means lost counters. Never overwrites: the SKU may already exist.
-- KEYS[1] the SKU's stock hash, KEYS[2] built marker.
if redis.call('EXISTS', KEYS[2]) == 0 then return cjson.encode({error = 'NOT_READY'}) end
redis.call('HSETNX', KEYS[1], '_', '1')
return cjson.encode({ok = true})
