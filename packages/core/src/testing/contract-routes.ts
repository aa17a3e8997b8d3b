/**
 * The fixed routes of the adapter conformance suite, described without any framework: what each
 * does with the session and what it answers. A harness mounts them on its framework; the suite
 * then checks over HTTP that every framework behaves the same.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { SessionManager } from '../manager.js';
import type { Session } from '../session.js';

/** The session data the contract routes use (an open record, as `DefaultSessionData` is when not augmented). */
export type ContractData = Record<string, unknown>;

/** What a contract route gets from the harness. */
export interface ContractRequest {
  /** The session the adapter attached to the request (`req.session`, `ctx.session`, `request.session`). */
  readonly session: Session<ContractData>;
  /** The request path with its query string, e.g. `/write?value=a`. */
  readonly url: string;
  /**
   * The framework's underlying Node response (`res`, `ctx.res`, `reply.raw`). Only the streaming
   * route uses it, to send the headers before the session is committed, as a streamed response does.
   */
  readonly raw: ServerResponse;
}

/** What a contract route answers; the harness turns it into its framework's response. */
export interface ContractReply {
  /** The status code; ignored when `redirect` is set. */
  readonly status: number;
  /** A JSON body. */
  readonly json?: unknown;
  /** Redirect here with a 303, using the framework's redirect. */
  readonly redirect?: string;
  /** A cookie the app sets itself, with the framework's own cookie helper (or a Set-Cookie append). */
  readonly cookie?: { readonly name: string; readonly value: string };
  /** Response headers the app sets itself. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The last chunk of a response whose head the route already sent through `raw`: end the response
   * with it the framework's way (Express `res.end`, Koa `ctx.body`, Fastify `reply.send`).
   */
  readonly tail?: string;
}

/** One contract route. */
export interface ContractRoute {
  readonly method: 'GET' | 'POST';
  /** An exact path, without a query string. */
  readonly path: string;
  /** Runs the route. A rejection must reach the framework's error path, as a thrown handler error would. */
  handle(request: ContractRequest): Promise<ContractReply>;
}

/** What the suite gives a harness. */
export interface ServeInput {
  /** The manager to mount with the adapter under test. */
  readonly manager: SessionManager<ContractData>;
  /** The routes to mount, each at its method and path. */
  readonly routes: readonly ContractRoute[];
  /** Call it with every error that reaches the framework's error path, then let the framework answer as usual. */
  readonly onError: (error: unknown) => void;
}

/** A running app. */
export interface ServedApp {
  /** Its base URL, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  /** Stops it and resolves once it is closed. */
  close(): Promise<void>;
}

/** How the suite starts an app on the adapter under test. */
export interface AdapterHarness {
  /** Mounts the adapter and the routes on a fresh app listening on 127.0.0.1, port 0. */
  serve(input: ServeInput): Promise<ServedApp>;
}

/** The message of the error the `/throw-after-write` route throws. */
export const THROWN_MESSAGE = 'contract: thrown after a session write';

function query(url: string, name: string): string {
  return new URL(url, 'http://contract.invalid').searchParams.get(name) ?? '';
}

const ok = (json: unknown): ContractReply => ({ status: 200, json });

/** The routes every harness mounts. */
export const contractRoutes: readonly ContractRoute[] = [
  {
    method: 'GET',
    path: '/read',
    handle: async ({ session }) => ok({ isNew: session.isNew, data: session.data }),
  },
  {
    method: 'POST',
    path: '/write',
    handle: async ({ session, url }) => {
      session.data['note'] = query(url, 'value');
      return ok({ data: session.data });
    },
  },
  {
    method: 'POST',
    path: '/write-redirect',
    handle: async ({ session, url }) => {
      session.data['note'] = query(url, 'value');
      return { status: 303, redirect: '/read' };
    },
  },
  {
    method: 'POST',
    path: '/remember',
    handle: async ({ session }) => {
      session.persist();
      session.data['note'] = 'remembered';
      return ok({ data: session.data });
    },
  },
  {
    method: 'POST',
    path: '/increment',
    handle: async ({ session }) => ok({ counter: await session.increment('counter') }),
  },
  {
    method: 'POST',
    path: '/login',
    handle: async ({ session, url }) => {
      await session.regenerate();
      session.data['name'] = query(url, 'name');
      return { status: 303, redirect: '/read' };
    },
  },
  {
    method: 'POST',
    path: '/logout',
    handle: async ({ session }) => {
      await session.destroy();
      return ok({ destroyed: true });
    },
  },
  {
    method: 'POST',
    path: '/app-cookie',
    handle: async ({ session }) => {
      session.data['note'] = 'beside an app cookie';
      return {
        status: 200,
        json: { data: session.data },
        cookie: { name: 'app', value: 'kept' },
        headers: { Vary: 'Accept-Encoding', 'Cache-Control': 'private, max-age=0' },
      };
    },
  },
  {
    method: 'POST',
    path: '/throw-after-write',
    handle: async ({ session }) => {
      session.data['note'] = 'written before the throw';
      throw new Error(THROWN_MESSAGE);
    },
  },
  {
    method: 'POST',
    path: '/stream',
    handle: async ({ session, raw }) => {
      raw.writeHead(200, { 'content-type': 'text/plain' });
      // Resolves once the chunk (and so the head) is handed to the socket: the headers are gone.
      await new Promise<void>((resolve, reject) =>
        raw.write('partial ', (error) => (error ? reject(error) : resolve())),
      );
      session.data['note'] = 'written after the headers left';
      return { status: 200, tail: 'rest' };
    },
  },
];
