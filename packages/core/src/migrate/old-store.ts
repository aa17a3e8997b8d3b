/**
 * The old store: the Redis where express-session (connect-redis), koa-session (koa-redis) and
 * @fastify/session (connect-redis) keep each session as one JSON string. An import reads an old
 * record and then swaps it, atomically, for a short-lived forwarding record that names the new
 * sessionkit session. Both steps are one Lua script on one key, so they work the same on a single
 * server, behind Sentinel and on a Cluster, with ioredis and node-redis alike.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { SessionConfigError } from '../errors.js';
import { isValidSessionId } from '../id.js';

/**
 * What the importers need of a Redis client: running a Lua script on given keys with given
 * arguments, resolving its reply (arrays of strings).
 */
export interface OldStoreClient {
  runScript(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
}

/** The part of an ioredis client (`Redis` or `Cluster`, 4 to 6) the importers use. */
export interface IoredisLikeClient {
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** The part of a node-redis client (`createClient()` / `createCluster()`, v4 or later) the importers use. */
export interface NodeRedisLikeClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** A client of the old store: ioredis, node-redis, or anything with `runScript`. */
export type OldStoreClientInput = OldStoreClient | IoredisLikeClient | NodeRedisLikeClient;

/**
 * @internal Wraps ioredis and node-redis clients into {@link OldStoreClient}. node-redis is told
 * apart by its camel-case `evalSha` (ioredis spells it `evalsha`).
 */
export function toOldStoreClient(peer: string, input: unknown): OldStoreClient {
  const client = input as Partial<OldStoreClient & IoredisLikeClient & NodeRedisLikeClient> | null;
  if (typeof client === 'object' && client !== null) {
    if (typeof client.runScript === 'function') return client as OldStoreClient;
    if (typeof client.evalSha === 'function' && typeof client.eval === 'function') {
      const nodeRedis = client as NodeRedisLikeClient;
      return { runScript: (script, keys, args) => nodeRedis.eval(script, { keys: [...keys], arguments: [...args] }) };
    }
    if (typeof client.eval === 'function') {
      const ioredis = client as IoredisLikeClient;
      return { runScript: (script, keys, args) => ioredis.eval(script, keys.length, ...keys, ...args) };
    }
  }
  throw new SessionConfigError(
    `sessionkit: ${peer} importer: client must be a Redis client of the old store: an ioredis Redis or Cluster, a connected ` +
      'node-redis client, or an object with runScript(script, keys, args).',
  );
}

/**
 * Reads the old record. A key that is missing, empty or not a string (`WRONGTYPE`: not a session of
 * the old library) answers `none`; one larger than ARGV[1] bytes answers `huge` without sending it.
 */
const READ_SCRIPT = `
local ok, size = pcall(redis.call, 'STRLEN', KEYS[1])
if not ok or size == 0 then return {'none'} end
if size > tonumber(ARGV[1]) then return {'huge'} end
return {'value', redis.call('GET', KEYS[1])}
`;

/**
 * The claim: replaces the old record with the forwarding record ARGV[2] for ARGV[3] ms, only if the
 * key still holds the record this import read (its SHA1 is ARGV[1]). Otherwise nothing changes and
 * the answer says why: `gone` (deleted or expired meanwhile) or `changed` (another request claimed
 * it first, or the old library rewrote it).
 */
const CLAIM_SCRIPT = `
local ok, current = pcall(redis.call, 'GET', KEYS[1])
if not ok or not current then return {'gone'} end
if redis.sha1hex(current) ~= ARGV[1] then return {'changed'} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return {'claimed'}
`;

/** @internal What the old key holds. */
export type OldRead = { readonly kind: 'none' | 'huge' } | { readonly kind: 'value'; readonly value: string };

/** @internal How a claim ended. */
export type ClaimResult = 'claimed' | 'changed' | 'gone';

function replyWords(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected reply from the old store's script: ${typeof reply}`);
  return reply.map((item: unknown) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
}

/** @internal Reads the old record at `key`, refusing one of more than `maxBytes` bytes. */
export async function readOldRecord(client: OldStoreClient, key: string, maxBytes: number): Promise<OldRead> {
  const [kind, value] = replyWords(await client.runScript(READ_SCRIPT, [key], [String(maxBytes)]));
  if (kind === 'value' && typeof value === 'string') return { kind, value };
  if (kind === 'none' || kind === 'huge') return { kind };
  throw new Error(`unexpected reply from the old store's read script: ${String(kind)}`);
}

/** @internal Swaps the record read (`read`) for `forward`, kept `ttlMs`, if the key still holds it. */
export async function claimOldRecord(
  client: OldStoreClient,
  key: string,
  read: string,
  forward: string,
  ttlMs: number,
): Promise<ClaimResult> {
  const sha1 = createHash('sha1').update(read, 'utf8').digest('hex');
  const [kind] = replyWords(await client.runScript(CLAIM_SCRIPT, [key], [sha1, forward, String(ttlMs)]));
  if (kind === 'claimed' || kind === 'changed' || kind === 'gone') return kind;
  throw new Error(`unexpected reply from the old store's claim script: ${String(kind)}`);
}

/**
 * The forwarding record is JSON every old library reads as an expired session, never as an error:
 * an instance still running the old library during a rollout answers "no session" instead of a 500
 * (express-session and @fastify/session read the `cookie`, koa-session the `_expire`). The id comes
 * last, so the record is recognised by its exact spelling and never by a pattern a user could put
 * into their own session data.
 */
const FORWARD_HEAD =
  '{"cookie":{"originalMaxAge":null,"expires":"1970-01-01T00:00:00.000Z","httpOnly":true,"path":"/"},"_expire":1,';

/** @internal The forwarding record that names the sessionkit session `id`. */
export function forwardRecord(id: string, persistent: boolean): string {
  return `${FORWARD_HEAD}"sessionkit:persistent":${persistent},"sessionkit:forward":"${id}"}`;
}

/** @internal The session a forwarding record names, or `undefined` when `value` is not one. */
export function readForward(value: string): { readonly id: string; readonly persistent: boolean } | undefined {
  if (!value.startsWith(FORWARD_HEAD)) return undefined;
  const id = value.slice(-45, -2);
  if (!isValidSessionId(id)) return undefined;
  for (const persistent of [false, true]) {
    if (value === forwardRecord(id, persistent)) return { id, persistent };
  }
  return undefined;
}
