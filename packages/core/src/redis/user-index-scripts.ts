/**
 * The Lua scripts of the user index: one sorted set per user at `<prefix>user:<userId>`, members
 * are session ids, scores their absolute deadlines. Each script touches only that one key.
 *
 * The scores bound the set without reading any session: every write drops the members whose
 * deadline has passed, and the key itself expires at the latest deadline it holds. Sessions that
 * ended earlier (idle expiry, destroy) are dropped by `listUserSessions`, which checks each member.
 *
 * @module
 */
import { luaScript } from './lua-script.js';

/** Makes sure KEYS[1] is a sorted set or absent: anything else there is corrupt and replaced. */
const ENSURE_ZSET = `
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind ~= 'zset' and kind ~= 'none' then redis.call('DEL', KEYS[1]) end
`;

/**
 * index-add: adds a session to a user's index (optionally replacing another id, for regenerate),
 * drops members past their deadline, and lets the key expire with its last deadline.
 *
 * KEYS[1] user index key · ARGV[1] now · ARGV[2] session id · ARGV[3] its absolute deadline ·
 * ARGV[4] an id to remove in the same step, or `''`. Reply: 1.
 */
export const INDEX_ADD_SCRIPT = luaScript(
  'user index add',
  `${ENSURE_ZSET}
local key, now_ms = KEYS[1], tonumber(ARGV[1])
redis.call('ZADD', key, ARGV[3], ARGV[2])
if ARGV[4] ~= '' then redis.call('ZREM', key, ARGV[4]) end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now_ms)
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIRE', key, math.max(1, math.floor(tonumber(last[2]) - now_ms))) end
return 1
`,
);

/**
 * index-members: drops members past their deadline and returns the rest.
 *
 * KEYS[1] user index key · ARGV[1] now. Reply: the member ids (`[]` when none).
 */
export const INDEX_MEMBERS_SCRIPT = luaScript(
  'user index read',
  `
if redis.call('TYPE', KEYS[1])['ok'] ~= 'zset' then return {} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
`,
);

/**
 * index-remove: removes session ids from a user's index.
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
