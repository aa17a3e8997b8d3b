/**
 * A real ioredis client wrapped to record which of RedisStore's scripts (and plain commands) each
 * store call sent, so tests can assert round trips ("load is one command") without mocking Redis.
 */
import type { RedisClientLike } from '../../src/redis/index.js';
import type { LuaScript } from '../../src/redis/lua-script.js';
import * as sessionScripts from '../../src/redis/session-scripts.js';
import * as indexScripts from '../../src/redis/user-index-scripts.js';

const names = new Map<string, string>(
  [...Object.entries(sessionScripts), ...Object.entries(indexScripts)]
    .filter(([, script]) => typeof script === 'object')
    .map(([exportName, script]) => [(script as LuaScript).sha1, exportName]),
);

/** The wrapped client and the script names (export names, e.g. `LOAD_SCRIPT`) it ran, in order. */
export function countingClient(inner: RedisClientLike): { client: RedisClientLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    client: {
      hgetall: (key) => {
        calls.push('HGETALL');
        return inner.hgetall(key);
      },
      evalsha: (sha1, numKeys, ...args) => {
        calls.push(names.get(sha1) ?? `unknown ${sha1}`);
        return inner.evalsha(sha1, numKeys, ...args);
      },
      eval: (script, numKeys, ...args) => {
        calls.push(`EVAL ${names.get(sessionScriptSha(script)) ?? 'unknown'}`);
        return inner.eval(script, numKeys, ...args);
      },
    },
  };
}

function sessionScriptSha(source: string): string {
  for (const script of [...Object.values(sessionScripts), ...Object.values(indexScripts)] as LuaScript[]) {
    if (script.source === source) return script.sha1;
  }
  return '';
}
