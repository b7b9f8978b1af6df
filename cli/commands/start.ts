import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { startInstance } from '../instance';

/** `tidewatch start`: the whole pipeline on this host until Ctrl-C. */
export async function startCommand(config: Config, logger: Logger): Promise<void> {
  const instance = await startInstance(config, logger, {
    onFatal: () => void instance.close().finally(() => process.exit(1)),
  });
  process.stdout.write(`Dashboard: ${instance.dashboardUrl}\n`);
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
