// The smallest possible adapter, on plain node:http: it proves the adapter suite itself, with no
// framework in the way, and shows what every adapter has to do.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CookieJar } from '../src/index.js';
import { describeAdapter, type ServeInput } from '../src/testing/index.js';

function createJar(req: IncomingMessage, res: ServerResponse): CookieJar {
  return {
    cookieHeader: req.headers.cookie,
    secure: false,
    appendSetCookie: (line) => void res.appendHeader('Set-Cookie', line),
    getHeader: (name) => res.getHeader(name),
    setHeader: (name, value) => void res.setHeader(name, value),
    headersSent: () => res.headersSent,
  };
}

/** Load, run the route, commit (also when it throws, the write is kept), then answer. */
async function respond(
  { manager, routes, onError }: ServeInput,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const session = await manager.load(createJar(req, res));
  const url = req.url ?? '/';
  const route = routes.find((r) => r.method === req.method && r.path === new URL(url, 'http://x').pathname);
  if (route === undefined) return void res.writeHead(404).end();
  const reply = await route.handle({ session, url, raw: res }).catch(async (error: unknown) => {
    await session.commit().catch(onError);
    throw error;
  });
  if (reply.cookie !== undefined) res.appendHeader('Set-Cookie', `${reply.cookie.name}=${reply.cookie.value}; Path=/`);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  await session.commit();
  if (reply.tail !== undefined) res.end(reply.tail);
  else if (reply.redirect !== undefined) res.writeHead(303, { location: reply.redirect }).end();
  else res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
}

describeAdapter('node:http reference', {
  async serve(input) {
    const server = createServer((req, res) => {
      respond(input, req, res).catch((error: unknown) => {
        input.onError(error);
        // The head is gone: abort, so the client sees a failure rather than a truncated success.
        if (res.headersSent) return void res.destroy();
        const status = (error as { status?: unknown }).status;
        res.writeHead(typeof status === 'number' ? status : 500).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
    };
  },
});
