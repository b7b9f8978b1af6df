import { TidewatchError } from '../errors';
import { moduleSwap } from './kafkajs-patch';
import { installKafkajsPatches, KAFKAJS_VERSION } from './patches';

/* eslint-disable @typescript-eslint/no-require-imports */
type Proto = { prototype: Record<string, unknown> };
const REQUEST_QUEUE = 'kafkajs/src/network/requestQueue/index.js';
const DECODER = 'kafkajs/src/protocol/decoder.js';
const CONSUMER_GROUP = 'kafkajs/src/consumer/consumerGroup.js';
const RECORD_ENCODER = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
const GZIP = 'kafkajs/src/protocol/message/compression/gzip.js';
/** Every patch, in the order they are installed. */
const ALL_PATCHES = [
  'idle-spin-fix',
  'gzip-codec',
  'partition-grouping',
  'record-decode',
  'lazy-records',
  'record-encode',
  'produce-request',
];
const GROUPING = 'kafkajs/src/producer/groupMessagesPerPartition.js';

/**
 * In a module registry of its own (a fresh kafkajs, no patch installed), `prepare` changes kafkajs
 * and the patches are installed with `options`: what they throw, and whether any was installed.
 */
function installIn(
  prepare: () => void,
  options: Parameters<typeof installKafkajsPatches>[0] = {},
): { error: unknown; touched: boolean } {
  let outcome!: { error: unknown; touched: boolean };
  jest.isolateModules(() => {
    prepare();
    const queue = (require(REQUEST_QUEUE) as Proto).prototype.scheduleCheckPendingRequests;
    const readVarLong = (require(DECODER) as Proto).prototype.readVarLong;
    const { installKafkajsPatches: install } = require('./patches') as typeof import('./patches');
    let error: unknown;
    try {
      install(options);
    } catch (e) {
      error = e;
    }
    const touched =
      (require(REQUEST_QUEUE) as Proto).prototype.scheduleCheckPendingRequests !== queue ||
      (require(DECODER) as Proto).prototype.readVarLong !== readVarLong;
    outcome = { error, touched };
  });
  return outcome;
}

describe('kafkajs patches at start', () => {
  afterEach(() => {
    for (const path of [RECORD_ENCODER, GZIP, GROUPING, './node-modules-patches']) jest.dontMock(path);
  });

  it('installs every patch once, checks each is in place, and a second call changes nothing', () => {
    const first = installKafkajsPatches();
    expect(first).toEqual({
      version: KAFKAJS_VERSION,
      installed: ALL_PATCHES,
      leftOut: [],
    });
    const queue = (require(REQUEST_QUEUE) as Proto).prototype.scheduleCheckPendingRequests;
    expect(installKafkajsPatches()).toEqual(first);
    expect((require(REQUEST_QUEUE) as Proto).prototype.scheduleCheckPendingRequests).toBe(queue);
  });

  it('stops on another kafkajs version, naming it and every patch, before installing any', () => {
    const { error, touched } = installIn(() => undefined, { version: '2.2.5' });
    expect((error as Error).name).toBe(TidewatchError.name); // the isolated registry's own class
    expect((error as TidewatchError).code).toBe('TW_ERR_KAFKAJS_PATCH');
    const message = (error as Error).message;
    for (const text of ['kafkajs 2.2.5', 'exactly 2.2.4', ...ALL_PATCHES]) expect(message).toContain(text);
    expect(touched).toBe(false);
  });

  it.each([
    [
      'idle-spin-fix',
      () => {
        (require(REQUEST_QUEUE) as Proto).prototype.scheduleCheckPendingRequests = function () {
          return undefined; // a kafkajs that changed the method (say, fixed the spin its own way)
        };
      },
    ],
    [
      'gzip-codec',
      () =>
        jest.doMock(GZIP, () => ({
          compress: async ({ buffer }: { buffer: Buffer }) => buffer,
          decompress: async (b: Buffer) => b,
        })),
    ],
    [
      'record-decode',
      () => {
        require('./record-decode'); // takes kafkajs's readVarLong, then kafkajs's changes
        (require(DECODER) as Proto).prototype.readVarLong = function () {
          return 0;
        };
      },
    ],
    [
      'lazy-records',
      () => {
        require('./lazy-records');
        (require(CONSUMER_GROUP) as Proto).prototype.fetch = async function (nodeId: number) {
          return [nodeId];
        };
      },
    ],
    [
      'partition-grouping',
      () =>
        jest.doMock(GROUPING, () => ({ messages }: { messages: unknown[] }) => {
          const grouped: Record<number, unknown[]> = {};
          for (const m of messages) (grouped[0] ??= []).push(m); // groups without the list's reduce
          return grouped;
        }),
    ],
    ['record-encode', () => jest.doMock(RECORD_ENCODER, () => (args: object) => ({ args }))],
  ])('stops when kafkajs is not the code %s replaces, naming it, before installing any', (name, prepare) => {
    const { error, touched } = installIn(prepare, { readSource: null });
    expect((error as TidewatchError).code).toBe('TW_ERR_KAFKAJS_PATCH');
    expect((error as Error).message).toMatch(
      new RegExp(`^kafkajs patch ${name}: .*kafkajs 2\\.2\\.4 is installed`),
    );
    expect(touched).toBe(false);
  });

  it('stops when a kafkajs source file is not the one a patch was written against', () => {
    const readSource = (file: string) => Buffer.from(file === 'consumer/batch.js' ? 'changed' : 'x');
    const real = require('./node-modules-patches').nodeModulesPatches.readSource as (f: string) => Buffer;
    const { error, touched } = installIn(() => undefined, {
      readSource: (file) => (file === 'consumer/batch.js' ? readSource(file) : real(file)),
    });
    expect((error as Error).message).toMatch(
      /^kafkajs patch lazy-records: kafkajs\/src\/consumer\/batch\.js is not the file/,
    );
    expect(touched).toBe(false);
  });

  it('installs the three that apply in the agent bundle, which leaves the others out', () => {
    let result: unknown;
    jest.isolateModules(() => {
      jest.doMock('./node-modules-patches', () => ({ nodeModulesPatches: null }));
      const readVarLong = (require(DECODER) as Proto).prototype.readVarLong;
      result = (require('./patches') as typeof import('./patches')).installKafkajsPatches();
      expect((require(DECODER) as Proto).prototype.readVarLong).toBe(readVarLong);
    });
    expect(result).toEqual({
      version: KAFKAJS_VERSION,
      installed: ['idle-spin-fix', 'gzip-codec', 'partition-grouping'],
      leftOut: ['record-decode', 'lazy-records', 'record-encode', 'produce-request'],
    });
  });

  it('refuses to swap a module that kafkajs modules already loaded hold', () => {
    const swap = moduleSwap('protocol/encoder.js', ['protocol/decoder.js'], {}, () => undefined);
    require(DECODER);
    expect(swap.check()).toBe(
      "protocol/decoder.js already loaded, holding kafkajs's own protocol/encoder.js",
    );
  });
});
