// Runs the real `stratum open` command (registered on the CLI program if core/cli/main.ts does not
// register it yet) so the e2e tests drive exactly what users start. Usage: node --import tsx e2e/stratum-open.ts open FOLDER --no-electron
import { buildProgram } from '../core/cli/main.ts';
import { registerOpenCommand } from '../core/cli/open.ts';

const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
const program = buildProgram(io);
if (!program.commands.some((c) => c.name() === 'open')) registerOpenCommand(program, io);
await program.parseAsync(process.argv);
process.exit(0);
