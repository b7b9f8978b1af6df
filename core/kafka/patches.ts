import { createHash } from 'node:crypto';
import { TidewatchError } from '../errors';
import { gzipCodec } from './gzip-codec';
import { idleSpinFix } from './idle-spin-fix';
import type { KafkajsPatch } from './kafkajs-patch';
import { nodeModulesPatches } from './node-modules-patches';
import { partitionGrouping } from './partition-grouping';

/** The kafkajs release every patch was written for (package.json pins it exactly). */
export const KAFKAJS_VERSION = '2.2.4';

/** The patches a bundle without node_modules leaves out (`node-modules-patches.ts`). */
const NODE_MODULES_ONLY = ['record-decode', 'lazy-records', 'record-encode', 'produce-request'];

export interface PatchesInstalled {
  version: string;
  installed: string[];
  leftOut: string[];
}

export interface InstallOptions {
  /** kafkajs's version as installed (its package.json's). */
  version?: string;
  patches?: readonly KafkajsPatch[];
  /** Reads a kafkajs source file; null where kafkajs is not files (a bundle). */
  readSource?: ((file: string) => Buffer) | null;
}

/** Patches installed in this process (a module registry, under jest): each is installed once. */
const installed = new WeakSet<KafkajsPatch>();

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Installs every kafkajs patch, once, after checking that kafkajs is the exact version they were
 * written for, that its source files are the ones they were written against (where kafkajs runs
 * from files) and that each finds the code it replaces; then checks each is in place. Called by
 * `createKafka` before any client exists. Any mismatch throws `TW_ERR_KAFKAJS_PATCH` naming the
 * patch and the version, before any patch is installed.
 */
export function installKafkajsPatches(options: InstallOptions = {}): PatchesInstalled {
  const version = options.version ?? kafkajsVersion();
  const patches = options.patches ?? [
    idleSpinFix,
    gzipCodec,
    partitionGrouping,
    ...(nodeModulesPatches?.patches ?? []),
  ];
  const readSource = options.readSource === undefined ? nodeModulesPatches?.readSource : options.readSource;
  const fail = (names: string, problem: string) =>
    new TidewatchError(
      'TW_ERR_KAFKAJS_PATCH',
      `kafkajs patch ${names}: ${problem} (kafkajs ${version} is installed; the patches are written for exactly ${KAFKAJS_VERSION})`,
    );
  if (version !== KAFKAJS_VERSION)
    throw fail(
      patches.map((p) => p.name).join(', '),
      `kafkajs ${version} is not the version it replaces code of`,
    );
  const pending = patches.filter((p) => !installed.has(p));
  for (const patch of pending) {
    for (const [file, hash] of Object.entries(patch.sources)) {
      if (!readSource) break;
      const actual = sha256(readSource(file));
      if (actual !== hash)
        throw fail(patch.name, `kafkajs/src/${file} is not the file it was written against`);
    }
    const problem = patch.check();
    if (problem) throw fail(patch.name, problem);
  }
  for (const patch of pending) {
    patch.install();
    installed.add(patch);
  }
  for (const patch of patches) {
    const problem = patch.verify();
    if (problem) throw fail(patch.name, `not in place: ${problem}`);
  }
  const names = patches.map((p) => p.name);
  return { version, installed: names, leftOut: NODE_MODULES_ONLY.filter((n) => !names.includes(n)) };
}

function kafkajsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('kafkajs/package.json') as { version: string }).version;
}
