/**
 * The typing an app that opts into the express-session view writes once (see
 * docs/migrating-from-express-session.md): `req.session` is the view, with these data keys. The
 * tests import the adapter from its source, so they augment that module; an app augments
 * '@sessionkit/express'.
 */
import type {} from '../../src/index.js';

declare module '../../src/index.js' {
  interface ExpressSessionTypes {
    compat: 'express-session';
  }
}

declare module '@sessionkit/core' {
  interface SessionData {
    /** Passport's login state (`req.session.passport.user`). */
    passport: { user?: string };
    /** connect-flash's queue. */
    flash: Record<string, string[]>;
    /** Passport's failure messages (`failureMessage: true`). */
    messages: string[];
    /** csrf-sync's token with its default storage. */
    csrfToken: string | null;
    /** What a visitor put in before logging in. */
    cart: string[];
    /** A counter for the atomic increment test. */
    count: number;
    /** Written by the slow request of the logout race. */
    slow: string;
    /** The disjoint keys of the concurrent-writes test. */
    [key: `k${number}`]: string;
  }
}

declare global {
  namespace Express {
    interface User {
      id: string;
      name: string;
    }
  }
}
