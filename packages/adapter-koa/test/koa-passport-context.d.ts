// What koa-passport adds to Koa's context (as @types/koa-passport declares it).
import 'koa';

declare module 'koa' {
  interface ExtendableContext {
    login(user: unknown, options?: Record<string, unknown>): Promise<void>;
    logIn(user: unknown, options?: Record<string, unknown>): Promise<void>;
    logout(options?: Record<string, unknown>): Promise<void>;
    logOut(options?: Record<string, unknown>): Promise<void>;
    isAuthenticated(): boolean;
    isUnauthenticated(): boolean;
  }
}
