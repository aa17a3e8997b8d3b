/**
 * The Lua scripts that read and change one session hash. Each touches exactly one key (KEYS[1],
 * `<prefix><id>`), so each is atomic on a standalone server, behind Sentinel and on a Cluster alike.
 *
 * Conventions shared by all of them:
 * - ARGV[1] is "now" in ms since the epoch from the app's clock, the clock that computed the
 *   absolute deadline stored in the hash; the idle TTL is relative (PEXPIRE), so clock skew between
 *   app and Redis never shortens or lengthens an idle timeout.
 * - A key that is missing, holds another type, or lacks well-formed metadata is "no session":
 *   reads return nothing and writes answer `gone` without writing. Such keys are never an error.
 * - Replies are arrays of strings and integers only (no Lua booleans or nils), so RESP2 and RESP3
 *   clients receive the same shapes.
 * - The first write of a script that may grow memory is a command maxmemory can refuse (HSET,
 *   HINCRBY): Redis checks OOM on a script's first write only, so under `OOM` a script fails as a
 *   whole instead of half-way.
 * - Writes slide the idle expiry only when a slide is due (`slide_due`, the Lua twin of the core's
 *   `slideDue`): like a read, a write a moment after the last slide sends no PEXPIRE and records
 *   no `m:expires`, so a session may end up to the tolerance early, never late.
 *
 * @module
 */
import { FENCE_FIELD_PREFIX, META_FIELDS } from './keys.js';
import { luaScript } from './lua-script.js';

/** Helpers prepended to every session script. */
const HELPERS = `
local F_CREATED = '${META_FIELDS.createdAt}'
local F_DEADLINE = '${META_FIELDS.absoluteDeadlineMs}'
local F_USER = '${META_FIELDS.userId}'
local F_EXPIRES = '${META_FIELDS.expiresAt}'
local F_GEN, F_LOGGED_OUT, F_FENCE = '${META_FIELDS.generation}', '${META_FIELDS.loggedOut}', '${FENCE_FIELD_PREFIX}'

-- Whether a field holds a decimal integer as RedisStore writes it (corrupt values count as missing).
local function is_int(value)
  return type(value) == 'string' and string.match(value, '^%-?%d+$') ~= nil
end

-- A decimal integer as RedisStore writes it, or nil. (tonumber and string.match cost a few hundred
-- ns each inside Redis: check with is_int alone where the number is not needed.)
local function int_field(value)
  if not is_int(value) then return nil end
  return tonumber(value)
end

-- The absolute deadline of a well-formed session hash and its metadata row (created, deadline,
-- user, recorded expiry, then the optional extra field), or nil for a missing, foreign-type or
-- corrupt key. One HMGET under pcall: on a key of another type it answers WRONGTYPE, which here
-- means "no session".
local function session_meta(key, extra)
  local meta = redis.pcall('HMGET', key, F_CREATED, F_DEADLINE, F_USER, F_EXPIRES, extra or F_USER)
  if meta['err'] ~= nil or not is_int(meta[1]) then return nil end
  local deadline = int_field(meta[2])
  if deadline == nil then return nil end
  return deadline, meta
end

-- How long the key may live: the idle TTL, never past the absolute deadline.
local function expiry_ms(deadline, now_ms, ttl_ms)
  return math.floor(math.min(ttl_ms, deadline - now_ms))
end

-- The deadline and metadata row of a live session, or nil for a missing, foreign, corrupt or
-- timed-out one (a timed-out key is deleted). Writers check first and slide last: their first write
-- must be one maxmemory can refuse, so that under OOM a script fails before it changes anything.
local function live_meta(key, now_ms, ttl_ms, extra)
  local deadline, meta = session_meta(key, extra)
  if deadline == nil then return nil end
  if expiry_ms(deadline, now_ms, ttl_ms) <= 0 then
    redis.call('DEL', key)
    return nil
  end
  return deadline, meta
end

-- Whether a slide is due: the expiry it would set, min(now + ttl, deadline), differs from the
-- recorded one (m:expires, app clock) by more than the tolerance, 5% of the idle TTL and at most a
-- minute; an unknown or corrupt m:expires always slides. THE SAME RULE AS slideDue and
-- slideToleranceMs in packages/core/src/store-slide.ts, which decide a read's slide: change both
-- together (test/redis/data-model.test.ts checks that they agree on a table of cases).
local function slide_due(recorded, deadline, now_ms, ttl_ms)
  local expires = int_field(recorded)
  if expires == nil then return true end
  local wanted = math.min(now_ms + ttl_ms, deadline)
  return math.abs(wanted - expires) > math.min(ttl_ms / 20, 60000)
end

-- The expiry a write of a live session sets, in ms from now (> 0, live_meta checked it), when a
-- slide is due; nil when none is.
local function due_slide_ms(recorded, deadline, now_ms, ttl_ms)
  if not slide_due(recorded, deadline, now_ms, ttl_ms) then return nil end
  return expiry_ms(deadline, now_ms, ttl_ms)
end

-- Slides the expiry by ms and records it (m:expires, app clock) so that a load can tell whether a
-- slide is due without a script. PEXPIRE comes first: it never needs memory, so under OOM a touch
-- still slides (a script's later writes are not refused once one has changed the dataset).
local function slide(key, now_ms, ms)
  redis.call('PEXPIRE', key, ms)
  redis.call('HSET', key, F_EXPIRES, string.format('%d', now_ms + ms))
end

-- HSET/HDEL over ARGV[first..last] in chunks of 1000 arguments (an even number, so HSET pairs stay
-- whole): unpack() of many thousands of values would overflow the Lua C stack.
local function chunked(command, key, first, last)
  local i = first
  while i <= last do
    local j = math.min(i + 999, last)
    redis.call(command, key, unpack(ARGV, i, j))
    i = j + 1
  end
end

-- HSET of the pairs ARGV[first..last] followed by the pairs in extra (metadata), in one HSET when
-- they fit in 1000 arguments (every usual patch), else in chunks of 1000 with extra in the last.
-- Sends nothing when there is nothing to set.
local function hset_pairs(key, first, last, extra)
  local i = first
  while i <= last and last - i + 1 + #extra > 1000 do
    local j = math.min(i + 999, last)
    redis.call('HSET', key, unpack(ARGV, i, j))
    i = j + 1
  end
  if #extra == 0 then
    if i <= last then redis.call('HSET', key, unpack(ARGV, i, last)) end
    return
  end
  local args = {}
  for k = i, last do args[#args + 1] = ARGV[k] end
  for k = 1, #extra do args[#args + 1] = extra[k] end
  redis.call('HSET', key, unpack(args))
end
`;

/**
 * The helpers every session script starts with (`slide_due` among them), for tests that check the
 * Lua against the core's JavaScript.
 * @internal
 */
export const SCRIPT_HELPERS = HELPERS;

/**
 * create (also the second step of regenerate): stores a new session, replacing whatever was at the
 * key, except a tombstone: "log out everywhere" left one because this id was in the user's index
 * before its session was written, and the session must then never be stored.
 *
 * KEYS[1] session key · ARGV[1] now · ARGV[2] idle TTL · ARGV[3] absolute deadline ·
 * ARGV[4..] field/value pairs, metadata included (`m:expires` too: the caller computes the same
 * expiry as `expiry_ms`, which saves an HSET here).
 * Reply: 1 when stored, 0 when the deadline has already passed, -1 on a tombstone (nothing stored).
 */
export const CREATE_SCRIPT = luaScript(
  'create',
  `${HELPERS}
local key = KEYS[1]
local ms = expiry_ms(tonumber(ARGV[3]), tonumber(ARGV[1]), tonumber(ARGV[2]))
if ms <= 0 then return 0 end
-- pcall: on a key of another type HEXISTS answers WRONGTYPE, which is no tombstone.
if redis.pcall('HEXISTS', key, F_LOGGED_OUT) == 1 then return -1 end
-- DEL only when needed: for a fresh id (the normal case) HSET is the first write, so OOM refuses it.
if redis.call('EXISTS', key) == 1 then redis.call('DEL', key) end
chunked('HSET', key, 4, #ARGV)
redis.call('PEXPIRE', key, ms)
return 1
`,
);

/**
 * patch: applies only the changed fields, the removed fields and a user change, and slides the
 * expiry when a slide is due, all only if the session still exists: a late write after logout or
 * expiry never brings the session back, not even partly.
 *
 * The commands: HMGET (the check), then one HSET of the changed fields together with the metadata
 * (the user on a login; `m:expires` when a slide is due), HDEL of removed fields, and PEXPIRE when a
 * slide is due. A patch that sets nothing (removals only, a user cleared) grows no memory: it
 * deletes first and slides as a touch does (PEXPIRE, then HSET of `m:expires`), so it works under
 * OOM too; every other patch writes the HSET first, which maxmemory refuses.
 *
 * Setting a user records the generation at which the session joined that user's index. If a
 * "log out everywhere" of that user fenced the session with a newer generation (it ran after this
 * login joined the index and before this write), the session is deleted and the answer is `gone`.
 *
 * KEYS[1] session key · ARGV[1] now · ARGV[2] idle TTL · ARGV[3] user action (`keep`, `set`,
 * `clear`) · ARGV[4] the new user id (for `set`) · ARGV[5] the generation it joined at (for `set`) ·
 * ARGV[6] how many field/value arguments follow · then those pairs · then the fields to delete.
 * Reply: `['gone']` (nothing written) or `['ok', previous user id or '']`.
 */
export const PATCH_SCRIPT = luaScript(
  'patch',
  `${HELPERS}
local key = KEYS[1]
local now_ms, ttl_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
local setting = ARGV[3] == 'set'
local deadline, meta = live_meta(key, now_ms, ttl_ms, setting and (F_FENCE .. ARGV[4]) or nil)
if deadline == nil then return {'gone'} end
if setting and meta[5] and tonumber(meta[5]) > tonumber(ARGV[5]) then
  redis.call('DEL', key)
  return {'gone'}
end
local previous = meta[3] or ''
local pairs_end = 6 + tonumber(ARGV[6])
local ms = due_slide_ms(meta[4], deadline, now_ms, ttl_ms)
local grows = setting or pairs_end >= 7
local extra = setting and {F_USER, ARGV[4], F_GEN, ARGV[5]} or {}
if ms and grows then
  extra[#extra + 1] = F_EXPIRES
  extra[#extra + 1] = string.format('%d', now_ms + ms)
end
hset_pairs(key, 7, pairs_end, extra)
if ARGV[3] == 'clear' then redis.call('HDEL', key, F_USER, F_GEN) end
chunked('HDEL', key, pairs_end + 1, #ARGV)
if ms then
  if grows then redis.call('PEXPIRE', key, ms) else slide(key, now_ms, ms) end
end
return {'ok', previous}
`,
);

/**
 * increment: HINCRBY on one field of a live session, exact under any concurrency, never
 * recreating a session that is gone. The commands: HMGET (the check and the current value),
 * HINCRBY (the first write, which maxmemory refuses), and PEXPIRE + HSET of `m:expires` only when a
 * slide is due.
 *
 * KEYS[1] session key · ARGV[1] now · ARGV[2] idle TTL · ARGV[3] field · ARGV[4] increment.
 * Reply: `['gone']`, `['not-integer']` (the field holds something HINCRBY refuses, or the result
 * would leave JavaScript's safe-integer range; nothing written) or `['ok', new value as decimal text]`.
 */
export const INCREMENT_SCRIPT = luaScript(
  'increment',
  `${HELPERS}
local key, field = KEYS[1], ARGV[3]
local now_ms, ttl_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
local deadline, meta = live_meta(key, now_ms, ttl_ms, field)
if deadline == nil then return {'gone'} end
local current = meta[5]
local base = 0
if current then
  -- Exactly what HINCRBY accepts: no sign on zero, no leading zeros, no spaces, no decimals.
  if current ~= '0' and not string.match(current, '^%-?[1-9]%d*$') then return {'not-integer'} end
  base = tonumber(current)
end
if math.abs(base + tonumber(ARGV[4])) > 9007199254740991 then return {'not-integer'} end
local value = redis.call('HINCRBY', key, field, ARGV[4])
local ms = due_slide_ms(meta[4], deadline, now_ms, ttl_ms)
if ms then slide(key, now_ms, ms) end
-- As decimal text: ioredis parses an integer reply near 2^53 with rounding (9007199254740991 came
-- back as 9007199254740992); the text of a double holding an integer of this size is exact.
return {'ok', string.format('%d', value)}
`,
);

/**
 * touch: slides the expiry of a live session when a slide is due (a load sends it only then; a
 * concurrent request may have slid meanwhile, and an app's `session.touch()` a moment after the
 * last slide writes nothing). A session past its expiry or deadline is deleted and `gone`.
 *
 * KEYS[1] session key · ARGV[1] now · ARGV[2] idle TTL. Reply: `['ok']` or `['gone']`.
 */
export const TOUCH_SCRIPT = luaScript(
  'touch',
  `${HELPERS}
local key = KEYS[1]
local now_ms, ttl_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
local deadline, meta = live_meta(key, now_ms, ttl_ms)
if deadline == nil then return {'gone'} end
local ms = due_slide_ms(meta[4], deadline, now_ms, ttl_ms)
if ms then slide(key, now_ms, ms) end
return {'ok'}
`,
);

/**
 * destroy: deletes the key, whatever it holds, and tells whose session it was so the user index
 * can drop it.
 *
 * KEYS[1] session key. Reply: the user id of the deleted session, or `''`.
 */
export const DESTROY_SCRIPT = luaScript(
  'destroy',
  `${HELPERS}
local key = KEYS[1]
local user = redis.pcall('HGET', key, F_USER)
redis.call('DEL', key)
if type(user) ~= 'string' then return '' end
return user
`,
);

/**
 * claim (first step of regenerate): takes the session out of its old key in one atomic step,
 * returning its fields and deleting the key. Of several concurrent regenerates of one id exactly
 * one gets the fields; the others get `[]` and answer `gone`. See RedisStore.regenerate for why
 * the move is two steps.
 *
 * KEYS[1] old session key · ARGV[1] now.
 * Reply: the hash as a flat `[field, value, ...]` array, or `[]`.
 */
export const CLAIM_SCRIPT = luaScript(
  'regenerate',
  `${HELPERS}
local key = KEYS[1]
local deadline = session_meta(key)
if deadline == nil then return {} end
if deadline <= tonumber(ARGV[1]) then
  redis.call('DEL', key)
  return {}
end
local fields = redis.call('HGETALL', key)
-- A write maxmemory can refuse comes first: under OOM the claim fails as a whole and the session
-- stays at its old id, instead of being taken and then failing to land at the new one.
redis.call('HSET', key, 'm:claimed', '1')
redis.call('DEL', key)
return fields
`,
);

/**
 * deadline (first step of a patch that sets a user): the absolute deadline, which becomes the
 * session's score in the user index before the session is marked as the user's.
 *
 * KEYS[1] session key. Reply: `[deadline]` as a decimal string, or `[]` when there is no session.
 */
export const DEADLINE_SCRIPT = luaScript(
  'patch',
  `${HELPERS}
local deadline, meta = session_meta(KEYS[1])
if deadline == nil then return {} end
return {meta[2]}
`,
);

/**
 * owner (user index verification): the user of a live session.
 *
 * KEYS[1] session key · ARGV[1] now. Reply: the user id, or `''` when the session is gone,
 * anonymous, or past its deadline.
 */
export const OWNER_SCRIPT = luaScript(
  'listUserSessions',
  `${HELPERS}
local deadline, meta = session_meta(KEYS[1])
if deadline == nil or deadline <= tonumber(ARGV[1]) then return '' end
return meta[3] or ''
`,
);

/**
 * logout (second step of destroyUserSessions, once per member of the user's index): makes sure
 * the member is not, and will not become, a live session of the user.
 * - a live session of the user: deleted (`deleted`);
 * - a live session that is not (yet) the user's, such as a login patch between joining the index
 *   and its write: fenced, `m:fence:<user>` = the log-out's generation, so that patch deletes the
 *   session instead (`fenced`; the session itself is left alone);
 * - no session (a create or regenerate between joining the index and its write, or one that
 *   ended): a tombstone, `m:logout` = the generation, expiring at the member's deadline, so the
 *   pending write is refused (`ended`). Whatever else was at the key (another type, a hash without
 *   valid metadata, a session past its deadline) is replaced by it.
 *
 * The fence's and the tombstone's HSET each come after a write command that needs no memory (a
 * PEXPIRE of the key to its own TTL; a DEL), so that neither is refused under maxmemory: Redis
 * checks OOM only until a script's first write command, and log out everywhere must work on a full
 * Redis too.
 *
 * KEYS[1] session key · ARGV[1] now · ARGV[2] user id · ARGV[3] the log-out's generation ·
 * ARGV[4] the member's score (the session's absolute deadline).
 * Reply: `deleted`, `fenced` or `ended`.
 */
export const LOGOUT_SCRIPT = luaScript(
  'destroyUserSessions',
  `${HELPERS}
local key, now_ms, user = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local deadline, meta = session_meta(key)
if deadline ~= nil and deadline > now_ms then
  if meta[3] == user then
    redis.call('DEL', key)
    return 'deleted'
  end
  local ttl = redis.call('PTTL', key)
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  redis.call('HSET', key, F_FENCE .. user, ARGV[3])
  return 'fenced'
end
redis.call('DEL', key)
local ms = math.floor(tonumber(ARGV[4]) - now_ms)
if ms > 0 then
  redis.call('HSET', key, F_LOGGED_OUT, ARGV[3])
  redis.call('PEXPIRE', key, ms)
end
return 'ended'
`,
);
