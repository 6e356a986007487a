#pragma once
// The Lua scripts of the Redis store (redis_store.cpp). Each runs atomically
// in Redis, so that two instances never both claim a device or both miss a
// failure. ARGV[1] is always the key prefix; keys are built inside the
// scripts (a single primary, not Redis Cluster).
//
// Layout, for prefix P:
//   P att:<key>   hash f (failures), r (retry after, ms), l (locked until, ms)
//   P step:<user>:<step>   a used TOTP step (SET NX, expires when it can no longer match)
//   P s:<id>      hash user, device, on, start, last, open, by
//   P dev:<device>, P user:<user>   sets of session ids; P all: every session id
//   P events      channel: "end\t<instance>\t<id>\t<cause>", "lock\t<instance>\t<key>"
// Times are milliseconds since the epoch, from the caller's `now`.

namespace sekisho::auth::scripts {

// Shared by the session scripts: a session's fields as
// {id, user, device, on, start, last, open, by}, its expiry, and its removal.
inline constexpr const char* session_helpers = R"lua(
local p = ARGV[1]
local function fields(id)
  local v = redis.call('HMGET', p .. 's:' .. id, 'user', 'device', 'on', 'start', 'last', 'open', 'by')
  if not v[1] then return nil end
  return {id, v[1], v[2], v[3], v[4], v[5], v[6], v[7] or ''}
end
local function expired(f, now, idle, maxl)
  if not f then return true end
  local start, last, open = tonumber(f[5]), tonumber(f[6]), tonumber(f[7])
  return (open <= 0 and now - last >= idle) or now - start >= maxl
end
local function drop(id, f)
  redis.call('DEL', p .. 's:' .. id)
  redis.call('SREM', p .. 'all', id)
  if f then
    redis.call('SREM', p .. 'user:' .. f[2], id)
    redis.call('SREM', p .. 'dev:' .. f[3], id)
  end
end
)lua";

// ARGV: prefix, now, idle, max, user, device, layer, new id, max sessions
// (0: no limit), instance. Returns {result, id, user, device, on, start,
// last, open, by} (result: created, joined, layer_conflict) or {'too_many'}.
inline constexpr const char* claim = R"lua(
local now, idle, maxl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local user, device, layer = ARGV[5], ARGV[6], ARGV[7]
local dkey, ukey = p .. 'dev:' .. device, p .. 'user:' .. user
for _, id in ipairs(redis.call('SMEMBERS', dkey)) do
  local f = fields(id)
  if expired(f, now, idle, maxl) then
    drop(id, f)
    redis.call('SREM', dkey, id)
  elseif f[4] ~= layer then
    return {'layer_conflict', f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]}
  elseif f[2] == user then
    redis.call('HSET', p .. 's:' .. id, 'last', ARGV[2])
    return {'joined', f[1], f[2], f[3], f[4], f[5], ARGV[2], f[7], f[8]}
  end
end
local held = 0
for _, id in ipairs(redis.call('SMEMBERS', ukey)) do
  local f = fields(id)
  if expired(f, now, idle, maxl) then
    drop(id, f)
    redis.call('SREM', ukey, id)
  else
    held = held + 1
  end
end
local limit = tonumber(ARGV[9])
if limit ~= 0 and held >= limit then return {'too_many'} end
local id = ARGV[8]
local skey = p .. 's:' .. id
redis.call('HSET', skey, 'user', user, 'device', device, 'on', layer, 'start', ARGV[2], 'last', ARGV[2],
           'open', 0, 'by', ARGV[10])
redis.call('PEXPIRE', skey, maxl)
redis.call('SADD', dkey, id)
redis.call('PEXPIRE', dkey, maxl)
redis.call('SADD', ukey, id)
redis.call('PEXPIRE', ukey, maxl)
redis.call('SADD', p .. 'all', id)
return {'created', id, user, device, layer, ARGV[2], ARGV[2], '0', ARGV[10]}
)lua";

// ARGV: prefix, now, idle, max, device, layer. The live session of the
// device on the layer, touched, as {id, user, device, on, start, last,
// open, by}; nil when none.
inline constexpr const char* join = R"lua(
local now, idle, maxl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local dkey = p .. 'dev:' .. ARGV[5]
for _, id in ipairs(redis.call('SMEMBERS', dkey)) do
  local f = fields(id)
  if expired(f, now, idle, maxl) then
    drop(id, f)
    redis.call('SREM', dkey, id)
  elseif f[4] == ARGV[6] then
    redis.call('HSET', p .. 's:' .. id, 'last', ARGV[2])
    f[6] = ARGV[2]
    return f
  end
end
return false
)lua";

// ARGV: prefix, now, idle, max. Every live session (expired ones removed).
inline constexpr const char* list = R"lua(
local now, idle, maxl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', p .. 'all')) do
  local f = fields(id)
  if expired(f, now, idle, maxl) then drop(id, f) else out[#out + 1] = f end
end
return out
)lua";

// ARGV: prefix, id, delta (+1 or -1), now. A tunnel opened or closed.
inline constexpr const char* tunnel = R"lua(
local k = p .. 's:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return 0 end
if redis.call('HINCRBY', k, 'open', ARGV[3]) < 0 then redis.call('HSET', k, 'open', 0) end
redis.call('HSET', k, 'last', ARGV[4])
return 1
)lua";

// ARGV: prefix, id, instance, cause. 1 when the session was there (and
// every instance is told), 0 otherwise.
inline constexpr const char* end = R"lua(
local f = fields(ARGV[2])
if not f then
  redis.call('SREM', p .. 'all', ARGV[2])
  return 0
end
drop(ARGV[2], f)
redis.call('PUBLISH', p .. 'events', 'end\t' .. ARGV[3] .. '\t' .. ARGV[2] .. '\t' .. ARGV[4])
return 1
)lua";

// ARGV: prefix, key, now, backoff, max backoff, failures, duration,
// instance. Counts a failure: the delay doubles from `backoff` up to `max
// backoff`; at `failures` the key is locked for `duration` and every
// instance is told. A lockout that ran out starts the count afresh. The
// count is forgotten `duration` after the last failure. Returns {f, r, l}.
inline constexpr const char* fail = R"lua(
local p = ARGV[1]
local k = p .. 'att:' .. ARGV[2]
local now = tonumber(ARGV[3])
local v = redis.call('HMGET', k, 'f', 'l')
local f, l = tonumber(v[1] or '0'), tonumber(v[2] or '0')
if l > 0 and now >= l then f, l = 0, 0 end
f = f + 1
local delay, maxb = tonumber(ARGV[4]), tonumber(ARGV[5])
local i = 1
while i < f and delay < maxb do delay = delay * 2; i = i + 1 end
if delay > maxb then delay = maxb end
local r = now + delay
if f >= tonumber(ARGV[6]) then
  l = now + tonumber(ARGV[7])
  redis.call('PUBLISH', p .. 'events', 'lock\t' .. ARGV[8] .. '\t' .. ARGV[2])
end
redis.call('HSET', k, 'f', f, 'r', string.format('%.0f', r), 'l', string.format('%.0f', l))
redis.call('PEXPIRE', k, math.max(r, l) - now + tonumber(ARGV[7]))
return {f, r, l}
)lua";

} // namespace sekisho::auth::scripts
