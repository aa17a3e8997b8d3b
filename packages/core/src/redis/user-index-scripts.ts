/**
 * The Lua scripts of the user index: one sorted set per user at `<prefix>user:<userId>`, members
 * are session ids, scores their absolute deadlines; plus the member `#gen`, whose score is minus the
 * user's logout generation. Each script touches only that one key.
 *
 * The generation is 0 until the first "log out everywhere", which sets it to the time it ran (ms
 * since the epoch, app clock), or to one more than before if that is larger: it only grows, even
 * across an expiry of the key (a later log-out is a later time), so a session or a login that
 * recorded an older generation is always told apart.
 *
 * The scores bound the set without reading any session: every script drops the members whose
 * deadline has passed (`ZREMRANGEBYSCORE key 0 now`, which never reaches `#gen`'s negative score),
 * and the key expires at the latest deadline it ever held: a join lengthens its TTL, nothing
 * shortens it, so the generation outlives every session that joined under it.
 *
 * A key of another type at the index key is never deleted: the scripts answer `['wrongtype']` and
 * RedisStore throws a `SessionConfigError`.
 *
 * @module
 */
import { USER_INDEX_GENERATION_MEMBER } from './keys.js';
import { luaScript } from './lua-script.js';

/** Shared helpers: the key's type check and the generation. */
const HELPERS = `
local GEN = '${USER_INDEX_GENERATION_MEMBER}'

-- 'zset', 'none', or nil for a key of another type (the caller answers {'wrongtype'}).
local function index_kind(key)
  local kind = redis.call('TYPE', key)['ok']
  if kind == 'zset' or kind == 'none' then return kind end
  return nil
end

-- The user's logout generation: 0 until the first "log out everywhere", then the time of the
-- latest one (ms), or more.
local function generation(key)
  local score = redis.call('ZSCORE', key, GEN)
  if not score then return 0 end
  return -tonumber(score)
end
`;

/**
 * index-add: adds a session to a user's index (optionally replacing another id, for regenerate),
 * drops members past their deadline, and makes the key live at least until this deadline.
 *
 * With a required generation (ARGV[5]), the add is refused when the user's generation has moved
 * past it: a "log out everywhere" ran since the session joined (regenerate passes the generation
 * the session recorded) or since the login began (a patch passes the generation it read first).
 *
 * KEYS[1] user index key · ARGV[1] now · ARGV[2] session id · ARGV[3] its absolute deadline ·
 * ARGV[4] an id to remove in the same step, or `''` · ARGV[5] the required generation, or `''`.
 * Reply: `['ok', generation]` (joined at that generation), `['moved', generation]` (refused; the
 * replaced id is removed anyway, its session is gone) or `['wrongtype']`.
 */
export const INDEX_ADD_SCRIPT = luaScript(
  'user index add',
  `${HELPERS}
local key, now_ms = KEYS[1], tonumber(ARGV[1])
local kind = index_kind(key)
if kind == nil then return {'wrongtype'} end
local gen = 0
if kind == 'zset' then gen = generation(key) end
if ARGV[5] ~= '' and gen > tonumber(ARGV[5]) then
  if ARGV[4] ~= '' then redis.call('ZREM', key, ARGV[4]) end
  return {'moved', string.format('%d', gen)}
end
redis.call('ZADD', key, ARGV[3], ARGV[2])
if ARGV[4] ~= '' then redis.call('ZREM', key, ARGV[4]) end
redis.call('ZREMRANGEBYSCORE', key, 0, now_ms)
-- Never shorten the key's life: it must outlive every session that joined it, so that the
-- generation those sessions recorded is still the one they are compared with.
local ms = math.floor(tonumber(ARGV[3]) - now_ms)
if ms > 0 and redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
return {'ok', string.format('%d', gen)}
`,
);

/**
 * index-generation (first step of a patch that sets a user): the user's logout generation, read
 * before anything else so that a "log out everywhere" that starts during the login is seen.
 *
 * KEYS[1] user index key. Reply: `['ok', generation]` or `['wrongtype']`.
 */
export const INDEX_GENERATION_SCRIPT = luaScript(
  'user index generation',
  `${HELPERS}
local kind = index_kind(KEYS[1])
if kind == nil then return {'wrongtype'} end
if kind == 'none' then return {'ok', '0'} end
return {'ok', string.format('%d', generation(KEYS[1]))}
`,
);

/**
 * index-members (listUserSessions): drops members past their deadline and returns the rest.
 *
 * KEYS[1] user index key · ARGV[1] now. Reply: `['ok', id, ...]` or `['wrongtype']`.
 */
export const INDEX_MEMBERS_SCRIPT = luaScript(
  'user index read',
  `${HELPERS}
local key = KEYS[1]
local kind = index_kind(key)
if kind == nil then return {'wrongtype'} end
if kind == 'none' then return {'ok'} end
redis.call('ZREMRANGEBYSCORE', key, 0, ARGV[1])
local reply = {'ok'}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, '(0', '+inf')) do reply[#reply + 1] = id end
return reply
`,
);

/**
 * index-logout (first step of destroyUserSessions): drops members past their deadline, moves the
 * user's logout generation forward and returns it with every member and its deadline, in one
 * atomic step. From here on, a regenerate of a session that joined before cannot join again, and a login
 * patch that read the generation before cannot complete.
 *
 * The key is kept alive at least ARGV[2] ms (`GENERATION_MIN_TTL_MS`; never less than its latest
 * deadline), even when it held no member: the generation must outlive the logins that read the
 * previous one. The prune runs first, even on a missing key, on purpose: Redis checks maxmemory
 * only until a script's first write command, whatever that command changes, so "log out
 * everywhere" also works on a full Redis (its one small write, the generation, goes through).
 *
 * KEYS[1] user index key · ARGV[1] now · ARGV[2] the minimum TTL.
 * Reply: `['ok', generation, id, deadline, id, deadline, ...]` or `['wrongtype']`.
 */
export const INDEX_LOGOUT_SCRIPT = luaScript(
  'destroyUserSessions',
  `${HELPERS}
local key, now_ms = KEYS[1], tonumber(ARGV[1])
if index_kind(key) == nil then return {'wrongtype'} end
redis.call('ZREMRANGEBYSCORE', key, 0, now_ms)
local gen = math.max(generation(key) + 1, now_ms)
redis.call('ZADD', key, string.format('%d', -gen), GEN)
local want = tonumber(ARGV[2])
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if last[2] then want = math.max(want, math.floor(tonumber(last[2]) - now_ms)) end
if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, want) end
local reply = {'ok', string.format('%d', gen)}
for _, item in ipairs(redis.call('ZRANGEBYSCORE', key, '(0', '+inf', 'WITHSCORES')) do reply[#reply + 1] = item end
return reply
`,
);

/**
 * index-remove: removes session ids from a user's index (callers never pass the generation member).
 *
 * KEYS[1] user index key · ARGV the ids. Reply: 1.
 */
export const INDEX_REMOVE_SCRIPT = luaScript(
  'user index remove',
  `
if redis.call('TYPE', KEYS[1])['ok'] ~= 'zset' then return 1 end
local i = 1
while i <= #ARGV do
  local j = math.min(i + 999, #ARGV)
  redis.call('ZREM', KEYS[1], unpack(ARGV, i, j))
  i = j + 1
end
return 1
`,
);
