import type { AddressInfo } from 'node:net';
import { testSecrets } from '@sessionkit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { PgStore } from '../src/pg-store.js';
import { testDatabase } from './database.js';

let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const { pool, schema, dispose } = await testDatabase('app');
  const store = new PgStore({ pool, schema });
  const server = createApp(store, [testSecrets[0].secret]).listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await dispose();
  };
});
afterAll(() => close?.());

/** A cookie jar of one session cookie. */
function client() {
  let cookie = '';
  return async (method: string, path: string): Promise<string> => {
    const response = await fetch(base + path, { method, headers: cookie ? { cookie } : {} });
    const set = response.headers.get('set-cookie');
    if (set !== null) cookie = set.split(';')[0] ?? '';
    return response.text();
  };
}

it('counts visits, logs in with a new id, and logs out everywhere on PostgreSQL', async () => {
  const laptop = client();
  const phone = client();
  expect(await laptop('GET', '/')).toBe('anonymous: visit 1\n');
  expect(await laptop('GET', '/')).toBe('anonymous: visit 2\n');
  expect(await laptop('POST', '/login/ada')).toBe('logged in as ada\n');
  expect(await laptop('GET', '/')).toBe('ada: visit 3\n');
  await phone('POST', '/login/ada');
  expect(await phone('GET', '/')).toBe('ada: visit 1\n');
  expect(await phone('POST', '/logout-everywhere')).toBe('ended 2 session(s)\n');
  expect(await laptop('GET', '/')).toBe('anonymous: visit 1\n');
});
