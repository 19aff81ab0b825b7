/**
 * `stratum secrets`: stores the credentials that connection configs name (`{ "secret": "NAME" }`).
 *
 * - `stratum secrets set NAME` reads the value from a hidden prompt (terminal) or from stdin (pipe:
 *   `printf %s "$TOKEN" | stratum secrets set NAME`), never from the command line, where it would
 *   stay in the shell history and the process list;
 * - `stratum secrets list` prints the stored names (never the values), one a line;
 * - `stratum secrets rm NAME` removes one.
 *
 * They write the store the connectors read: {@link FileSecretStore} at `$STRATUM_SECRETS_FILE`
 * (default `~/.config/stratum/secrets.json`; mode 0600, atomic rewrite). No OS keychain: see
 * core/secrets/secrets.ts for why.
 */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { StratumError } from '../errors.ts';
import { FileSecretStore, SECRET_NAME_RE } from '../secrets/secrets.ts';
import type { CliIo } from './main.ts';

/** The stream a secret value is read from: stdin, or a stand-in in tests. */
export interface SecretInput extends NodeJS.ReadableStream {
  /** True for a terminal: the value is then typed at a prompt that does not echo it. */
  isTTY?: boolean;
}

/** Options of {@link registerSecretsCommands}. */
export interface SecretsCommandOptions {
  /** Where `secrets set` reads the value; default `process.stdin`. */
  input?: SecretInput;
  /** The store, made when a command runs; default `new FileSecretStore()` (`$STRATUM_SECRETS_FILE`). */
  store?: () => FileSecretStore;
}

/** Longest value read from a pipe, in bytes (a token or a key file is far smaller). */
export const MAX_SECRET_BYTES = 64 * 1024;

function checkName(name: string): void {
  if (!SECRET_NAME_RE.test(name)) {
    throw new StratumError('USAGE', `invalid secret name ${JSON.stringify(name)}`, { detail: { field: 'name' }, hint: 'Use 1-128 letters, digits, ".", "_" or "-", e.g. github-token.' });
  }
}

/** Reads a piped value to its end; one trailing newline (`\n` or `\r\n`, as `echo` adds) is dropped. */
async function readPiped(input: SecretInput): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_SECRET_BYTES) throw new StratumError('USAGE', `the value on stdin is longer than ${MAX_SECRET_BYTES} bytes`, { hint: 'Pipe only the secret value.' });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for the value at a prompt (on `io.err`) whose typing is not echoed. */
async function readHidden(name: string, input: SecretInput, io: CliIo): Promise<string> {
  io.err(`value of secret "${name}" (typing is hidden; Enter ends): `);
  // readline echoes what is typed to its output: give it one that discards everything.
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input, output: muted, terminal: true });
  const cancelled = new AbortController();
  // Ctrl+C, or Ctrl+D (end of input, which closes the interface), cancels.
  rl.on('SIGINT', () => cancelled.abort());
  rl.on('close', () => cancelled.abort());
  try {
    return await rl.question('', { signal: cancelled.signal });
  } catch (error) {
    throw new StratumError('USAGE', 'cancelled: no secret stored', { cause: error });
  } finally {
    rl.close();
    io.err('\n');
  }
}

/**
 * The value of a secret from `input`: a hidden prompt on a terminal, else the whole piped input.
 * @throws {StratumError} `USAGE` when the value is empty, too long, or the prompt is cancelled.
 */
export async function readSecretValue(name: string, input: SecretInput, io: CliIo): Promise<string> {
  const value = input.isTTY === true ? await readHidden(name, input, io) : await readPiped(input);
  if (value === '') {
    throw new StratumError('USAGE', `empty value: secret "${name}" not stored`, {
      hint: input.isTTY === true ? 'Type the value at the prompt.' : `Pipe the value, e.g. printf %s "$TOKEN" | stratum secrets set ${name}`,
    });
  }
  return value;
}

/**
 * Adds `secrets` with `set`, `list` and `rm` to the program.
 *
 * @param program - the `stratum` commander program
 * @param io - where output goes (values are never written to it)
 * @param options - input stream and store, for tests
 */
export function registerSecretsCommands(program: Command, io: CliIo, options: SecretsCommandOptions = {}): void {
  const store = options.store ?? (() => new FileSecretStore());
  const secrets = program
    .command('secrets')
    .description('store credentials that connection configs name as { "secret": "NAME" } (user-only file, mode 600)');

  secrets
    .command('set')
    .description('store (or replace) a secret; the value is read from a hidden prompt or from stdin, never from the command line')
    .argument('<name>', 'secret name: letters, digits, ".", "_" or "-"')
    .allowExcessArguments(true)
    .addHelpText('after', '\nExamples:\n  stratum secrets set github-token                 (prompts; typing is hidden)\n  printf %s "$TOKEN" | stratum secrets set github-token\n')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      if (cmd.args.length > 1) {
        throw new StratumError('USAGE', 'secrets set takes only the NAME: a value on the command line would stay in the shell history and the process list', {
          hint: `Run "stratum secrets set ${name}" and type the value at the prompt, or pipe it: printf %s "$VALUE" | stratum secrets set ${name}`,
        });
      }
      checkName(name);
      const s = store();
      const existed = (await s.names()).includes(name);
      const value = await readSecretValue(name, options.input ?? process.stdin, io);
      await s.set(name, value);
      io.out(`${existed ? 'replaced' : 'stored'} secret "${name}" in ${s.path}; use it in a connection config as { "secret": "${name}" }\n`);
    });

  secrets
    .command('list')
    .description('list the names of the stored secrets (never their values)')
    .action(async () => {
      const s = store();
      const names = await s.names();
      if (names.length === 0) io.err(`no secrets stored in ${s.path}\n`);
      for (const n of names) io.out(`${n}\n`);
    });

  secrets
    .command('rm')
    .description('remove a stored secret')
    .argument('<name>', 'secret name')
    .action(async (name: string) => {
      checkName(name);
      const s = store();
      if (!(await s.delete(name))) {
        throw new StratumError('SECRET_MISSING', `no secret named "${name}" in ${s.path}`, { detail: { field: name, path: s.path }, hint: 'stratum secrets list shows the stored names.' });
      }
      io.out(`removed secret "${name}" from ${s.path}\n`);
    });
}
