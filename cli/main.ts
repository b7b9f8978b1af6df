import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config';
import { TidewatchError, errorMessage } from '../core/errors';
import { createLogger } from '../core/logger';

const USAGE = `tidewatch — real-time host telemetry

Usage:
  tidewatch start                         stack + agent + processor + gateway; prints the dashboard URL
  tidewatch agent [--once]                this host's agent alone (Kafka and registry from settings
                                          or the local stack); --once prints one collection
  tidewatch gateway                       one more gateway (dashboard and API) fed from Kafka;
                                          needs a ClickHouse server (CLICKHOUSE_URL)
  tidewatch stack up|down|status          the local Kafka and schema registry
  tidewatch sql "<query>" [--format json|table] [--param name=value ...]
  tidewatch tail <topic> [--from-beginning]
  tidewatch loadgen [--hosts H] [--rate R] [--total N]
  tidewatch detect --input <file.csv> --output <out.csv> [--detector <name>] [--explain]
                                          score one series (header timestamp,value) offline

Options:
  --config <file>    JSON config file (also TIDEWATCH_CONFIG)
  --data-dir <dir>   state folder (also TIDEWATCH_DATA_DIR; default ./.tidewatch)
Settings and their environment variables: see README.md.
`;

const toInt = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new TidewatchError('TW_ERR_BAD_REQUEST', `--${name} must be a non-negative number, not ${text}`);
  return n;
};

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      format: { type: 'string', default: 'table' },
      'from-beginning': { type: 'boolean', default: false },
      hosts: { type: 'string' },
      rate: { type: 'string' },
      total: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      detector: { type: 'string' },
      explain: { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
      param: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  // Offline scoring needs no configuration, stack or logger.
  if (command === 'detect')
    return (await import('./commands/detect.js')).detectCommand({
      input: values.input,
      output: values.output,
      detector: values.detector,
      explain: values.explain,
    });
  const config = loadConfig({
    env: process.env,
    file: values.config,
    overrides: values['data-dir'] ? { dataDir: values['data-dir'] } : {},
  });
  // Logs go to stderr so that stdout carries only what a command prints (URL, rows, records).
  const logger = createLogger(
    command === 'start' || command === 'agent' || command === 'gateway' ? config.logLevel : 'warn',
    process.stderr,
  );
  // Each command loads only what it uses: the agent, which runs on every host, never loads the
  // embedded ClickHouse engine or the gateway.
  switch (command) {
    case 'start':
      return (await import('./commands/start.js')).startCommand(config, logger, {
        stdoutIsTerminal: process.stdout.isTTY === true,
      });
    case 'agent':
      return (await import('./commands/agent.js')).agentCommand(values.once, config, logger);
    case 'gateway':
      return (await import('./commands/gateway.js')).gatewayCommand(config, logger, {
        stdoutIsTerminal: process.stdout.isTTY === true,
      });
    case 'stack':
      return (await import('./commands/stack.js')).stackCommand(arg, config, logger);
    case 'sql':
      return (await import('./commands/sql.js')).sqlCommand(arg, values.format, config, values.param);
    case 'tail':
      return (await import('./commands/tail.js')).tailCommand(arg, values['from-beginning'], config, logger);
    case 'loadgen':
      return (await import('./commands/loadgen.js')).loadgenCommand(
        {
          hosts: toInt('hosts', values.hosts, 10),
          rate: toInt('rate', values.rate, 1000),
          total: toInt('total', values.total, Infinity),
        },
        config,
        logger,
      );
    default:
      throw new TidewatchError('TW_ERR_BAD_REQUEST', `unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  const code = err instanceof TidewatchError ? `${err.code}: ` : '';
  process.stderr.write(`tidewatch: ${code}${errorMessage(err)}\n`);
  process.exit(err instanceof TidewatchError ? 2 : 1);
});
