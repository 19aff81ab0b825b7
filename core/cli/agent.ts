/**
 * `stratum agent`: runs the node agent (core/deploy/agent) until SIGINT/SIGTERM.
 *
 * ```sh
 * stratum agent --port 7070 --token-file /etc/stratum/token [--host 10.0.0.5] [--data-dir /var/lib/stratum]
 *   [--declare-capabilities '{"cores":1,"memoryMiB":1024,"layer":"edge"}' | caps.json]
 *   [--tls-cert cert.pem --tls-key key.pem] [--max-upload-mib 256] [--health-timeout 60]
 * ```
 */
import { InvalidArgumentError, type Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { StratumError } from '../errors.ts';
import type { NodeCapabilities } from '../deploy/types.ts';
import type { CliIo } from './main.ts';

interface AgentCliOptions {
  port: number;
  host: string;
  tokenFile: string;
  dataDir: string;
  declareCapabilities?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxUploadMib: number;
  healthTimeout: number;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected an integer port from 0 to 65535 (0 = any free port)');
  return n;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/**
 * Shortest bearer token the agent accepts (characters). 16 random hex characters are 64 bits,
 * beyond online guessing against a network service; `openssl rand -hex 32` gives 64 characters.
 */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Reads a bearer token file: the first line, trimmed.
 *
 * @throws StratumError `FILE_NOT_FOUND` when missing; `USAGE` when empty or shorter than {@link MIN_TOKEN_LENGTH}
 */
export async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StratumError('FILE_NOT_FOUND', `cannot read token file ${file}: ${(error as Error).message}`, { detail: { path: file }, hint: 'Create it, e.g.: openssl rand -hex 32 > token && chmod 600 token' });
  }
  const token = text.split('\n')[0]?.trim() ?? '';
  if (token === '') throw new StratumError('USAGE', `token file ${file} is empty`, { detail: { path: file }, hint: 'Put a long random secret in it, e.g.: openssl rand -hex 32 > token' });
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new StratumError('USAGE', `the token in ${file} has ${token.length} characters; an agent token needs at least ${MIN_TOKEN_LENGTH}, since whoever knows it can run code on this node`, {
      detail: { path: file, length: token.length },
      hint: 'Put a long random secret in it, e.g.: openssl rand -hex 32 > token && chmod 600 token',
    });
  }
  return token;
}

/** `--declare-capabilities`: inline JSON (starting with `{`) or a JSON file path. */
async function readDeclared(value: string): Promise<Partial<NodeCapabilities>> {
  const { parseDeclaredCapabilities } = await import('../deploy/agent/capabilities.ts');
  const inline = value.trim().startsWith('{');
  const source = inline ? '--declare-capabilities' : value;
  let text = value;
  if (!inline) {
    try {
      text = await readFile(value, 'utf8');
    } catch (error) {
      throw new StratumError('FILE_NOT_FOUND', `cannot read capabilities file ${value}: ${(error as Error).message}`, { detail: { path: value } });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StratumError('USAGE', `${source} is not valid JSON: ${(error as Error).message}`, { detail: { path: source }, hint: 'Example: {"cores": 1, "memoryMiB": 1024, "layer": "edge"}' });
  }
  return parseDeclaredCapabilities(parsed, source);
}

/**
 * Registers `stratum agent` on the program.
 *
 * @param program - the commander program of core/cli/main.ts
 * @param io - where the command prints
 */
export function registerAgentCommand(program: Command, io: CliIo): void {
  program
    .command('agent')
    .description('run the node agent: capabilities, status, bundle uploads, supervised model services (all calls need the bearer token)')
    .requiredOption('-p, --port <port>', 'TCP port of the agent API (0 = any free port)', parsePort)
    .requiredOption('--token-file <file>', 'file holding the bearer token clients must send')
    .option('--host <host>', 'address to listen on (services bind to it too)', '127.0.0.1')
    .option('--data-dir <dir>', 'where bundles, logs and state.json live', path.join(homedir(), '.stratum', 'agent'))
    .option('--declare-capabilities <json|file>', 'capabilities to report instead of the measured ones, e.g. {"cores":1,"memoryMiB":1024,"layer":"edge"}')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--max-upload-mib <mib>', 'largest bundle upload accepted, MiB', parsePositive, 256)
    .option('--health-timeout <seconds>', 'time a new replica has to answer GET /health', parsePositive, 60)
    .action(async (opts: AgentCliOptions) => {
      const { startAgent } = await import('../deploy/agent/agent.ts');
      const token = await readTokenFile(opts.tokenFile);
      const info = await stat(opts.tokenFile);
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) io.err(`warning: token file ${opts.tokenFile} is readable by other users (chmod 600 it)\n`);
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
        throw new StratumError('USAGE', '--tls-cert and --tls-key go together', { hint: 'Pass both, or neither for plain HTTP on a private interface.' });
      }
      const tls = opts.tlsCert && opts.tlsKey ? { cert: await readFile(opts.tlsCert), key: await readFile(opts.tlsKey) } : undefined;
      const declared = opts.declareCapabilities !== undefined ? await readDeclared(opts.declareCapabilities) : undefined;
      const agent = await startAgent({
        port: opts.port,
        host: opts.host,
        token,
        dataDir: opts.dataDir,
        ...(declared ? { declaredCapabilities: declared } : {}),
        ...(tls ? { tls } : {}),
        limits: { maxUploadBytes: Math.round(opts.maxUploadMib * 1024 * 1024) },
        healthTimeoutMs: opts.healthTimeout * 1000,
        log: (line) => io.err(`[stratum agent] ${line}\n`),
      });
      const stopped = new Promise<void>((resolve) => {
        const stop = (): void => {
          void agent.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      io.out(`stratum agent listening at ${agent.url} (data dir ${path.resolve(opts.dataDir)}, pid ${process.pid}); Ctrl+C stops\n`);
      await agent.ready;
      io.out('stratum agent ready\n');
      await stopped;
    });
}
