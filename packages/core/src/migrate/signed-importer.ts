/**
 * What the importers of express-session, @fastify/session and koa-session set up alike: the options
 * every importer takes, the old library's secrets and its HMAC algorithm, validated in that order;
 * and the fields of an {@link Importer} that come straight from those options. Each importer keeps
 * its own cookie format (`verify`), store key and record reading.
 *
 * @module
 */
import {
  configError,
  type Importer,
  type ImporterOptions,
  type ResolvedImporterOptions,
  resolveImporterOptions,
  resolveSecretList,
} from './importer.js';
import { supportsHmac } from './old-cookie.js';

/** @internal How one old library names and defaults what {@link resolveSignedImporter} checks. */
export interface SignedImporterDefaults {
  /** The old library's default cookie name. */
  readonly cookieName: string;
  /** The old store's default key prefix. */
  readonly prefix: string;
  /** The option that holds the secrets, for messages: `secrets`, or `keys` (koa-session's `app.keys`). */
  readonly secretsOption: string;
  /** The HMAC algorithm when the options name none. */
  readonly algorithm: string;
  /** Added to the message about an algorithm this Node.js build lacks. */
  readonly algorithmHint?: string;
}

/** @internal {@link ResolvedImporterOptions} with the old library's secrets and HMAC algorithm. */
export interface ResolvedSignedImporter extends ResolvedImporterOptions {
  /** Every secret verifies; the first is the one the old library signed with. */
  readonly secrets: readonly (string | Buffer)[];
  /** An HMAC algorithm this Node.js build has. */
  readonly algorithm: string;
}

/**
 * @internal Validates an importer's options: the shared ones, then the secrets, then the algorithm.
 * Throws a `SessionConfigError` naming `peer` at the first that is wrong.
 *
 * @param peer - the old library, for messages
 * @param options - the importer's options
 * @param secrets - the value of its secrets option
 * @param algorithm - the value of its `algorithm` option (`undefined` for the default)
 * @param defaults - the old library's defaults and names
 */
export function resolveSignedImporter(
  peer: string,
  options: ImporterOptions,
  secrets: unknown,
  algorithm: unknown,
  defaults: SignedImporterDefaults,
): ResolvedSignedImporter {
  const common = resolveImporterOptions(peer, options, defaults.cookieName, defaults.prefix);
  const secretList = resolveSecretList(peer, defaults.secretsOption, secrets);
  const chosen = algorithm ?? defaults.algorithm;
  if (!supportsHmac(chosen)) {
    configError(
      peer,
      `algorithm ${JSON.stringify(chosen)} is not an HMAC algorithm of this Node.js build${defaults.algorithmHint ?? ''}.`,
    );
  }
  return { ...common, secrets: secretList, algorithm: chosen };
}

/**
 * @internal The fields of an importer that are its resolved options as they are.
 *
 * @param peer - the old library
 * @param resolved - its resolved options
 */
export function optionFields(
  peer: string,
  resolved: ResolvedImporterOptions,
): Pick<Importer, 'peer' | 'cookieName' | 'client' | 'map' | 'maxRecordBytes' | 'forwardTtlMs'> {
  return {
    peer,
    cookieName: resolved.cookie.name,
    client: resolved.client,
    map: resolved.map,
    maxRecordBytes: resolved.maxRecordBytes,
    forwardTtlMs: resolved.forwardTtlMs,
  };
}
