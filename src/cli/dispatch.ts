import type { Io } from '../main.js';
import { ADMIN_VERBS } from './admin/index.js';

interface Verb {
  summary: string;
  run(args: string[], io: Io): Promise<number>;
}

/** The verbs of the `easgate` command; each loads its module only when used. */
const VERBS: Record<string, Verb> = {
  serve: {
    summary: 'run the gateway (configuration from EASGATE_* environment variables)',
    run: async (_args, io) => (await import('../main.js')).runServe(io),
  },
  simulate: {
    summary: 'run one phone conversation against an ActiveSync URL and print it',
    run: async (args, io) => (await import('../peers/index.js')).runSimulateCommand(args, io),
  },
  'sample-upstream': {
    summary: 'run the sample ActiveSync server (for trying the gateway without a mail server)',
    run: async (args, io) => (await import('../peers/index.js')).runSampleUpstreamCommand(args, io),
  },
  wbxml: {
    summary: 'wbxml decode FILE|- prints XML; wbxml encode FILE|- turns XML into WBXML',
    run: async (args, io) => (await import('./wbxml-command.js')).runWbxmlCommand(args, io),
  },
  demo: {
    summary: 'start a sample ActiveSync server and the gateway in front of it, and sync a simulated phone through it',
    run: async (args, io) => (await import('./demo.js')).runDemo(args, io),
  },
  ...ADMIN_VERBS,
};

function usage(): string {
  const lines = Object.entries(VERBS).map(([name, v]) => `  ${name.padEnd(16)} ${v.summary}`);
  return `usage: easgate <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    io.stdout.write(usage());
    return verb === undefined ? 2 : 0;
  }
  const entry = VERBS[verb];
  if (entry === undefined) {
    io.stderr.write(`easgate: unknown command '${verb}'\n\n${usage()}`);
    return 2;
  }
  return entry.run(rest, io);
}
