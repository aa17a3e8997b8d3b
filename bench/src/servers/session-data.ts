/**
 * The session data the bench servers keep, declared once so `session.data` is typed in every
 * sessionkit server.
 *
 * @module
 */
declare module '@sessionkit/core' {
  interface SessionData {
    user: string;
    role: string;
    prefs: { theme: string; lang: string; tz: string };
    n: number;
    seq: number;
  }
}

export {};
