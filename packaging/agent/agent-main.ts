import { parseArgs } from 'node:util';
import { agentCommand } from '../../cli/commands/agent';
import { loadConfig } from '../../core/config';
import { TidewatchError, errorMessage } from '../../core/errors';
import { createLogger } from '../../core/logger';

/** Set by the bundler (`build.mjs`) to the package's version. */
declare const TIDEWATCH_VERSION: string | undefined;

const USAGE = `tidewatch-agent — the Tidewatch host agent

Usage:
  tidewatch-agent                 collect this host's telemetry and send it to Kafka
  tidewatch-agent --once          print one collection as JSON lines (touches neither Kafka nor the spool)
  tidewatch-agent --version

Options:
  --config <file>    JSON config file (also TIDEWATCH_CONFIG)
  --data-dir <dir>   state folder for the spool (also TIDEWATCH_DATA_DIR)
Kafka and the registry come from KAFKA_BROKERS and SCHEMA_REGISTRY_URL (or the config file);
host labels from TIDEWATCH_AGENT_LABELS (env=prod,region=eu-1). Settings: see README.md.
`;

/**
 * The entry of the standalone agent (`npm run package:agent` bundles it into one file that runs
 * with plain node, without node_modules): the `tidewatch agent` command and nothing else, so the
 * bundle never holds the processor, the gateway or the embedded ClickHouse engine.
 */
async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      once: { type: 'boolean', default: false },
      version: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  if (values.version) {
    const version = typeof TIDEWATCH_VERSION === 'string' ? TIDEWATCH_VERSION : 'development';
    return void process.stdout.write(`tidewatch-agent ${version} (node ${process.versions.node})\n`);
  }
  const config = loadConfig({
    env: process.env,
    file: values.config,
    overrides: values['data-dir'] ? { dataDir: values['data-dir'] } : {},
  });
  // Logs go to stderr (the journal or the container log); stdout carries what --once prints.
  await agentCommand(values.once, config, createLogger(config.logLevel, process.stderr));
}

main(process.argv.slice(2)).catch((err) => {
  const code = err instanceof TidewatchError ? `${err.code}: ` : '';
  process.stderr.write(`tidewatch-agent: ${code}${errorMessage(err)}\n`);
  process.exit(err instanceof TidewatchError ? 2 : 1);
});
