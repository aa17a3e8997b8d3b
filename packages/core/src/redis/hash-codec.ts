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
  const fields = [META_FIELDS.createdAt, String(meta.createdAt), META_FIELDS.absoluteDeadlineMs, String(meta.absoluteDeadlineMs)];
  if (meta.userId !== undefined) fields.push(META_FIELDS.userId, meta.userId);
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value !== undefined) fields.push(dataField(key), value);
  }
  return fields;
}

/**
 * Reads a session from a script reply holding its hash as a flat `[field, value, ...]` array.
 *
 * The reply is deliberately an array and not HGETALL's object conversion: ioredis builds that
 * object with `obj[field] = value`, which for a field named `__proto__` sets the prototype instead
 * of a key. Here data keys become own properties through `Object.fromEntries`, whatever their name.
 *
 * @param reply - the script's reply
 * @returns the session, or `undefined` when the reply is empty or the metadata is missing or
 *   corrupt (a corrupt key is "no session", never an error)
 */
export function decodeSessionHash(reply: unknown): StoredSession | undefined {
  if (!Array.isArray(reply) || reply.length === 0 || reply.length % 2 !== 0) return undefined;
  const data: Array<[string, string]> = [];
  let createdText: string | undefined;
  let deadlineText: string | undefined;
  let userId: string | undefined;
  for (let i = 0; i < reply.length; i += 2) {
    const field: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (typeof field !== 'string' || typeof value !== 'string') return undefined;
    if (field.startsWith(DATA_FIELD_PREFIX)) data.push([field.slice(DATA_FIELD_PREFIX.length), value]);
    else if (field === META_FIELDS.createdAt) createdText = value;
    else if (field === META_FIELDS.absoluteDeadlineMs) deadlineText = value;
    else if (field === META_FIELDS.userId) userId = value === '' ? undefined : value;
    // Any other field is not ours to interpret: ignored.
  }
  const createdAt = parseInteger(createdText);
  const absoluteDeadlineMs = parseInteger(deadlineText);
  if (createdAt === undefined || absoluteDeadlineMs === undefined) return undefined;
  const meta: SessionMeta = userId === undefined ? { createdAt, absoluteDeadlineMs } : { createdAt, absoluteDeadlineMs, userId };
  return { data: Object.fromEntries(data), meta };
}

/**
 * The first element of a status reply such as `['ok', ...]` or `['gone']`.
 *
 * @param reply - the script's reply
 */
export function replyStatus(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[0] === 'string' ? reply[0] : undefined;
}
