/**
 * `npm run redis-costs -w bench`: what a session load, create and write cost, client and Redis
 * together, for the shapes RedisStore could send: the store as built, the Lua load script it used
 * before 81348d9, two plain commands (sent together, or as an ioredis pipeline), a MULTI, and the
 * floor's GET, SET and INCR. Each row: app CPU (this process: ioredis, reply conversion, the store's
 * decoding) and Redis CPU (`INFO cpu` of a redis-server started for the run), per operation, with
 * 50 operations in flight as under HTTP load; the best of 3 rounds; and from `INFO commandstats`
 * the Redis commands per operation, those a script runs included (EVALSHA counts once besides), and
 * the part of Redis's CPU spent executing them (the rest is reading, parsing and replying).
 * `BENCH_REDIS_ONLY=patch,floor` runs only the rows whose name contains one of those texts.
 * Writes run on one session, as the bench's write scenario does, with the app's clock: whether a
 * write slides the expiry is the store's decision, as in production.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createRedisClient, RedisStore } from '@sessionkit/core/redis';
import { formatCount } from './format.js';
import { startRedis, statsBetween } from './redis-server.js';

const OPERATIONS = Number(process.env.BENCH_REDIS_OPERATIONS ?? 20_000);
/** Only the rows whose name contains one of these texts (`BENCH_REDIS_ONLY=patch,floor`), all when unset. */
const ONLY = process.env.BENCH_REDIS_ONLY?.split(',');
const IN_FLIGHT = 50;
const ROUNDS = 3;
const TTL_MS = 30 * 60_000;

/** sessionkit's load script until 81348d9: TYPE, HMGET, PEXPIRE and HGETALL inside EVALSHA. */
const FORMER_LOAD_SCRIPT = `
local key = KEYS[1]
if redis.call('TYPE', key)['ok'] ~= 'hash' then return {} end
local meta = redis.call('HMGET', key, 'm:created', 'm:deadline')
if not string.match(meta[1] or '', '^%-?%d+$') or not string.match(meta[2] or '', '^%-?%d+$') then return {} end
local ms = math.floor(math.min(tonumber(ARGV[2]), tonumber(meta[2]) - tonumber(ARGV[1])))
if ms <= 0 then redis.call('DEL', key) return {} end
redis.call('PEXPIRE', key, ms)
return redis.call('HGETALL', key)
`;

const redis = await startRedis();
const client = createRedisClient(`redis://127.0.0.1:${redis.port}`);
await new Promise((resolve) => client.once('ready', resolve));
const store = new RedisStore({ client, prefix: 'rc:' });
const now = Date.now();
const meta = { createdAt: now, absoluteDeadlineMs: now + 86_400_000 };
// What the bench's login stores (see servers/shared.ts), serialized per key.
const data = { user: '"alice"', role: '"admin"', cart: '{"items":[1,2,3],"total":42}', theme: '"dark"' };
const id = randomBytes(32).toString('base64url');
await store.create(id, { data, meta }, TTL_MS);
const key = `rc:${id}`;
const formerSha = String(await client.script('LOAD', FORMER_LOAD_SCRIPT));
await client.set('rc:floor', JSON.stringify(data), 'PX', TTL_MS);
const fields = Object.entries(data).flatMap(([field, value]) => [`d:${field}`, value]);
const freshId = (): string => randomBytes(32).toString('base64url');
let seq = 0;

const operations: Array<[string, () => Promise<unknown>]> = [
  ['load: RedisStore.load (one HGETALL, no slide due)', () => store.load(id, TTL_MS)],
  ['load: HGETALL alone (what the store sends, without its decoding)', () => client.hgetall(key)],
  [
    'load: the former Lua script (EVALSHA, without decoding)',
    () => client.evalsha(formerSha, 1, key, String(Date.now()), String(TTL_MS)),
  ],
  ['load: HGETALL + PEXPIRE, sent together', () => Promise.all([client.hgetall(key), client.pexpire(key, TTL_MS)])],
  ['load: HGETALL + PEXPIRE, ioredis pipeline', () => client.pipeline().hgetall(key).pexpire(key, TTL_MS).exec()],
  ['floor read: GET', () => client.get('rc:floor')],
  ['create: RedisStore.create (Lua)', () => store.create(freshId(), { data, meta }, TTL_MS)],
  [
    'create: MULTI HSET PEXPIRE EXEC',
    () => {
      const fresh = `rc:${freshId()}`;
      return client
        .multi()
        .hset(fresh, ...fields)
        .pexpire(fresh, TTL_MS)
        .exec();
    },
  ],
  ['floor create: SET PX', () => client.set(`rc:${freshId()}`, JSON.stringify(data), 'PX', TTL_MS)],
  [
    'patch: RedisStore.patch (one key changed)',
    () => store.patch(id, { set: { seq: String(++seq) }, remove: [] }, TTL_MS),
  ],
  ['increment: RedisStore.increment', () => store.increment(id, 'n', 1, TTL_MS)],
  ['touch: RedisStore.touch', () => store.touch(id, TTL_MS)],
  [
    'write request: RedisStore.load + patch',
    async () => {
      await store.load(id, TTL_MS);
      await store.patch(id, { set: { seq: String(++seq) }, remove: [] }, TTL_MS);
    },
  ],
  [
    'increment request: RedisStore.load + increment',
    async () => {
      await store.load(id, TTL_MS);
      await store.increment(id, 'n', 1, TTL_MS);
    },
  ],
  [
    'floor write: GET + SET PX',
    async () => {
      await client.get('rc:floor');
      await client.set('rc:floor', JSON.stringify({ ...data, seq: ++seq }), 'PX', TTL_MS);
    },
  ],
  [
    'floor increment: GET + INCR',
    async () => {
      await client.get('rc:floor');
      await client.incr('rc:counter');
    },
  ],
];

interface Cost {
  readonly appCpuUs: number;
  readonly redisCpuUs: number;
  /** Time Redis spent executing the commands (`INFO commandstats` usec; a script's own counts once). */
  readonly execUs: number;
  readonly commands: number;
  /** Commands per operation by name, e.g. `evalsha 1 · hmget 1 · hset 1`. */
  readonly mix: string;
}

async function measure(op: () => Promise<unknown>): Promise<Cost> {
  const run = async (count: number): Promise<void> => {
    let started = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (started < count) {
          started += 1;
          await op();
        }
      }),
    );
  };
  await run(OPERATIONS / 10);
  const statsBefore = await redis.commandStats();
  const redisBefore = await redis.cpuUs();
  const appBefore = process.cpuUsage();
  await run(OPERATIONS);
  const app = process.cpuUsage(appBefore);
  const redisAfter = await redis.cpuUs();
  const statsAfter = await redis.commandStats();
  let commands = 0;
  const mix: string[] = [];
  for (const [command, stat] of statsAfter) {
    if (command === 'info') continue;
    const calls = stat.calls - (statsBefore.get(command)?.calls ?? 0);
    commands += calls;
    if (calls >= OPERATIONS / 100) mix.push(`${command} ${formatPerOperation(calls / OPERATIONS)}`);
  }
  return {
    appCpuUs: (app.user + app.system) / OPERATIONS,
    redisCpuUs: (redisAfter - redisBefore) / OPERATIONS,
    execUs: statsBetween(statsBefore, statsAfter).usec / OPERATIONS,
    commands: commands / OPERATIONS,
    mix: mix.join(' · '),
  };
}

/** Calls per operation: whole numbers as such, others with two decimals. */
function formatPerOperation(value: number): string {
  return Math.abs(value - Math.round(value)) < 0.005 ? String(Math.round(value)) : value.toFixed(2);
}

const best = new Map<string, Cost>();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, op] of operations) {
    if (ONLY !== undefined && !ONLY.some((text) => name.includes(text))) continue;
    const cost = await measure(op);
    const previous = best.get(name);
    if (previous === undefined || cost.appCpuUs + cost.redisCpuUs < previous.appCpuUs + previous.redisCpuUs)
      best.set(name, cost);
  }
}
const lines = [
  `Redis ${redis.version}, ${formatCount(OPERATIONS)} operations per row, ${IN_FLIGHT} in flight, best of ${ROUNDS} rounds (lowest app + Redis CPU).`,
  '',
  '| operation | Redis commands | commands per operation | app CPU µs | Redis CPU µs | of which executing µs | together µs |',
  '| --- | ---: | --- | ---: | ---: | ---: | ---: |',
  ...[...best].map(
    ([name, c]) =>
      `| ${name} | ${formatPerOperation(c.commands)} | ${c.mix} | ${c.appCpuUs.toFixed(1)} | ${c.redisCpuUs.toFixed(1)} | ${c.execUs.toFixed(1)} | ${(c.appCpuUs + c.redisCpuUs).toFixed(1)} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
client.disconnect();
await redis.stop();
