// @sessionkit/core/fetch: a plain `(request: Request) => Response` handler, no framework, served on
// Node by @hono/node-server, passes the adapter conformance suite. (@hono/node-server replaces the
// global Response with its own, whose redirect() has mutable headers: the bridge's own rules are
// tested in fetch-bridge.test.ts, on Node's.)
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { openSession } from '../src/fetch/index.js';
import { isSessionError } from '../src/index.js';
import { type ContractReply, describeAdapter, type ServeInput } from '../src/testing/index.js';

function toResponse(reply: ContractReply): Response {
  const headers = new Headers(reply.headers);
  if (reply.cookie !== undefined) headers.append('set-cookie', `${reply.cookie.name}=${reply.cookie.value}; Path=/`);
  if (reply.redirect !== undefined) {
    headers.set('location', reply.redirect);
    return new Response(null, { status: 303, headers });
  }
  headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(reply.json), { status: reply.status, headers });
}

/** The whole integration a fetch handler needs: open, run, finish (also for an error response). */
async function handle(
  { manager, routes, onError }: ServeInput,
  request: Request,
  { outgoing }: HttpBindings,
): Promise<Response> {
  const { session, finish } = await openSession(manager, request, { headersSent: () => outgoing.headersSent });
  const url = new URL(request.url);
  const route = routes.find((r) => r.method === request.method && r.path === url.pathname);
  if (route === undefined) return finish(new Response(null, { status: 404 }));
  let response: Response;
  let tail: string | undefined;
  try {
    const reply = await route.handle({ session, url: url.pathname + url.search, raw: outgoing });
    tail = reply.tail;
    response = toResponse(reply);
  } catch (error) {
    onError(error);
    response = new Response('Internal Server Error', { status: 500 });
  }
  const answer = await finish(response);
  if (tail === undefined) return answer;
  // The route answered through the Node response itself.
  outgoing.end(tail);
  return RESPONSE_ALREADY_SENT;
}

describeAdapter('fetch handler (@sessionkit/core/fetch)', {
  async serve(input) {
    const server = createAdaptorServer({
      // A plain HTTP/1 server: its bindings are HttpBindings.
      fetch: (request: Request, bindings) => {
        const env = bindings as HttpBindings;
        return handle(input, request, env).catch((error: unknown) => {
          input.onError(error);
          // The head is gone: abort, so the client sees a failure rather than a truncated success.
          if (env.outgoing.headersSent) {
            env.outgoing.destroy();
            return RESPONSE_ALREADY_SENT;
          }
          return new Response(null, { status: isSessionError(error) ? error.status : 500 });
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
    };
  },
});
