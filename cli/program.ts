import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TidewatchError, errorMessage } from '../core/errors';
import { RESULT_FORMATS } from './result-formats';

/** What the command line asked for: the command's path (`['config', 'check']`), arguments and flags. */
export interface Invocation {
  command: string[];
  args: string[];
  options: Record<string, unknown>;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Errors that mean "you asked wrongly" (exit 2); anything else that fails at run time exits 1. */
const USAGE_CODES = new Set(['TW_ERR_BAD_REQUEST', 'TW_ERR_CONFIG', 'TW_ERR_SQL_NOT_READONLY']);

const count = (name: string) => (text: string) => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`--${name} must be a non-negative number.`);
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The flags every command that reads settings takes. */
const withSettings = (c: Command) =>
  c
    .option('--config <file>', 'JSON config file (also TIDEWATCH_CONFIG)')
    .option('--data-dir <dir>', 'state folder (also TIDEWATCH_DATA_DIR; default ./.tidewatch)');

/**
 * The command line: each command with its own flags and help, unknown flags and extra arguments
 * refused per command. `run` gets what was asked for; the caller decides what to load.
 */
export function buildProgram(version: string, run: (i: Invocation) => Promise<void>, io: CliIo): Command {
  const program = new Command('tidewatch')
    .description('real-time host telemetry (settings and their environment variables: see README.md)')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(add --help for usage)');
  const add = (parent: Command, name: string, description: string) => {
    const c = parent.command(name).description(description).exitOverride();
    return c
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
      .showHelpAfterError('(add --help for usage)');
  };
  const action = (c: Command) =>
    c.action(async (...params: unknown[]) => {
      const cmd = params.at(-1) as Command;
      const path: string[] = [];
      for (let p: Command | null = cmd; p && p.parent; p = p.parent) path.unshift(p.name());
      await run({ command: path, args: cmd.processedArgs as string[], options: cmd.opts() });
    });

  action(
    withSettings(add(program, 'start', 'stack + agent + processor + gateway; prints the dashboard URL')),
  );
  action(
    withSettings(
      add(program, 'agent', "this host's agent alone (Kafka and registry from settings or the local stack)"),
    ).option('--once', 'print one collection as JSON lines and exit'),
  );
  action(withSettings(add(program, 'gateway', 'one more gateway fed from Kafka; needs CLICKHOUSE_URL')));
  action(
    withSettings(add(program, 'stack', 'the local Kafka and schema registry')).addArgument(
      new Argument('<action>', 'what to do').choices(['up', 'down', 'status']),
    ),
  );
  action(
    withSettings(add(program, 'sql', 'a read-only query through the SQL console'))
      .argument('<query>', 'one SELECT (no FORMAT clause: use --format)')
      .addOption(new Option('--format <format>', 'output format').choices(RESULT_FORMATS).default('table'))
      .option('--param <name=value>', 'a query parameter, bound to {name:Type} (repeatable)', collect),
  );
  action(
    withSettings(add(program, 'tail', "print a topic's records as JSON lines"))
      .argument('<topic>', 'topic name')
      .option('--from-beginning', 'start at the oldest record'),
  );
  action(
    withSettings(add(program, 'loadgen', 'synthetic hosts into the metrics topic'))
      .option('--hosts <n>', 'hosts to simulate', count('hosts'), 10)
      .option('--rate <n>', 'samples per second', count('rate'), 1000)
      .option('--total <n>', 'stop after this many samples', count('total'), Infinity),
  );
  action(
    add(program, 'detect', 'score one series offline (CSV with header timestamp,value)')
      .requiredOption('--input <file.csv>', 'the series')
      .requiredOption('--output <out.csv>', 'where the scores go')
      .option('--detector <name>', 'one detector instead of the ensemble')
      .option('--explain', 'print why each alarm was raised'),
  );
  const config = add(program, 'config', 'the settings').exitOverride();
  action(withSettings(add(config, 'check', 'validate the settings and print them, secrets masked')));
  return program;
}

/** Runs the command line; resolves to the exit code: 0, 1 for a runtime failure, 2 for a usage error. */
export async function runCli(
  argv: string[],
  version: string,
  run: (i: Invocation) => Promise<void>,
  io: CliIo,
): Promise<number> {
  try {
    await buildProgram(version, run, io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander printed why
    const usage = err instanceof TidewatchError && USAGE_CODES.has(err.code);
    const code = err instanceof TidewatchError ? `${err.code}: ` : '';
    io.stderr(`tidewatch: ${code}${errorMessage(err)}\n`);
    return usage ? 2 : 1;
  }
}
