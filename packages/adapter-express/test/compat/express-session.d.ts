// express-session ships no types (and @types/express-session would declare its own req.session):
// the contrast test in guarantees.test.ts needs only its factory.
declare module 'express-session' {
  import type { RequestHandler } from 'express';

  interface Options {
    secret: string;
    resave: boolean;
    saveUninitialized: boolean;
  }
  export default function expressSession(options: Options): RequestHandler;
}
