-- Rewrites keys during a rebuild (the built marker is absent, so no other script runs meanwhile).
-- KEYS[i] a key; ARGV[i] JSON: {t = 'del'} | {t = 'hash', f = {field = value...}, ttl = seconds?}
-- | {t = 'str', v = value}.
for i, key in ipairs(KEYS) do
  local spec = cjson.decode(ARGV[i])
  redis.call('DEL', key)
  if spec.t == 'hash' then
    for field, value in pairs(spec.f) do redis.call('HSET', key, field, value) end
    if spec.ttl then redis.call('EXPIRE', key, spec.ttl) end
  elseif spec.t == 'str' then
    redis.call('SET', key, spec.v)
  end
end
return #KEYS
