export { configSchema } from './schema';
export type { Config, ConfigInput } from './schema';
export { loadConfig } from './load';
export type { LoadConfigOptions } from './load';
export { ENV_SETTINGS } from './env';
export { isSecretSetting } from './secret-setting';
