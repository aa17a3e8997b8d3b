/**
 * A fingerprint of the built packages the servers import (packages/*\/dist): taken when the run
 * starts and again when it ends, so a rebuild in the middle of a run (servers start throughout it)
 * is reported instead of silently mixing two versions in one table.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES_DIR = fileURLToPath(new URL('../../packages/', import.meta.url));

/** SHA-256 over the names and contents of every .js file in packages/*\/dist, first 12 hex digits. */
export function buildFingerprint(): string {
  const hash = createHash('sha256');
  for (const pkg of readdirSync(PACKAGES_DIR).sort()) {
    const dist = join(PACKAGES_DIR, pkg, 'dist');
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist)
      .filter((name) => name.endsWith('.js'))
      .sort()) {
      hash.update(`${pkg}/${file}\0`).update(readFileSync(join(dist, file)));
    }
  }
  return hash.digest('hex').slice(0, 12);
}
