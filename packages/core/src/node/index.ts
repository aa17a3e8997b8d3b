/**
 * `@sessionkit/core/node`: what any framework built on Node's `ServerResponse` needs to commit a
 * session before its response leaves: the cookie bridge and the response hold. `@sessionkit/express`
 * is these plus Express's typing and error path.
 *
 * @module @sessionkit/core/node
 */
export { applyWriteHeadHeaders, holdUntilCommitted } from './hold-response.js';
export { NodeResponseJar } from './response-jar.js';
