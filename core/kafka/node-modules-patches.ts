import fs from 'node:fs';
import type { KafkajsPatch } from './kafkajs-patch';
import { lazyRecords } from './lazy-records';
import { produceRequest } from './produce-request';
import { recordDecode } from './record-decode';
import { recordEncode } from './record-encode';

/**
 * The kafkajs patches that need kafkajs as files in node_modules, and kafkajs's source files to
 * check. Three swap a kafkajs module in Node's module registry (`require.cache`), which a bundle
 * does not have for the modules it holds; `record-decode` only speeds up consumers. The agent
 * bundle (`packaging/agent/build.mjs`) replaces this module with `null`: it runs without them.
 */
export const nodeModulesPatches: {
  patches: readonly KafkajsPatch[];
  readSource(file: string): Buffer;
} | null = {
  // produce-request after record-encode: checking it loads kafkajs's produce request, which
  // record-encode's check wants not loaded yet.
  patches: [recordDecode, lazyRecords, recordEncode, produceRequest],
  readSource: (file) => fs.readFileSync(require.resolve(`kafkajs/src/${file}`)),
};
