/**
 * What the three demos show, shared so that switching frameworks changes nothing a user sees: the
 * session data type, the pages and their texts.
 *
 * @module
 */

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

/** The login form of `GET /login`. */
export const LOGIN_FORM = `<!doctype html><title>Log in</title>
<form method="post" action="/login">
  <label>Name <input name="username" autocomplete="username" required maxlength="100"></label>
  <button type="submit">Log in</button>
</form>`;

/** The text of `GET /` for a visitor who is not logged in. */
export const NOT_LOGGED_IN = 'You are not logged in';

/** The page of `GET /` for a logged-in user. */
export function loggedInPage(username: string, visits: number): string {
  return `Logged in as ${escapeHtml(username)}. Visits: ${visits}`;
}
