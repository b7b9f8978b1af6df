import { installKafkajsPatches } from './patches';
import { produceRequestV3 } from './produce-request';

interface Request {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse(): boolean;
  encode(): Promise<{ buffer: Buffer }>;
}
type MakeRequest = (args: object) => Request;
interface Kafkajs {
  v3: MakeRequest;
  v7: MakeRequest;
  Long: { fromValue(v: bigint): unknown };
  Types: Record<string, number>;
  compression: { Codecs: Record<number, unknown> };
}
/* eslint-disable @typescript-eslint/no-require-imports */
const load = (): Kafkajs => ({
  v3: require('kafkajs/src/protocol/requests/produce/v3/request.js'),
  v7: require('kafkajs/src/protocol/requests/produce/v7/request.js'),
  Long: require('kafkajs/src/utils/long.js'),
  Types: require('kafkajs/src/protocol/message/compression/index.js').Types,
  compression: require('kafkajs/src/protocol/message/compression/index.js'),
});
/* eslint-enable @typescript-eslint/no-require-imports */
/** kafkajs in a module registry of its own, where no patch is installed. */
let pristine!: Kafkajs;
jest.isolateModules(() => (pristine = load()));
installKafkajsPatches();
const patched = load(); // loaded after the patches, as in a running client
/**
 * The oracle: pristine kafkajs with the gzip codec a running client has (the gzip-codec patch
 * compresses at another level than kafkajs, so pristine gzip bytes differ).
 */
const codecs = (k: Kafkajs) => k.compression.Codecs;
const oracle = pristine;
codecs(oracle)[oracle.Types.GZIP!] = codecs(patched)[patched.Types.GZIP!];

let seed = 11;
const next = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};

const message = (i: number) => ({
  key: [null, `host-${i % 7}`, Buffer.from(`host-${i % 5}`), 'hôte-é'][next(4)],
  value: [null, Buffer.alloc(next(400), i & 255)][next(4) === 0 ? 0 : 1],
  headers: next(6) === 0 ? { h: `v${i}` } : undefined,
  // Most carry no timestamp (kafkajs then stamps the batch's records with its time); some a
  // number, some a string, in any order.
  timestamp: [undefined, undefined, 1_700_000_000_000 + next(90_000), String(1_700_000_000_000 + next(9))][
    next(4)
  ],
  partition: next(3),
});

const topicData = (topics: number, partitions: number, records: number) =>
  Array.from({ length: topics }, (_, t) => ({
    topic: `topic-${t}`,
    partitions: Array.from({ length: partitions }, (_, partition) => ({
      partition,
      firstSequence: next(1000),
      messages: Array.from({ length: records }, (_, i) => message(i)),
    })),
  }));

const bytes = async (make: MakeRequest, args: object) => (await make(args).encode()).buffer;

describe('produce request, against a pristine kafkajs', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_700_000_050_000));
  afterEach(() => jest.restoreAllMocks());

  it('is the request kafkajs sends once the patches are in', () => {
    expect(patched.v3).toBe(produceRequestV3);
  });

  it.each([
    ['no compression', 'None', 1, 1, 50],
    ['gzip', 'GZIP', 1, 3, 40],
    ['several topics, idempotent and transactional', 'GZIP', 3, 2, 25],
    ['a partition with no records', 'None', 1, 1, 0],
  ])('writes the bytes kafkajs writes: %s', async (_, compression, topics, partitions, records) => {
    const data = topicData(topics, partitions, records);
    const transactional = topics > 1;
    const args = (k: Kafkajs) => ({
      acks: -1,
      timeout: 30_000,
      compression: k.Types[compression],
      topicData: data,
      ...(transactional
        ? { transactionalId: 'tx-1', producerId: k.Long.fromValue(4242n), producerEpoch: 3 }
        : {}),
    });
    const theirs = await bytes(oracle.v3, args(oracle));
    expect((await bytes(patched.v3, args(patched))).equals(theirs)).toBe(true);
    // The versions kafkajs negotiates with a current broker extend v3's request.
    expect((await bytes(patched.v7, args(patched))).equals(await bytes(oracle.v7, args(oracle)))).toBe(true);
  });

  it('describes itself as kafkajs does, acks 0 expecting no response', () => {
    const args = { acks: 0, timeout: 1000, topicData: [] };
    const mine = patched.v7(args);
    const theirs = pristine.v7(args);
    expect([mine.apiKey, mine.apiVersion, mine.apiName, mine.expectResponse()]).toEqual([
      theirs.apiKey,
      theirs.apiVersion,
      theirs.apiName,
      false,
    ]);
    expect(patched.v7({ ...args, acks: -1 }).expectResponse()).toBe(true);
  });
});
