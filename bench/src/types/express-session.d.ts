/** The part of express-session 1.19 the bench uses (@types/express-session is not installed). */
declare module 'express-session' {
  import type { RequestHandler } from 'express';

  /** express-session's store base class (connect-redis extends it). */
  export class Store {}

  interface SessionOptions {
    name?: string;
    secret: string | string[];
    store?: Store;
    resave?: boolean;
    saveUninitialized?: boolean;
    rolling?: boolean;
    cookie?: {
      path?: string;
      httpOnly?: boolean;
      sameSite?: 'lax' | 'strict' | 'none' | boolean;
      secure?: boolean;
      maxAge?: number;
    };
  }

  export default function session(options: SessionOptions): RequestHandler;
}
