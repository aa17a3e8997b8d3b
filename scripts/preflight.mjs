// The first step of `npm test`: makes sure the programs the tests start themselves are installed.
// The tests run their own Redis servers (standalone, Cluster, Sentinel) on free ports and drive
// Debian's Chromium, so on a fresh machine this installs what is missing from Debian's packages
// when it can (root with apt-get), and otherwise stops at once with the exact command to run.
// No suite is ever skipped for a missing program: it is installed, or the run does not start.
// Then PostgreSQL, for examples/pg-store's tests, which use the server on 127.0.0.1:5432 (user
// postgres, database test): if none answers there, this starts Debian's cluster, installing the
// `postgresql` package first when there is none (see ensurePostgres below).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

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

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs what NEEDED lacks from Debian's packages, or stops with the command. */
function ensurePrograms() {
  const missing = NEEDED.filter(({ command }) => !has(command));
  if (missing.length === 0) {
    console.log(`preflight: ${NEEDED.map(({ command }) => command).join(', ')} found`);
    return;
  }
  const packages = [...new Set(missing.map(({ pkg }) => pkg))];
  const installCommand = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const missingList = missing.map(({ command }) => command).join(', ');
  if (!isRoot || !has('apt-get')) {
    console.error(
      `preflight: the tests need ${missingList}, which this machine lacks.\n` +
        `Install them, then run npm test again:\n\n  ${isRoot ? '' : 'sudo '}${installCommand}\n\n` +
        '(On another system, install Redis 7 with redis-sentinel and a Chromium, and put them on PATH.)',
    );
    process.exit(1);
  }
  console.log(`preflight: installing ${packages.join(', ')} from Debian's packages (for ${missingList})`);
  if (
    !run('apt-get', ['update', '-qq']) ||
    !run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages])
  ) {
    console.error(`preflight: the install failed; run it by hand and try again:\n\n  ${installCommand}\n`);
    process.exit(1);
  }
  const stillMissing = missing.filter(({ command }) => !has(command));
  if (stillMissing.length > 0) {
    console.error(
      `preflight: still missing after the install: ${stillMissing.map(({ command }) => command).join(', ')}`,
    );
    process.exit(1);
  }
  console.log('preflight: installed');
}

/** Whether something accepts connections on 127.0.0.1:5432 within a second. */
function postgresAnswers() {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 5432 });
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The Debian clusters' versions (/etc/postgresql/<version>/main), newest first. */
function debianClusters() {
  if (!existsSync('/etc/postgresql')) return [];
  return readdirSync('/etc/postgresql')
    .filter((version) => existsSync(`/etc/postgresql/${version}/main`))
    .sort((a, b) => Number(b) - Number(a));
}

/** psql as the postgres user, through its local socket (peer auth). */
function asPostgres(sql) {
  return run('su', ['postgres', '-s', '/bin/sh', '-c', `psql -v ON_ERROR_STOP=1 -qAtc "${sql}"`]);
}

/**
 * PostgreSQL on 127.0.0.1:5432 for examples/pg-store: already answering, nothing to do. Otherwise,
 * as root on Debian: install the `postgresql` package when there is no PostgreSQL at all (no
 * `pg_ctl`, `postgres` or Debian cluster), start the Debian cluster with
 * `pg_ctlcluster --skip-systemctl-redirect <version> main start`, and make sure the database `test`
 * exists (after a fresh install, the user postgres also gets the password postgres, which the tests
 * use over TCP). Anything else stops the run with the command to run.
 */
async function ensurePostgres() {
  if (await postgresAnswers()) {
    console.log('preflight: PostgreSQL answers on 127.0.0.1:5432');
    return;
  }
  const startCommand = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
  const installCommand = `apt-get update && apt-get install -y --no-install-recommends postgresql && ${startCommand}`;
  const hasBinaries = has('pg_ctl') || has('postgres') || existsSync('/usr/lib/postgresql');
  let clusters = debianClusters();
  if (!isRoot || !has('apt-get') || (hasBinaries && clusters.length === 0)) {
    console.error(
      'preflight: the PostgreSQL tests (examples/pg-store) need a server on 127.0.0.1:5432 with a user postgres and a database test, and none answers.\n' +
        (hasBinaries
          ? `Start your PostgreSQL there, e.g.:\n\n  ${isRoot ? '' : 'sudo '}${startCommand}\n\n`
          : `Install and start it, then run npm test again:\n\n  ${isRoot ? '' : 'sudo '}${installCommand}\n\n`) +
        '(Or set PG_TEST_URL to a PostgreSQL the tests may create and drop schemas in.)',
    );
    process.exit(1);
  }
  const installed = clusters.length === 0;
  if (installed) {
    console.log("preflight: installing PostgreSQL from Debian's packages (postgresql), for examples/pg-store");
    if (
      !run('apt-get', ['update', '-qq']) ||
      !run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'])
    ) {
      console.error(`preflight: the install failed; run it by hand and try again:\n\n  ${installCommand}\n`);
      process.exit(1);
    }
    clusters = debianClusters();
  }
  const version = clusters[0];
  console.log(
    `preflight: starting PostgreSQL ${version} (pg_ctlcluster --skip-systemctl-redirect ${version} main start)`,
  );
  run('pg_ctlcluster', ['--skip-systemctl-redirect', String(version), 'main', 'start']);
  for (let i = 0; i < 30 && !(await postgresAnswers()); i++) await new Promise((resolve) => setTimeout(resolve, 500));
  if (!(await postgresAnswers())) {
    console.error(
      `preflight: PostgreSQL ${version} did not start; see /var/log/postgresql/, then run:\n\n  ${startCommand}\n`,
    );
    process.exit(1);
  }
  if (installed) asPostgres("ALTER USER postgres PASSWORD 'postgres'");
  if (!hasTestDatabase()) asPostgres('CREATE DATABASE test');
  console.log('preflight: PostgreSQL answers on 127.0.0.1:5432');
}

function hasTestDatabase() {
  const result = spawnSync(
    'su',
    ['postgres', '-s', '/bin/sh', '-c', `psql -qAtc "SELECT 1 FROM pg_database WHERE datname = 'test'"`],
    { encoding: 'utf8' },
  );
  return result.stdout.trim() === '1';
}

ensurePrograms();
await ensurePostgres();
