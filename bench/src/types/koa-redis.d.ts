/** The part of koa-redis 4 the bench uses (the package ships no types). */
declare module 'koa-redis' {
  interface KoaRedisStore {
    get(key: string, maxAge: number | 'session' | undefined, options: object): Promise<unknown>;
    set(key: string, value: unknown, maxAge: number | 'session' | undefined, options: object): Promise<void>;
    destroy(key: string, options: object): Promise<void>;
    quit(): Promise<unknown>;
    readonly client: { ping(): Promise<string> };
  }

  export default function redisStore(options: { host: string; port: number; keyPrefix?: string }): KoaRedisStore;
}
