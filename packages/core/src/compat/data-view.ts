/**
 * What the express-session and koa-session views share: session data shown as the own, enumerable
 * properties of a Proxy, beside the names each view answers itself (its members). Each view keeps
 * its `get` trap (its members), its writes (its messages, koa-session's `maxAge`) and what happens
 * once `regenerate()` replaced it; the traps here make `for...in`, `Object.keys`, spread, JSON and
 * Passport's `merge(req.session, prevSession)` see the data, and only the data.
 *
 * Internal to `@sessionkit/core/compat`.
 *
 * @module
 */
import { SessionArgumentError } from '../errors.js';
import { VIEW_SESSION } from './passport-support.js';

/** @internal What `console.log(view)` calls: the view answers a copy of its data. */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * @internal The data keys a view shows: every own key of `data` but its members.
 *
 * @param data - the data the view shows
 * @param members - the names the view answers itself
 */
export function visibleKeys(data: Record<string, unknown>, members: ReadonlySet<string>): string[] {
  return Object.keys(data).filter((key) => !members.has(key));
}

/**
 * @internal The Proxy traps of a view's string keys but `get`: assigning, deleting, `in`, and the
 * own-property reflection that shows the data as own, enumerable, writable properties. Symbol keys
 * go to the target (other libraries may set some there); the view's session answers `VIEW_SESSION`.
 *
 * @param state - the view object's state: `data` is what it shows now (a copy once `regenerate()` replaced it)
 * @param members - the names the view answers itself: never data keys
 * @param memberError - the error for deleting a member
 * @param assertCurrent - throws when the view object was replaced, before a key is deleted from it
 * @param write - assigns a data key, or throws (a member, `__proto__`, a replaced view)
 */
export function dataTraps(
  state: { readonly data: Record<string, unknown> },
  members: ReadonlySet<string>,
  memberError: (key: string) => Error,
  assertCurrent: (key: string) => void,
  write: (key: string, value: unknown) => void,
): Required<
  Pick<
    ProxyHandler<object>,
    'set' | 'deleteProperty' | 'has' | 'ownKeys' | 'getOwnPropertyDescriptor' | 'defineProperty'
  >
> {
  return {
    set(target, key, value) {
      if (typeof key === 'symbol') return Reflect.set(target, key, value);
      write(key, value);
      return true;
    },
    deleteProperty(target, key) {
      if (typeof key === 'symbol') return Reflect.deleteProperty(target, key);
      if (members.has(key)) throw memberError(key);
      assertCurrent(key);
      delete state.data[key];
      return true;
    },
    has(target, key) {
      if (typeof key === 'symbol') return key === VIEW_SESSION || Reflect.has(target, key);
      return members.has(key) || Object.hasOwn(state.data, key) || key in Object.prototype;
    },
    // Data keys are own, enumerable properties; members are not enumerated, as on the originals.
    ownKeys(target) {
      return [...visibleKeys(state.data, members), ...Reflect.ownKeys(target)];
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === 'symbol') return Reflect.getOwnPropertyDescriptor(target, key);
      if (members.has(key) || !Object.hasOwn(state.data, key)) return undefined;
      return { value: state.data[key], writable: true, enumerable: true, configurable: true };
    },
    defineProperty(target, key, descriptor) {
      if (typeof key === 'symbol') return Reflect.defineProperty(target, key, descriptor);
      if (!('value' in descriptor)) throw new SessionArgumentError('sessionkit: session data cannot be an accessor.');
      write(key, descriptor.value);
      return true;
    },
  };
}
