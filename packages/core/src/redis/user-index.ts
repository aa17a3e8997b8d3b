/**
 * The per-user session index behind `listUserSessions` and `destroyUserSessions` ("log out
 * everywhere"), without keyspace notifications.
 *
 * A user's index key and the keys of that user's sessions sit in different slots (a session key
 * follows its random id), so no single command can update both on a Cluster. Instead the steps are
 * ordered so that the index is always a superset of the user's live sessions:
 * - a session joins the index BEFORE it is marked as the user's (create, patch, regenerate), so a
 *   failure in between leaves an extra member, never a missing one;
 * - it leaves the index AFTER it stopped being the user's (destroy, patch clearing the user), and
 *   that removal is best effort: a leftover member is harmless;
 * - readers never trust the index: every member is checked against its session (alive, same user),
 *   and members that fail the check are pruned. Members past their absolute deadline are dropped by
 *   score on every write, and the key expires with its last deadline, so the set stays bounded.
 *
 * One race remains, documented in docs/redis-store.md: a listing that runs while the same user's
 * session is between its two steps can prune that new member.
 *
 * @module
 */
import { isValidSessionId } from '../id.js';
import type { RedisClientLike } from './client-types.js';
import { sessionKey, userIndexKey } from './keys.js';
import { runScript } from './lua-script.js';
import { DESTROY_OWNED_SCRIPT, OWNER_SCRIPT } from './session-scripts.js';
import { INDEX_ADD_SCRIPT, INDEX_MEMBERS_SCRIPT, INDEX_REMOVE_SCRIPT } from './user-index-scripts.js';

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
 * Adds a session to a user's index, scored by its absolute deadline; `replacedId` leaves in the
 * same atomic step (regenerate).
 *
 * @param context - client and prefix
 * @param userId - the user
 * @param id - the session id
 * @param absoluteDeadlineMs - the session's absolute deadline, ms since the epoch
 * @param replacedId - an id to remove at the same time, or `''`
 */
export async function addToUserIndex(
  context: UserIndexContext,
  userId: string,
  id: string,
  absoluteDeadlineMs: number,
  replacedId = '',
): Promise<void> {
  await runScript(context.client, INDEX_ADD_SCRIPT, userIndexKey(context.prefix, userId), [
    String(Date.now()),
    id,
    String(absoluteDeadlineMs),
    replacedId,
  ]);
}

/**
 * Removes session ids from a user's index, best effort: the removal only tidies up (readers check
 * every member anyway), so its failure must not turn a completed destroy or patch into an error.
 *
 * @param context - client and prefix
 * @param userId - the user
 * @param ids - the session ids to remove
 */
export async function removeFromUserIndex(context: UserIndexContext, userId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await runScript(context.client, INDEX_REMOVE_SCRIPT, userIndexKey(context.prefix, userId), ids).catch(() => undefined);
}

async function readMembers(context: UserIndexContext, userId: string, nowMs: number): Promise<string[]> {
  const reply = await runScript(context.client, INDEX_MEMBERS_SCRIPT, userIndexKey(context.prefix, userId), [String(nowMs)]);
  return Array.isArray(reply) ? reply.filter((member): member is string => typeof member === 'string') : [];
}

/**
 * The ids of a user's live sessions. Members whose session ended or now belongs to someone else
 * are pruned from the index on the way.
 *
 * @param context - client and prefix
 * @param userId - the user
 */
export async function listUserSessionIds(context: UserIndexContext, userId: string): Promise<string[]> {
  const nowMs = Date.now();
  const members = await readMembers(context, userId, nowMs);
  const candidates = members.filter((id) => isValidSessionId(id));
  const owners = await settleAll(
    candidates.map((id) => runScript(context.client, OWNER_SCRIPT, sessionKey(context.prefix, id), [String(nowMs)])),
  );
  const live = candidates.filter((_, i) => owners[i] === userId);
  const liveSet = new Set(live);
  await removeFromUserIndex(
    context,
    userId,
    members.filter((id) => !liveSet.has(id)),
  );
  return live;
}

/**
 * Destroys every live session of a user ("log out everywhere") and resolves how many there were.
 * Each session is deleted only if it still belongs to the user when the delete runs.
 *
 * @param context - client and prefix
 * @param userId - the user
 */
export async function destroyUserSessionIds(context: UserIndexContext, userId: string): Promise<number> {
  const nowMs = Date.now();
  const members = await readMembers(context, userId, nowMs);
  const deleted = await settleAll(
    members
      .filter((id) => isValidSessionId(id))
      .map((id) => runScript(context.client, DESTROY_OWNED_SCRIPT, sessionKey(context.prefix, id), [String(nowMs), userId])),
  );
  await removeFromUserIndex(context, userId, members);
  return deleted.filter((result) => result === 1).length;
}
