/**
 * Conformance suites and helpers for tests, at `@sessionkit/core/testing`. Imports vitest, an
 * optional peer dependency: never import this entry from production code.
 *
 * @module @sessionkit/core/testing
 */
export { eventually, newId, storedSession, testSecrets } from './helpers.js';
export {
  describeSessionStore,
  runStoreChecks,
  storeChecks,
  type RunStoreChecksOptions,
  type StoreSuiteOptions,
} from './store-suite.js';
export type { StoreCheck, StoreCheckGroup, StoreCheckResult } from './store-check.js';
export { TestClient, type TestResponse } from './test-client.js';
export { cookieValueOf, createTestJar, type TestJar } from './test-jar.js';
export { describeAdapter } from './adapter-suite.js';
export {
  type AdapterHarness,
  type ContractData,
  type ContractReply,
  type ContractRequest,
  type ContractRoute,
  contractRoutes,
  type ServedApp,
  type ServeInput,
} from './contract-routes.js';
export { forgeCookie, type ForgedPayload } from './forge-cookie.js';
