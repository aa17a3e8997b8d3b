/**
 * The floor every framework is measured against: its bare server plus the fewest Redis round
 * trips a server-side session can cost in each scenario, made with ioredis and nothing else.
 * read = 1 GET; write = GET + SET; increment = GET + INCR; new session = 1 SET; anonymous = none.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { IDLE_TIMEOUT_S, LOGIN_DATA } from './shared.js';

/** The Redis operations of the floor, one per scenario. */
export interface FloorRedis {
  /** One GET: what reading a session costs at least. */
  read(): Promise<string | null>;
  /** GET then SET: a session read, then one key written back. */
  write(seq: number): Promise<void>;
  /** GET then INCR: a session read, then a counter bumped. */
  increment(): Promise<number>;
  /** One SET with a TTL: storing a session created by this request. */
  create(seq: number): Promise<void>;
  /** Quits the client. */
  close(): Promise<unknown>;
}

const KEY = 'floor:session';
const COUNTER_KEY = 'floor:counter';
const VALUE = JSON.stringify(LOGIN_DATA);

/** Connects to the bench's Redis and seeds the key the floor reads. */
export async function createFloorRedis(redisPort: number): Promise<FloorRedis> {
  const redis = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true });
  await redis.connect();
  await redis.set(KEY, VALUE, 'EX', IDLE_TIMEOUT_S);
  return {
    read: () => redis.get(KEY),
    async write(seq) {
      await redis.get(KEY);
      await redis.set(KEY, JSON.stringify({ ...LOGIN_DATA, seq }), 'EX', IDLE_TIMEOUT_S);
    },
    async increment() {
      await redis.get(KEY);
      return redis.incr(COUNTER_KEY);
    },
    async create(seq) {
      await redis.set(`floor:new:${process.pid}:${seq}`, VALUE, 'EX', IDLE_TIMEOUT_S);
    },
    close: () => redis.quit(),
  };
}
