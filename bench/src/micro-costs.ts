/**
 * `npm run micro -w bench`: the per-request building blocks the profiles pointed at, timed alone,
 * so a change can be judged before it is made: iron sealing through WebCrypto against the same seal
 * on node:crypto (what sessionkit does since 221a0a6), unsealing (a cookie not yet in the
 * verified-cookie cache), the peers' HMAC cookie signature, JSON parsing with and without the
 * prototype-safe reviver, the commit-time dirty check, and a timer-per-call store deadline.
 *
 * @module
 */
import { createHmac, randomBytes, randomFillSync } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deriveIronKeys, type IronKeys, sealSync, unsealSync } from './micro/iron-node-crypto.js';
import { createMapLru, createTwoGenerationCache } from './micro/caches.js';
import { type OpCost, timeOp } from './micro/time-op.js';
import { LOGIN_DATA, SECRET } from './servers/shared.js';

interface IronModule {
  readonly defaults: object;
  seal(object: unknown, password: IronKeys | { id: string; secret: string }, options: object): Promise<string>;
  unseal(sealed: string, password: Record<string, IronKeys | string>, options: object): Promise<unknown>;
}

// iron-webcrypto is a dev dependency of @sessionkit/core (its seal tests cross-check against it), not of the bench.
const coreEntry = fileURLToPath(import.meta.resolve('@sessionkit/core'));
const iron = (await import(pathToFileURL(createRequire(coreEntry).resolve('iron-webcrypto')).href)) as IronModule;

const ITERATIONS = Number(process.env.BENCH_MICRO_ITERATIONS ?? 20_000);
const IN_FLIGHT = 50;
// As sessionkit does: keys derived once (HKDF) instead of handing iron the secret string.
const keys = deriveIronKeys('k1', SECRET);
const passwords = { k1: keys };
const options = { ...iron.defaults, ttl: 0 };
// What sessionkit seals: the payload naming the session (see packages/core/src/seal.ts).
const payload = {
  p: 'sessionkit/session-cookie/v1',
  id: randomBytes(32).toString('base64url'),
  iat: Date.now(),
  abs: Date.now() + 86_400_000,
  r: false,
};

// The prototype must be a drop-in: its seals open with iron-webcrypto and iron's open with it.
const crossOpened = [
  await iron.unseal(sealSync(payload, keys), passwords, options),
  unsealSync(await iron.seal(payload, keys, options), keys),
];
if (!crossOpened.every((opened) => isDeepStrictEqual(opened, payload)))
  throw new Error('bench: the node:crypto iron prototype is not compatible');

const POISON = new Set(['__proto__', 'constructor', 'prototype']);
const reviver = (key: string, value: unknown): unknown => (POISON.has(key) ? undefined : value);
const storedValues = Object.values(LOGIN_DATA).map((value) => JSON.stringify(value));
const sealedByIron = await iron.seal(payload, keys, options);
// A larger session (50 keys, about 7 KB of JSON): the commit-time dirty check serializes every key.
const largeSession = Object.fromEntries(
  Array.from({ length: 50 }, (_, i) => [`key${i}`, { id: i, name: 'x'.repeat(100), tags: ['a', 'b', 'c'] }]),
);

// A pool of randomness refilled 4 KiB at a time, as Node's randomUUID does internally.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function pooledRandom(bytes: number): Buffer {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.subarray(poolOffset - bytes, poolOffset);
}

// Caches as full as they get when every request starts a session (cookieCacheSize 10,000).
const CACHE_SIZE = 10_000;
const fullLru = createMapLru<string, object>(CACHE_SIZE);
const fullTwoGeneration = createTwoGenerationCache<string, object>(CACHE_SIZE);
let cacheKey = 0;
for (let i = 0; i < CACHE_SIZE * 2; i += 1) {
  fullLru.set(`warm${i}`, payload);
  fullTwoGeneration.set(`warm${i}`, payload);
}

function deadlineRace(call: () => Promise<unknown>, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  return Promise.race([call(), deadline]).finally(() => clearTimeout(timer));
}
const storeReply = (): Promise<number> => new Promise((resolve) => setImmediate(() => resolve(1)));

const costs: OpCost[] = [
  await timeOp(
    'iron seal, iron-webcrypto (WebCrypto), HKDF raw keys (sessionkit from a3c3724 to 221a0a6)',
    () => iron.seal(payload, keys, options),
    ITERATIONS,
  ),
  await timeOp(
    'iron seal, iron-webcrypto (WebCrypto), HKDF raw keys (sessionkit from a3c3724 to 221a0a6)',
    () => iron.seal(payload, keys, options),
    ITERATIONS,
    IN_FLIGHT,
  ),
  await timeOp(
    'iron seal, iron-webcrypto (WebCrypto), secret string: PBKDF2 per seal (sessionkit before a3c3724)',
    () => iron.seal(payload, { id: 'k1', secret: SECRET }, options),
    ITERATIONS,
    IN_FLIGHT,
  ),
  await timeOp(
    'iron seal, node:crypto, same raw keys and format (bench prototype; sessionkit since 221a0a6)',
    () => sealSync(payload, keys),
    ITERATIONS,
  ),
  await timeOp(
    'iron unseal, iron-webcrypto (WebCrypto), raw keys (a cookie not yet in the verified cache)',
    () => iron.unseal(sealedByIron, passwords, options),
    ITERATIONS,
  ),
  await timeOp(
    'iron unseal, iron-webcrypto (WebCrypto), raw keys (a cookie not yet in the verified cache)',
    () => iron.unseal(sealedByIron, passwords, options),
    ITERATIONS,
    IN_FLIGHT,
  ),
  await timeOp(
    'iron unseal, node:crypto (bench prototype; sessionkit since 221a0a6)',
    () => unsealSync(sealedByIron, keys),
    ITERATIONS,
  ),
  await timeOp(
    "HMAC-SHA256 cookie signature (the peers' per-new-session crypto)",
    () => createHmac('sha256', SECRET).update(payload.id).digest('base64'),
    ITERATIONS,
  ),
  await timeOp('session id, 32 random bytes', () => randomBytes(32).toString('base64url'), ITERATIONS),
  await timeOp(
    'randomBytes(32) + randomBytes(16): id and IV of a new session',
    () => [randomBytes(32), randomBytes(16)],
    ITERATIONS,
    IN_FLIGHT,
  ),
  await timeOp(
    'the same 48 bytes from a 4 KiB pool refilled by randomFillSync',
    () => [pooledRandom(32), pooledRandom(16)],
    ITERATIONS,
    IN_FLIGHT,
  ),
  await timeOp(
    'verified-cookie LRU (Map) at 10,000 entries: set, evicting the oldest',
    () => fullLru.set(`new${(cacheKey += 1)}`, payload),
    ITERATIONS * 5,
  ),
  await timeOp(
    'two-generation cache at 10,000 entries: set',
    () => fullTwoGeneration.set(`new${(cacheKey += 1)}`, payload),
    ITERATIONS * 5,
  ),
  await timeOp(
    'JSON.parse of the 4 stored values, with the prototype-safe reviver (sessionkit before 221a0a6)',
    () => storedValues.map((text) => JSON.parse(text, reviver)),
    ITERATIONS * 5,
  ),
  await timeOp(
    'JSON.parse of the 4 stored values, plain (sessionkit since 221a0a6, for text without a poison key)',
    () => storedValues.map((text) => JSON.parse(text)),
    ITERATIONS * 5,
  ),
  await timeOp(
    'JSON.stringify of the 4 values (the commit-time dirty check)',
    () => Object.values(LOGIN_DATA).map((value) => JSON.stringify(value)),
    ITERATIONS * 5,
  ),
  await timeOp(
    'JSON.stringify of every value of a 50-key, 7 KB session (the same check, larger session)',
    () => Object.values(largeSession).map((value) => JSON.stringify(value)),
    ITERATIONS,
  ),
  await timeOp(
    'store call with a setTimeout deadline and Promise.race (sessionkit before 5061bf6)',
    () => deadlineRace(storeReply, 5_000),
    ITERATIONS,
    IN_FLIGHT,
  ),
  await timeOp('store call awaited alone', () => storeReply(), ITERATIONS, IN_FLIGHT),
];

const lines = [
  `Micro costs, ${ITERATIONS} calls each (JSON and cache rows ×5), Node ${process.version}. CPU counts every thread (WebCrypto runs on the libuv pool).`,
  '',
  '| operation | in flight | wall µs/call | CPU µs/call |',
  '| --- | ---: | ---: | ---: |',
  ...costs.map((c) => `| ${c.name} | ${c.concurrency} | ${c.wallUs.toFixed(1)} | ${c.cpuUs.toFixed(1)} |`),
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
