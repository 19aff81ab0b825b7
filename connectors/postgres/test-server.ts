/**
 * A throwaway PostgreSQL cluster for integration tests: `initdb` into a temp dir, `pg_ctl start`
 * on a free port on 127.0.0.1 (socket dir inside the temp dir), password (SCRAM) auth for TCP;
 * `stop()` stops it and deletes the dir. When running as root, the server commands run as the
 * `postgres` OS user (`runuser -u postgres --`), since initdb refuses root.
 *
 * Needs Debian's `postgresql` package; without it {@link startTestPostgres} throws, telling how to
 * install it (tests must not skip silently).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The apt command that installs the server binaries (what `.ci/run` must run). */
export const POSTGRES_INSTALL_COMMAND = 'apt-get update && apt-get install -y postgresql';

/** A running test cluster. */
export interface TestPostgres {
  /** `127.0.0.1`. */
  host: string;
  /** TCP port. */
  port: number;
  /** Superuser name (`stratum`). */
  user: string;
  /** Its password. */
  password: string;
  /** Database that always exists (`postgres`). */
  database: string;
  /** Stops the server and deletes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** Directory of initdb/pg_ctl: `$PG_BIN`, else the newest /usr/lib/postgresql/N/bin, else undefined. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a fresh cluster.
 * @throws {Error} when the PostgreSQL binaries are missing (message: run {@link POSTGRES_INSTALL_COMMAND}), or initdb/pg_ctl fail (message holds their output).
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (bin === undefined) {
    throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or $PG_BIN. Run .ci/run's install step: ${POSTGRES_INSTALL_COMMAND}`);
  }
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'stratum-pg-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir, 'pwfile');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chown(pwfile, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { cwd: dir }) : run(join(bin, cmd), args, { cwd: dir });
  const port = await freePort();
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await as('initdb', ['-D', data, '-U', 'stratum', `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    await as('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    started = true;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    await stop();
    throw new Error(`could not start the test PostgreSQL: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return { host: '127.0.0.1', port, user: 'stratum', password, database: 'postgres', stop };
}
