import { rateName } from './counter-samples';

/**
 * How a consumer must read a metric: `counter` is an OpenTelemetry monotonic cumulative sum (take
 * its rate; a drop is a reset), `updowncounter` a current amount, `gauge` a sampled value.
 */
export type Instrument = 'counter' | 'updowncounter' | 'gauge';

export interface MetricConvention {
  unit: string;
  instrument: Instrument;
  /**
   * Every attribute a sample may carry: the list of values allowed, or 'any' for names (devices,
   * mountpoints, interfaces) and inventory text.
   */
  attributes: Record<string, readonly string[] | 'any'>;
  /** Values emitted that the OpenTelemetry conventions do not list (Linux states they fold away). */
  extensions?: readonly string[];
}

const DIRECTION_DISK = { 'system.device': 'any', 'disk.io.direction': ['read', 'write'] } as const;
const DIRECTION_NET = {
  'network.interface.name': 'any',
  'network.io.direction': ['receive', 'transmit'],
} as const;
const FILESYSTEM = {
  'system.device': 'any',
  'system.filesystem.mountpoint': 'any',
  'system.filesystem.type': 'any',
  'system.filesystem.mode': ['ro', 'rw'],
} as const;
const INVENTORY = [
  'os.type',
  'os.description',
  'os.version',
  'host.arch',
  'host.cpu.model.name',
  'host.cpu.cores',
  'host.memory.total',
  'host.boot.time',
];

/** The OpenTelemetry counters the agent publishes cumulative; each also has a `rateName` gauge. */
const COUNTERS: Record<string, MetricConvention> = {
  'system.disk.io': { unit: 'By', instrument: 'counter', attributes: DIRECTION_DISK },
  'system.disk.operations': { unit: '{operation}', instrument: 'counter', attributes: DIRECTION_DISK },
  'system.network.io': { unit: 'By', instrument: 'counter', attributes: DIRECTION_NET },
  'system.network.packet.count': { unit: '{packet}', instrument: 'counter', attributes: DIRECTION_NET },
  'system.network.errors': { unit: '{error}', instrument: 'counter', attributes: DIRECTION_NET },
  'system.network.packet.dropped': { unit: '{packet}', instrument: 'counter', attributes: DIRECTION_NET },
  'system.process.created': { unit: '{process}', instrument: 'counter', attributes: {} },
};

const rates = Object.fromEntries(
  Object.entries(COUNTERS).map(([name, c]) => [
    rateName(name),
    { ...c, unit: `${c.unit}/s`, instrument: 'gauge' as const },
  ]),
);

/**
 * Every metric the host agent emits, with its unit, instrument and attributes, after the
 * OpenTelemetry semantic conventions for system metrics (names, units, `network.connection.state`,
 * `system.memory.state`, `system.process.status` values). `collectors.spec.ts`-style checks run
 * every collector on the recorded /proc and compare what they emit with this table.
 */
export const SEMANTIC_CONVENTIONS: Record<string, MetricConvention> = {
  'system.cpu.utilization': {
    unit: '1',
    instrument: 'gauge',
    attributes: { 'cpu.mode': ['user', 'nice', 'system', 'idle', 'iowait', 'interrupt', 'steal'] },
  },
  'system.cpu.logical.count': { unit: '{cpu}', instrument: 'updowncounter', attributes: {} },
  'system.cpu.load_average.1m': { unit: '{thread}', instrument: 'gauge', attributes: {} },
  'system.cpu.load_average.5m': { unit: '{thread}', instrument: 'gauge', attributes: {} },
  'system.cpu.load_average.15m': { unit: '{thread}', instrument: 'gauge', attributes: {} },
  'system.memory.usage': {
    unit: 'By',
    instrument: 'updowncounter',
    attributes: { 'system.memory.state': ['used', 'free', 'buffers', 'cached', 'slab_reclaimable'] },
    extensions: ['slab_reclaimable'],
  },
  'system.memory.utilization': {
    unit: '1',
    instrument: 'gauge',
    attributes: { 'system.memory.state': ['used'] },
  },
  'system.memory.limit': { unit: 'By', instrument: 'updowncounter', attributes: {} },
  'system.paging.usage': {
    unit: 'By',
    instrument: 'updowncounter',
    attributes: { 'system.paging.state': ['used', 'free'] },
  },
  'system.paging.utilization': {
    unit: '1',
    instrument: 'gauge',
    attributes: { 'system.paging.state': ['used'] },
  },
  'system.filesystem.usage': {
    unit: 'By',
    instrument: 'updowncounter',
    attributes: { ...FILESYSTEM, 'system.filesystem.state': ['used', 'free', 'reserved'] },
  },
  'system.filesystem.utilization': { unit: '1', instrument: 'gauge', attributes: FILESYSTEM },
  'system.uptime': { unit: 's', instrument: 'gauge', attributes: {} },
  'system.network.connection.count': {
    unit: '{connection}',
    instrument: 'updowncounter',
    attributes: {
      'network.transport': ['tcp'],
      'network.connection.state': [
        'established',
        'syn_sent',
        'syn_received',
        'fin_wait_1',
        'fin_wait_2',
        'time_wait',
        'closed',
        'close_wait',
        'last_ack',
        'listen',
        'closing',
      ],
    },
  },
  'system.process.count': {
    unit: '{process}',
    instrument: 'updowncounter',
    attributes: {
      'system.process.status': ['running', 'sleeping', 'stopped', 'defunct', 'blocked', 'idle'],
    },
    extensions: ['blocked', 'idle'],
  },
  'tidewatch.host.info': {
    unit: '1',
    instrument: 'gauge',
    attributes: Object.fromEntries(INVENTORY.map((k) => [k, 'any'])),
  },
  ...COUNTERS,
  ...rates,
};

/** The names published as cumulative OpenTelemetry counters. */
export const CUMULATIVE_COUNTERS: readonly string[] = Object.keys(COUNTERS);
