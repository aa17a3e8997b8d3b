// koa-passport 6 ships no types: the part of @types/koa-passport 6 these tests use, until that
// package is a devDependency. Script file (no top-level import), so this is an ambient module.
declare module 'koa-passport' {
  import type { Middleware } from 'koa';
  import type passport from 'passport';

  type KoaAuthenticator = passport.Authenticator<Middleware, Middleware, Middleware>;

  interface KoaPassportStatic extends KoaAuthenticator {
    /** A passport instance of its own, already set up for Koa. */
    KoaPassport: new () => KoaAuthenticator;
  }

  const koaPassport: KoaPassportStatic;
  export = koaPassport;
}
