/**
 * What the three demos show, shared so that switching frameworks changes nothing a user sees: the
 * session data type, the login steps, the pages and their texts. Each page says where it stands in
 * one sentence, `<p id="status">`, which the tests read.
 *
 * CSRF: every state-changing action is a POST form, and the session cookie is SameSite=Lax, so a
 * browser does not send it with a POST that another site starts: a foreign page cannot log you out
 * everywhere. That suffices for this demo. Real apps add a CSRF token all the same: Lax does not
 * stop sibling subdomains (same site), nor login CSRF (a foreign form that logs your browser into
 * the attacker's account needs no cookie at all). `GET /logout` stays for links and old scripts.
 *
 * @module
 */
import type { Session, SessionManager } from '@sessionkit/core';
import { storeName } from './example-config.js';

declare module '@sessionkit/core' {
  interface SessionData {
    username: string;
    visits: number;
  }
}

/** Escapes text for HTML, so a user name can never inject markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The status of `GET /` for a visitor who is not logged in. */
export const NOT_LOGGED_IN = 'You are not logged in';

/** The answer (400, plain text) to a login form without a usable name. */
export const BAD_USERNAME = 'A username of 1 to 100 characters is required';

/** The status of `GET /` for a logged-in user, as HTML (the name escaped). */
export function loggedInStatus(username: string, visits: number): string {
  return `Logged in as ${escapeHtml(username)}. Visits: ${visits}`;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:0 1rem 2rem;color:#1b1b1f}
header{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem;padding:.75rem 0;border-bottom:1px solid #d0d0d7;margin-bottom:1rem}
h1{font-size:1.1rem;margin:0}h2{font-size:1rem;margin:1.5rem 0 .5rem}header span,.hint,dt{color:#55555f}
#status{font-size:1.25rem;font-weight:600}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dd{margin:0;overflow-wrap:anywhere}
ul{padding-left:1.25rem}code{font:.9em ui-monospace,monospace}.current{font-weight:600}
form.inline{display:inline}button,input{font:inherit}button{padding:.35rem .9rem;cursor:pointer}
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.5rem}}`;

/** A whole page: the header names the demo and the framework it runs on. */
function page(framework: string, title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · sessionkit demo</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>sessionkit demo</h1><span id="framework">on ${escapeHtml(framework)}</span></header>
<main>
${main}
</main>
</body>
</html>
`;
}

/** The page of `GET /` for a visitor who is not logged in. */
export function visitorPage(framework: string): string {
  return page(
    framework,
    'Not logged in',
    `<p id="status">${NOT_LOGGED_IN}</p>
<p><a href="/login">Log in</a> to start a session.</p>
<p class="hint">Until then there is no session: no cookie is set and the store is never asked.</p>`,
  );
}

/** The login form of `GET /login`. */
export function loginPage(framework: string): string {
  return page(
    framework,
    'Log in',
    `<h2>Log in</h2>
<form method="post" action="/login">
  <p><label>Name <input name="username" autocomplete="username" required maxlength="100"></label></p>
  <p><label><input type="checkbox" name="remember" value="on"> Remember me</label></p>
  <button type="submit">Log in</button>
</form>
<p class="hint">Any name will do: this demo has no passwords. Without "Remember me" the cookie ends with the browser session.</p>`,
  );
}

/** What the user's page shows besides the session itself. */
export interface UserView {
  /** The value `session.increment('visits')` resolved. */
  readonly visits: number;
  /** `manager.listUserSessions(userId)`. */
  readonly sessionIds: readonly string[];
  /** The manager, for the store, the idle timeout and the clock. */
  readonly manager: Pick<SessionManager<object>, 'options'>;
  /** The port this instance received the request on (`socket.localPort`). */
  readonly port: number | undefined;
}

/** A time as ISO-8601 UTC to the second, and how far away it is. */
function when(ms: number, nowMs: number): string {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const seconds = Math.max(0, Math.round((ms - nowMs) / 1000));
  const away = seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
  return `<time datetime="${iso}">${iso}</time> (in ${away})`;
}

/** The first characters of a session id: enough to tell sessions apart, too few to use one. */
export const shortId = (id: string): string => id.slice(0, 8);

/** The page of `GET /` for a logged-in user: the visit count, the session made visible, and the user's sessions. */
export function userPage(framework: string, session: Session, view: UserView): string {
  const { options } = view.manager;
  const nowMs = options.now();
  const deadlineMs = session.absoluteDeadlineMs;
  // This request slid the idle expiry, so it is now + the idle timeout, but never past the deadline.
  const idleMs = Math.min(nowMs + options.idleTimeoutMs, deadlineMs ?? Infinity);
  const sessions = [...view.sessionIds]
    .sort((a, b) => Number(b === session.id) - Number(a === session.id) || a.localeCompare(b))
    .map((id) =>
      id === session.id
        ? `<li class="current"><code>${escapeHtml(shortId(id))}</code>… (this session)</li>`
        : `<li><code>${escapeHtml(shortId(id))}</code>…</li>`,
    );
  return page(
    framework,
    'Logged in',
    `<p id="status">${loggedInStatus(session.data.username ?? '', view.visits)}</p>
<p class="hint">Reload to count: every visit is one atomic increment in the store, exact under any number of parallel requests.</p>
<form class="inline" method="post" action="/logout"><button type="submit">Log out</button></form>
<h2>This session</h2>
<dl>
<dt>Served by</dt><dd id="instance">port ${view.port ?? '?'}, process ${process.pid}</dd>
<dt>Store</dt><dd id="store">${escapeHtml(storeName(options.store))}</dd>
<dt>Idles out</dt><dd id="idle">${when(idleMs, nowMs)} unless you come back sooner</dd>
<dt>Ends at the latest</dt><dd id="deadline">${deadlineMs === undefined ? '?' : when(deadlineMs, nowMs)} however active you are</dd>
<dt>Cookie</dt><dd id="cookie">${
      session.isPersistent
        ? 'persistent ("Remember me"): it survives a browser restart, and expires with the session'
        : 'browser session: it is gone when the browser closes'
    }</dd>
</dl>
<h2>Your sessions</h2>
<ul id="sessions">
${sessions.join('\n')}
</ul>
<form class="inline" method="post" action="/logout-everywhere"><button type="submit">Log out everywhere</button></form>
<p class="hint">Log in with the same name in another browser (or, with REDIS_URL set, on another instance of this demo): that session shows up here, and "Log out everywhere" ends them all.</p>`,
  );
}

/** The login form's fields, or `undefined` when the name is missing, blank or too long. */
export function readLoginForm(body: unknown): { username: string; remember: boolean } | undefined {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const username = typeof form['username'] === 'string' ? form['username'].trim() : '';
  if (username.length === 0 || username.length > 100) return undefined;
  return { username, remember: form['remember'] === 'on' };
}

/**
 * Logs a session in as `username`.
 *
 * A new id at login, so an id planted or seen before login (session fixation) is worthless. And an
 * empty session under it (`keepData: false`): nothing from before the login is worth keeping here,
 * and a visitor's pre-login data may have been planted; above all, logging in as someone else must
 * not carry the previous user's visit count over. An app with a pre-login cart would keep the data
 * (`regenerate()`) and re-check it instead. When the old session ended meanwhile (a double-clicked
 * login already replaced it, or a logout raced this request), `keepData: false` still starts the
 * new, empty session: the login goes through, where `regenerate()` would reject with GONE (409).
 */
export async function logIn(session: Session, username: string, remember: boolean): Promise<void> {
  await session.regenerate({ keepData: false });
  session.data.username = username;
  session.setUserId(username);
  session.persist(remember);
}
