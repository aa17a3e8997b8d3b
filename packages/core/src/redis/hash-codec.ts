/**
 * Converting between a {@link StoredSession} and the fields of its Redis hash.
 *
 * @module
 */
import type { SessionMeta, StoredSession } from '../store.js';
import { DATA_FIELD_PREFIX, dataField, META_FIELDS } from './keys.js';

const INTEGER_PATTERN = /^-?\d+$/;

function parseInteger(text: string | undefined): number | undefined {
  if (text === undefined || !INTEGER_PATTERN.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * The hash fields of a session as a flat `[field, value, ...]` list, metadata included, ready to
 * be the tail of a script's ARGV.
 *
 * @param session - the session to store
 */
export function encodeSessionFields(session: StoredSession): string[] {
  const { meta, data } = session;
  const fields = [
    META_FIELDS.createdAt,
    String(meta.createdAt),
    META_FIELDS.absoluteDeadlineMs,
    String(meta.absoluteDeadlineMs),
  ];
  if (meta.userId !== undefined) fields.push(META_FIELDS.userId, meta.userId);
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value !== undefined) fields.push(dataField(key), value);
  }
  return fields;
}

/** A session read from its hash, with when its key expires (`m:expires`, app clock), if recorded. */
export interface DecodedSession {
  /** The session. */
  readonly session: StoredSession;
  /** When the key expires, ms since the epoch; `undefined` for a hash written before it was recorded. */
  readonly expiresAtMs: number | undefined;
  /** The user-index generation the session joined at (`m:gen`); 0 when absent. */
  readonly generation: number;
}

/**
 * The hash as a flat `[field, value, ...]` list, whatever shape the client answered in: a flat
 * array (script replies), ioredis's HGETALL object, or a Map.
 */
function flatFields(reply: unknown): unknown[] | undefined {
  if (Array.isArray(reply)) return reply;
  if (reply instanceof Map) return [...reply].flat();
  if (reply === null || typeof reply !== 'object') return undefined;
  // ioredis defines a field named `__proto__` or `constructor` as an own property (its issue
  // #1267), so Object.keys sees every field.
  const object = reply as Record<string, unknown>;
  const flat: unknown[] = [];
  for (const field of Object.keys(object)) flat.push(field, object[field]);
  return flat;
}

/**
 * Reads a session from its hash fields: a script's flat array, or HGETALL's reply as ioredis
 * converts it. Every field of ours has a prefix (`d:`, `m:`), so a field named `__proto__` is never
 * ours and is ignored, and data keys become own properties through `Object.fromEntries`, whatever
 * their name (`d:__proto__` is the data key `__proto__`, which the session then leaves out).
 *
 * @param reply - the script's or HGETALL's reply
 * @returns the session with its recorded expiry and user-index generation, or `undefined` when the
 *   reply is empty or the metadata is missing or corrupt (a corrupt key, or a tombstone, is "no
 *   session", never an error)
 */
export function decodeSession(reply: unknown): DecodedSession | undefined {
  const fields = flatFields(reply);
  if (fields === undefined || fields.length === 0 || fields.length % 2 !== 0) return undefined;
  const data: Array<[string, string]> = [];
  let createdText: string | undefined;
  let deadlineText: string | undefined;
  let expiresText: string | undefined;
  let generationText: string | undefined;
  let userId: string | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const field: unknown = fields[i];
    const value: unknown = fields[i + 1];
    if (typeof field !== 'string' || typeof value !== 'string') return undefined;
    if (field.startsWith(DATA_FIELD_PREFIX)) data.push([field.slice(DATA_FIELD_PREFIX.length), value]);
    else if (field === META_FIELDS.createdAt) createdText = value;
    else if (field === META_FIELDS.absoluteDeadlineMs) deadlineText = value;
    else if (field === META_FIELDS.expiresAt) expiresText = value;
    else if (field === META_FIELDS.generation) generationText = value;
    else if (field === META_FIELDS.userId) userId = value === '' ? undefined : value;
    // Any other field is not ours to interpret: ignored.
  }
  const createdAt = parseInteger(createdText);
  const absoluteDeadlineMs = parseInteger(deadlineText);
  if (createdAt === undefined || absoluteDeadlineMs === undefined) return undefined;
  const meta: SessionMeta =
    userId === undefined ? { createdAt, absoluteDeadlineMs } : { createdAt, absoluteDeadlineMs, userId };
  return {
    session: { data: Object.fromEntries(data), meta },
    expiresAtMs: parseInteger(expiresText),
    generation: parseInteger(generationText) ?? 0,
  };
}

/**
 * The first element of a status reply such as `['ok', ...]` or `['gone']`.
 *
 * @param reply - the script's reply
 */
export function replyStatus(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[0] === 'string' ? reply[0] : undefined;
}
