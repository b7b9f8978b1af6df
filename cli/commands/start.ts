import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { dashboardNotice } from '../dashboard-notice';
import { startInstance } from '../instance';

export interface StartOptions {
  /** Whether stdout is a terminal (the CLI entry reads it): the token is printed only there. */
  stdoutIsTerminal: boolean;
}

/** `tidewatch start`: the whole pipeline on this host until Ctrl-C. */
export async function startCommand(config: Config, logger: Logger, options: StartOptions): Promise<void> {
  const instance = await startInstance(config, logger, {
    onFatal: () => void instance.close().finally(() => process.exit(1)),
  });
  process.stdout.write(
    dashboardNotice({
      url: instance.url,
      token: instance.token,
      dataDir: config.dataDir,
      configuredToken: config.gateway.token !== undefined,
      terminal: options.stdoutIsTerminal,
    }),
  );
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(130);
    logger.info({ signal }, 'shutting down: flushing and committing (Ctrl-C again to force)');
    instance.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
