import { describe, expect, it } from 'vitest';
import {
  adminCommand,
  commandStats,
  freePort,
  parseCommandStats,
  recordingStore,
  startRedis,
  until,
} from '../src/index.js';

describe('recordingStore', () => {
  it('records every method call by name, passes it through unchanged, and forgets on reset', async () => {
    const inner = {
      size: 3,
      async load(id: string) {
        return `loaded ${id}`;
      },
      touch() {
        return this.size;
      },
    };
    const { store, calls, reset } = recordingStore(inner);
    expect(await store.load('a')).toBe('loaded a');
    expect(store.touch()).toBe(3);
    expect(store.size).toBe(3);
    expect(calls).toEqual(['load', 'touch']);
    reset();
    expect(calls).toEqual([]);
  });
});

describe('until', () => {
  it('counts a throwing check as not yet, and names what it waited for on timeout', async () => {
    let tries = 0;
    await until(
      async () => {
        tries += 1;
        if (tries < 3) throw new Error('not up');
        return true;
      },
      1_000,
      'the third try',
      5,
    );
    expect(tries).toBe(3);
    await expect(until(async () => false, 30, 'never', 5)).rejects.toThrow('timed out after 30 ms waiting until never');
  });
});

describe('parseCommandStats', () => {
  it('reads calls and time per command', () => {
    const info =
      '# Commandstats\r\ncmdstat_get:calls=2,usec=5,usec_per_call=2.50\r\ncmdstat_client|setinfo:calls=1,usec=1,usec_per_call=1.00\r\n';
    expect(parseCommandStats(info)).toEqual(
      new Map([
        ['get', { calls: 2, usec: 5 }],
        ['client|setinfo', { calls: 1, usec: 1 }],
      ]),
    );
  });
});

describe('startRedis', () => {
  it('starts a private redis-server on a free port, which pauses, resumes, restarts empty and stops', async () => {
    expect(await freePort()).toBeGreaterThan(0);
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      await adminCommand(redis.port, 'SET', 'k', 'v');
      expect((await commandStats(redis.port)).get('set')?.calls).toBe(1);
      redis.pause();
      await expect(adminCommand(redis.port, 'PING')).rejects.toThrow();
      redis.resume();
      expect(await adminCommand(redis.port, 'PING')).toBe('PONG');
      await redis.restart();
      expect(await adminCommand(redis.port, 'GET', 'k')).toBeNull();
    } finally {
      await redis.dispose();
    }
    await expect(adminCommand(redis.port, 'PING')).rejects.toThrow();
  });

  it('with appendOnly, keeps every acknowledged write across a kill and a restart', async () => {
    const redis = await startRedis({ appendOnly: true });
    try {
      await adminCommand(redis.port, 'SET', 'k', 'kept');
      await redis.kill();
      await redis.restart();
      expect(await adminCommand(redis.port, 'GET', 'k')).toBe('kept');
    } finally {
      await redis.dispose();
    }
  });
});
