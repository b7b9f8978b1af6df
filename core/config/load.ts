import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, errorMessage } from '../errors';
import { describeIssue } from './describe-issue';
import { ENV_SETTINGS, parseEnvValue } from './env';
import { Config, configSchema } from './schema';
import { secretsFromFiles } from './secret-file';

type Tree = Record<string, unknown>;

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; `TIDEWATCH_CONFIG` names one too. */
  file?: string;
  /** Highest precedence, e.g. from CLI flags or tests. */
  overrides?: Tree;
  cwd?: string;
}

function setPath(tree: Tree, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const both =
      v && b && typeof v === 'object' && typeof b === 'object' && !Array.isArray(v) && !Array.isArray(b);
    out[k] = both ? merge(b as Tree, v as Tree) : v;
  }
  return out;
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${errorMessage(err)}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Tree;
  } catch (err) {
    // V8's message may quote the text around the fault, secrets included: keep only the position.
    const at = /at position \d+(?: \(line \d+ column \d+\))?/.exec(errorMessage(err))?.[0];
    throw new ConfigError(`Config file ${file} is not a JSON object${at ? ` (error ${at})` : ''}`);
  }
}

/** Defaults < config file < environment < overrides; validated once, errors name what to fix. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  let tree: Tree = {
    dataDir: path.join(cwd, '.tidewatch'),
    cacheDir: path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tidewatch'),
  };
  const file = options.file ?? env.TIDEWATCH_CONFIG;
  if (file) tree = merge(tree, readFile(path.resolve(cwd, file)));
  const fromEnv: Tree = {};
  const fromFiles = secretsFromFiles(env, ENV_SETTINGS, cwd);
  for (const setting of ENV_SETTINGS) {
    const raw = fromFiles[setting.name] ?? env[setting.name];
    if (raw !== undefined && raw !== '') setPath(fromEnv, setting.path, parseEnvValue(setting.kind, raw));
  }
  tree = merge(merge(tree, fromEnv), options.overrides ?? {});

  const result = configSchema.safeParse(tree);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describeIssue(configSchema, tree, issue));
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  config.dataDir = path.resolve(cwd, config.dataDir);
  config.cacheDir = path.resolve(cwd, config.cacheDir);
  return config;
}
