/**
 * Passport (passport-local), connect-flash and csrf-sync on sessionkit: the middleware of an
 * express-session app, unchanged, on the express-session view. The one change from such an app is
 * the session line: `session(manager, { compat: 'express-session' })` instead of `session({...})`
 * from express-session (see docs/migrating-from-express-session.md).
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { isSessionError, type SessionManager } from '@sessionkit/core';
import { sessionOf } from '@sessionkit/core/compat';
import { session } from '@sessionkit/express';
import flash from 'connect-flash';
import { csrfSync } from 'csrf-sync';
import express, { type ErrorRequestHandler, type Express } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';

// req.session is the express-session view in this app (the runtime option below), and these are
// the keys the middleware keeps in it.
declare module '@sessionkit/express' {
  interface ExpressSessionTypes {
    compat: 'express-session';
  }
}
declare module '@sessionkit/core' {
  interface SessionData {
    /** Passport: the serialized user. */
    passport: { user?: string };
    /** connect-flash: messages waiting for the next page. */
    flash: Record<string, string[]>;
    /** csrf-sync: the session's token. */
    csrfToken: string | null;
    /** Pages seen while logged in, counted atomically. */
    visits: number;
  }
}
declare global {
  // biome-ignore lint/suspicious/noRedeclare: merges into Express's own namespace (the user type Passport stores)
  namespace Express {
    interface User {
      id: string;
      name: string;
    }
  }
}

const hash = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

/** A user of the demo, with a scrypt hash of the password. */
interface Account {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

async function account(id: string, username: string, name: string, password: string): Promise<Account> {
  const salt = randomBytes(16);
  return { id, username, name, salt, hash: await hash(password, salt, 32) };
}

/** The demo's users: alice / wonderland and bob / builder. */
const accounts = Promise.all([account('1', 'alice', 'Alice', 'wonderland'), account('2', 'bob', 'Bob', 'builder')]);
const UNKNOWN_SALT = randomBytes(16);

/** The account whose password matches, hashing even for unknown names so both take the same time. */
async function verify(username: string, password: string): Promise<Account | undefined> {
  const found = (await accounts).find((candidate) => candidate.username === username);
  const attempt = await hash(password, found?.salt ?? UNKNOWN_SALT, 32);
  return found !== undefined && timingSafeEqual(attempt, found.hash) ? found : undefined;
}

/** Escapes text for HTML, so a name or a message can never inject markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const page = (title: string, body: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title>\n${body}\n`;

/** The demo app on a session manager shared with the caller (who owns the store). */
export function createApp(manager: SessionManager<object>): Express {
  const auth = new passport.Passport();
  auth.use(
    new LocalStrategy((username, password, done) => {
      verify(username, password).then((found) => {
        if (found === undefined) done(null, false, { message: 'Wrong name or password' });
        else done(null, { id: found.id, name: found.name });
      }, done);
    }),
  );
  auth.serializeUser((user, done) => done(null, user.id));
  auth.deserializeUser((id: string, done) => {
    accounts.then((all) => {
      const found = all.find((candidate) => candidate.id === id);
      done(null, found === undefined ? false : { id: found.id, name: found.name });
    }, done);
  });
  // csrf-sync keeps its token in req.session.csrfToken (its default); HTML forms send it as a field.
  const { csrfSynchronisedProtection } = csrfSync({
    getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : undefined),
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  // The one line that differs from an express-session app.
  app.use(session(manager, { compat: 'express-session' }));
  app.use(flash());
  app.use(auth.session());
  app.use(csrfSynchronisedProtection);

  app.get('/', async (req, res) => {
    if (!req.isAuthenticated()) {
      res.type('html').send(page('Welcome', '<p>You are not logged in. <a href="/login">Log in</a></p>'));
      return;
    }
    // sessionkit's atomic counter, reached through the view: exact under concurrent requests.
    const visits = await sessionOf(req.session).increment('visits');
    const greeting = `<p>Logged in as ${escapeHtml(req.user.name)}. Visits: ${visits}</p>`;
    const logout = `<form method="post" action="/logout">
  <input type="hidden" name="_csrf" value="${req.csrfToken?.()}">
  <button type="submit">Log out</button>
</form>`;
    res.type('html').send(page('Welcome', `${greeting}\n${logout}`));
  });

  app.get('/login', (req, res) => {
    const errors = req
      .flash('error')
      .map((message) => `<p role="alert">${escapeHtml(message)}</p>`)
      .join('\n');
    res.type('html').send(
      page(
        'Log in',
        `${errors}<form method="post" action="/login">
  <input type="hidden" name="_csrf" value="${req.csrfToken?.()}">
  <label>Name <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>`,
      ),
    );
  });

  // Passport regenerates the session (a new id, empty data) and saves it before the redirect.
  app.post(
    '/login',
    auth.authenticate('local', { successRedirect: '/', failureRedirect: '/login', failureFlash: true }),
  );

  app.post('/logout', (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect(303, '/')));
  });

  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (isSessionError(error)) {
      // 503 when the store is down: the client may retry; nothing was written.
      if (error.status === 503) res.set('Retry-After', '1');
      const message = error.status === 503 ? 'Session store unavailable, try again' : error.message;
      res.status(error.status).type('text/plain').send(message);
      return;
    }
    if ((error as { code?: unknown }).code === 'EBADCSRFTOKEN') {
      res.status(403).type('text/plain').send('This form has expired: reload the page and try again');
      return;
    }
    next(error);
  };
  app.use(onError);
  return app;
}
