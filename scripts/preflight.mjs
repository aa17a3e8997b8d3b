// The first step of `npm test`: makes sure the programs the tests start themselves are installed.
// The tests run their own Redis servers (standalone, Cluster, Sentinel) on free ports and drive
// Debian's Chromium, so on a fresh machine this installs what is missing from Debian's packages
// when it can (root with apt-get), and otherwise stops at once with the exact command to run.
// No suite is ever skipped for a missing program: it is installed, or the run does not start.
import { spawnSync } from 'node:child_process';

/** Each program the tests need, with the Debian package that provides it. */
const NEEDED = [
  { command: 'redis-server', pkg: 'redis-server' },
  { command: 'redis-cli', pkg: 'redis-tools' },
  { command: 'redis-sentinel', pkg: 'redis-sentinel' },
  { command: 'chromium', pkg: 'chromium' },
];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

const missing = NEEDED.filter(({ command }) => !has(command));
if (missing.length === 0) {
  console.log(`preflight: ${NEEDED.map(({ command }) => command).join(', ')} found`);
  process.exit(0);
}

const packages = [...new Set(missing.map(({ pkg }) => pkg))];
const installCommand = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
const missingList = missing.map(({ command }) => command).join(', ');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

if (!isRoot || !has('apt-get')) {
  console.error(
    `preflight: the tests need ${missingList}, which this machine lacks.\n` +
      `Install them, then run npm test again:\n\n  ${isRoot ? '' : 'sudo '}${installCommand}\n\n` +
      '(On another system, install Redis 7 with redis-sentinel and a Chromium, and put them on PATH.)',
  );
  process.exit(1);
}

console.log(`preflight: installing ${packages.join(', ')} from Debian's packages (for ${missingList})`);
if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages])) {
  console.error(`preflight: the install failed; run it by hand and try again:\n\n  ${installCommand}\n`);
  process.exit(1);
}
const stillMissing = missing.filter(({ command }) => !has(command));
if (stillMissing.length > 0) {
  console.error(`preflight: still missing after the install: ${stillMissing.map(({ command }) => command).join(', ')}`);
  process.exit(1);
}
console.log('preflight: installed');
