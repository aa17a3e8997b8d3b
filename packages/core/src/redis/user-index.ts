/**
 * The per-user session index behind `listUserSessions` and `destroyUserSessions` ("log out
 * everywhere"), without keyspace notifications.
 *
 * A user's index key and the keys of that user's sessions sit in different slots (a session key
 * follows its random id), so no single command can update both on a Cluster. Instead:
 * - the index is a superset of the user's live sessions. A session joins it BEFORE it is written
 *   as the user's (create, login patch, regenerate), so a failure in between leaves an extra
 *   member, never a missing one. A member leaves only once its session can no longer be the
 *   user's: past its deadline (by score), destroyed, claimed by a regenerate, or ended by "log out
 *   everywhere". Listings never prune by looking at sessions, and a patch that clears or changes
 *   the user leaves its member behind: a member whose session is missing or not the user's may
 *   belong to a create or login between its two steps, and removing it would hide that session.
 * - the index holds the user's logout generation (member `#gen`), which "log out everywhere"
 *   moves forward in the same atomic step that reads the members. A session records the generation it
 *   joined at (`m:gen`). A regenerate passes it when the new id joins, and is refused once the
 *   generation moved past it; a login patch reads the generation first and passes it the same way.
 * - for every member it read, "log out everywhere" deletes the user's live session, fences a live
 *   session that is not (yet) the user's so that the pending login deletes it instead, and leaves a
 *   tombstone where no session is written yet so that the pending create or regenerate write is
 *   refused (see LOGOUT_SCRIPT).
 *
 * Hence: a create, regenerate or login patch that reached the index (for a login patch: read the
 * generation; for a regenerate: of a session that joined) before "log out everywhere" began never
 * leaves a live session of the user once both have finished. docs/redis-store.md walks through it.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import { isValidSessionId } from '../id.js';
import type { RedisClientLike } from './client-types.js';
import { sessionKey, USER_INDEX_GENERATION_MEMBER, userIndexKey } from './keys.js';
import { runScript } from './lua-script.js';
import { LOGOUT_SCRIPT, OWNER_SCRIPT } from './session-scripts.js';
import {
  INDEX_ADD_SCRIPT,
  INDEX_GENERATION_SCRIPT,
  INDEX_LOGOUT_SCRIPT,
  INDEX_MEMBERS_SCRIPT,
  INDEX_REMOVE_SCRIPT,
} from './user-index-scripts.js';

/**
 * How long a user index lives at least after a "log out everywhere", when no session keeps it
 * longer: far more than the one round trip between a login patch's read of the generation and its
 * join, which the generation must outlive.
 */
export const GENERATION_MIN_TTL_MS = 60 * 60_000;

/** What the index functions need: the client and the key prefix of the store. */
export interface UserIndexContext {
  readonly client: RedisClientLike;
  readonly prefix: string;
}

/** Waits for every call, then rejects with the first failure, so no call is left running unobserved. */
async function settleAll<T>(calls: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/**
 * Runs an index script and returns its reply after `'ok'`; a key of another type at the index key
 * throws a `SessionConfigError` (it is never deleted: it may be another application's data).
 */
async function runIndexScript(
  context: UserIndexContext,
  script: Parameters<typeof runScript>[1],
  userId: string,
  args: readonly string[],
): Promise<{ status: string; rest: unknown[] }> {
  const key = userIndexKey(context.prefix, userId);
  const reply = await runScript(context.client, script, key, args);
  const items = Array.isArray(reply) ? (reply as unknown[]) : [];
  const status = typeof items[0] === 'string' ? items[0] : '';
  if (status === 'wrongtype') {
    throw new SessionConfigError(
      `sessionkit: the Redis key "${key}" holds another type of data, so RedisStore cannot keep the user index there. ` +
        'Give RedisStore a prefix of its own (the `prefix` option), or remove that key.',
    );
  }
  return { status, rest: items.slice(1) };
}

/** The generation a script answered, as a number. */
function generationOf(value: unknown): number {
  const generation = Number(value);
  return Number.isSafeInteger(generation) ? generation : 0;
}

/**
 * The user's logout generation: read first by a patch that sets the user, so that a "log out
 * everywhere" that begins during the login refuses it.
 *
 * @param context - client and prefix
 * @param userId - the user
 */
export async function readUserGeneration(context: UserIndexContext, userId: string): Promise<number> {
  const { rest } = await runIndexScript(context, INDEX_GENERATION_SCRIPT, userId, []);
  return generationOf(rest[0]);
}

/** Options of {@link addToUserIndex}. */
export interface JoinOptions {
  /** An id that leaves the index in the same atomic step (regenerate). */
  readonly replacedId?: string;
  /** Refuse if the user's generation has moved past this one (regenerate, login patch). */
  readonly requiredGeneration?: number;
}

/**
 * Adds a session to a user's index, scored by its absolute deadline.
 *
 * @param context - client and prefix
 * @param userId - the user
 * @param id - the session id
 * @param absoluteDeadlineMs - the session's absolute deadline, ms since the epoch
 * @param options - an id to replace, a generation to require
 * @param nowMs - the app's clock (members past their deadline are dropped)
 * @returns the generation the session joined at, or `'moved'` when a required generation is
 *   outdated (a "log out everywhere" ran since; nothing was added)
 */
export async function addToUserIndex(
  context: UserIndexContext,
  userId: string,
  id: string,
  absoluteDeadlineMs: number,
  options: JoinOptions = {},
  nowMs: number = Date.now(),
): Promise<number | 'moved'> {
  const { status, rest } = await runIndexScript(context, INDEX_ADD_SCRIPT, userId, [
    String(nowMs),
    id,
    String(absoluteDeadlineMs),
    options.replacedId ?? '',
    options.requiredGeneration === undefined ? '' : String(options.requiredGeneration),
  ]);
  return status === 'moved' ? 'moved' : generationOf(rest[0]);
}

/**
 * Removes session ids from a user's index, best effort: the removal only tidies up (readers check
 * every member anyway), so its failure must not turn a completed destroy into an error.
 *
 * @param context - client and prefix
 * @param userId - the user
 * @param ids - the session ids to remove
 */
export async function removeFromUserIndex(
  context: UserIndexContext,
  userId: string,
  ids: readonly string[],
): Promise<void> {
  const members = ids.filter((id) => id !== USER_INDEX_GENERATION_MEMBER);
  if (members.length === 0) return;
  await runScript(context.client, INDEX_REMOVE_SCRIPT, userIndexKey(context.prefix, userId), members).catch(
    () => undefined,
  );
}

/**
 * The ids of a user's live sessions. Only members past their deadline are dropped on the way: a
 * member whose session is missing or not the user's may be a create or login between its steps.
 *
 * @param context - client and prefix
 * @param userId - the user
 * @param nowMs - the app's clock
 */
export async function listUserSessionIds(
  context: UserIndexContext,
  userId: string,
  nowMs: number = Date.now(),
): Promise<string[]> {
  const { rest } = await runIndexScript(context, INDEX_MEMBERS_SCRIPT, userId, [String(nowMs)]);
  const candidates = rest.filter((id): id is string => typeof id === 'string' && isValidSessionId(id));
  const owners = await settleAll(
    candidates.map((id) => runScript(context.client, OWNER_SCRIPT, sessionKey(context.prefix, id), [String(nowMs)])),
  );
  return candidates.filter((_, i) => owners[i] === userId);
}

/**
 * Destroys every session of a user ("log out everywhere") and resolves how many live ones were
 * deleted. Sessions being created, regenerated or logged in at the same time are refused (see the
 * module comment); members handled for good leave the index afterwards.
 *
 * @param context - client and prefix
 * @param userId - the user
 * @param nowMs - the app's clock
 */
export async function destroyUserSessionIds(
  context: UserIndexContext,
  userId: string,
  nowMs: number = Date.now(),
): Promise<number> {
  const { rest } = await runIndexScript(context, INDEX_LOGOUT_SCRIPT, userId, [
    String(nowMs),
    String(GENERATION_MIN_TTL_MS),
  ]);
  const generation = String(generationOf(rest[0]));
  const members: Array<{ id: string; deadline: string }> = [];
  const junk: string[] = [];
  for (let i = 1; i + 1 < rest.length; i += 2) {
    const id = rest[i];
    if (typeof id !== 'string') continue;
    if (isValidSessionId(id)) members.push({ id, deadline: String(rest[i + 1]) });
    else junk.push(id);
  }
  const outcomes = await settleAll(
    members.map(({ id, deadline }) =>
      runScript(context.client, LOGOUT_SCRIPT, sessionKey(context.prefix, id), [
        String(nowMs),
        userId,
        generation,
        deadline,
      ]),
    ),
  );
  // A fenced member stays: its session may still become the user's by a login that began after
  // this log-out, and must then be listed.
  const done = members.filter((_, i) => outcomes[i] !== 'fenced').map(({ id }) => id);
  await removeFromUserIndex(context, userId, [...done, ...junk]);
  return outcomes.filter((outcome) => outcome === 'deleted').length;
}
