import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { chooseLogFormat, createLogger } from '../core/logger';
import { projectRoot } from '../core/paths';
import { runCli, type Invocation } from './program';
import type { ResultFormat } from './result-formats';

const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

/** Loads only the module of the command it runs: the agent never loads the embedded engine or the gateway. */
async function run({ command, args, options: o }: Invocation): Promise<void> {
  const name = command.join(' ');
  // Offline scoring needs no configuration, stack or logger.
  if (name === 'detect')
    return (await import('./commands/detect.js')).detectCommand({
      input: o.input as string,
      output: o.output as string,
      detector: o.detector as string | undefined,
      explain: o.explain === true,
    });
  const config = loadConfig({
    env: process.env,
    file: o.config as string | undefined,
    overrides: o.dataDir ? { dataDir: o.dataDir as string } : {},
  });
  if (name === 'config check')
    return (await import('./commands/config-check.js')).configCheckCommand(config, io.stdout);
  // Logs go to stderr so that stdout carries only what a command prints (URL, rows, records).
  const logger = createLogger(
    name === 'start' || name === 'agent' || name === 'gateway' ? config.logLevel : 'warn',
    process.stderr,
    chooseLogFormat(config.logFormat, process.stderr.isTTY === true),
  );
  const stdoutIsTerminal = process.stdout.isTTY === true;
  switch (name) {
    case 'start':
      return (await import('./commands/start.js')).startCommand(config, logger, { stdoutIsTerminal });
    case 'agent':
      return (await import('./commands/agent.js')).agentCommand(o.once === true, config, logger);
    case 'gateway':
      return (await import('./commands/gateway.js')).gatewayCommand(config, logger, { stdoutIsTerminal });
    case 'stack':
      return (await import('./commands/stack.js')).stackCommand(args[0], config, logger);
    case 'sql':
      return (await import('./commands/sql.js')).sqlCommand(
        args[0],
        o.format as ResultFormat,
        config,
        o.param as string[] | undefined,
      );
    case 'tail':
      return (await import('./commands/tail.js')).tailCommand(
        args[0],
        o.fromBeginning === true,
        config,
        logger,
      );
    case 'loadgen':
      return (await import('./commands/loadgen.js')).loadgenCommand(
        { hosts: o.hosts as number, rate: o.rate as number, total: o.total as number },
        config,
        logger,
      );
  }
}

const version = (
  JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }
).version;

runCli(process.argv.slice(2), version, run, io).then(
  (code) => {
    // A command that keeps running (start, agent, gateway, tail) ends by its own signal handlers.
    if (code !== 0) process.exit(code);
  },
  () => process.exit(1),
);
