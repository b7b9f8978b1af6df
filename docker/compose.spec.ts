import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Docker is not available where the tests run, so the deployment files are checked as data: the
 * compose file through a YAML parser, the Dockerfile by its instructions.
 */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  restart?: string;
  healthcheck?: { test: string[] | string; interval?: string; retries?: number };
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  command?: string | string[];
  entrypoint?: string | string[];
  network_mode?: string;
  hostname?: string;
}

const compose = parse(fs.readFileSync(path.join(__dirname, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(compose.services);
const dockerfile = fs.readFileSync(path.join(__dirname, 'Dockerfile'), 'utf8');
/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
const stages = () => {
  const out: { name: string; from: string; body: { op: string; args: string }[] }[] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args)!;
      out.push({ name: m[2] ?? '', from: m[1]!, body: [] });
    } else out.at(-1)?.body.push(i);
  }
  return out;
};
const argDefault = (name: string) =>
  instructions.find((i) => i.op === 'ARG' && i.args.startsWith(`${name}=`))?.args.slice(name.length + 1);

describe('docker/compose.yaml', () => {
  it('has the infrastructure and the services', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'agent',
      'clickhouse',
      'kafka',
      'registry',
      'tidewatch',
    ]);
  });

  it.each(services)('%s has a healthcheck and a restart policy', (_, s) => {
    expect(s.restart).toMatch(/^(unless-stopped|always|on-failure(:\d+)?)$/);
    expect(s.healthcheck?.test).toBeDefined();
    expect(s.healthcheck?.test).not.toEqual(['NONE']);
  });

  it.each(services)('%s waits for what it depends on to be healthy', (_, s) => {
    const deps = s.depends_on ?? {};
    expect(Array.isArray(deps)).toBe(false);
    for (const [dep, d] of Object.entries(deps)) {
      expect(Object.keys(compose.services)).toContain(dep);
      expect(d.condition).toBe('service_healthy');
    }
  });

  it('starts the registry after Kafka, and Tidewatch after Kafka, the registry and ClickHouse', () => {
    expect(Object.keys(compose.services.registry!.depends_on ?? {})).toEqual(['kafka']);
    expect(Object.keys(compose.services.tidewatch!.depends_on ?? {}).sort()).toEqual([
      'clickhouse',
      'kafka',
      'registry',
    ]);
  });

  it.each(services)('%s runs a pinned image or one built here, and not the test suite', (_, s) => {
    if (s.image !== undefined) {
      const tag = s.image.split(':')[1] ?? '';
      expect(tag).toMatch(/^\d+(\.\d+)+/);
    }
    if (s.build) expect(s.build.target).toMatch(/^(server|agent)$/);
    expect(JSON.stringify([s.command ?? '', s.entrypoint ?? ''])).not.toMatch(/jest|npm (run )?test|tests\//);
  });

  it('persists every stateful service in a declared volume at the path its image writes', () => {
    const mounts = (name: string) =>
      (compose.services[name]!.volumes ?? [])
        .map((v) => v.split(':'))
        .filter(([src]) => !src!.startsWith('/'));
    expect(mounts('kafka')).toEqual([['kafka-data', '/var/lib/kafka/data']]);
    expect(compose.services.kafka!.environment!.KAFKA_LOG_DIRS).toBe('/var/lib/kafka/data');
    expect(mounts('clickhouse')).toEqual([['clickhouse-data', '/var/lib/clickhouse']]);
    expect(mounts('tidewatch')).toEqual([
      ['tidewatch-data', String(compose.services.tidewatch!.environment!.TIDEWATCH_DATA_DIR)],
    ]);
    expect(mounts('agent').map(([, dst]) => dst)).toEqual(['/var/lib/tidewatch-agent']);
    const used = services.flatMap(([name]) => mounts(name).map(([src]) => src));
    expect(Object.keys(compose.volumes).sort()).toEqual([...new Set(used)].sort());
  });

  it('advertises an external Kafka listener on the host address, published, for agents on other hosts', () => {
    const env = compose.services.kafka!.environment!;
    const advertised = String(env.KAFKA_ADVERTISED_LISTENERS).split(',');
    expect(advertised).toContain('INTERNAL://kafka:9092');
    const external = advertised.find((l) => l.startsWith('EXTERNAL://'));
    expect(external).toBe('EXTERNAL://${KAFKA_EXTERNAL_HOST:-localhost}:${KAFKA_EXTERNAL_PORT:-9094}');
    expect(String(env.KAFKA_LISTENERS)).toContain('EXTERNAL://:9094');
    expect(String(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP)).toContain('EXTERNAL:');
    expect(compose.services.kafka!.ports).toContain('${KAFKA_EXTERNAL_PORT:-9094}:9094');
  });

  it('gives KRaft a valid cluster id (a base64url UUID: 16 bytes) by default', () => {
    const m = /^\$\{KAFKA_CLUSTER_ID:-([A-Za-z0-9_-]+)\}$/.exec(
      String(compose.services.kafka!.environment!.CLUSTER_ID),
    );
    expect(m).not.toBeNull();
    expect(m![1]).toHaveLength(22);
    expect(Buffer.from(m![1]!, 'base64url')).toHaveLength(16);
  });

  it("reports the agent under the host's name, not the container's", () => {
    const agent = compose.services.agent!;
    expect(agent.network_mode).toBe('host');
    expect(agent.environment!.TIDEWATCH_AGENT_HOST).toMatch(/^\$\{TIDEWATCH_AGENT_HOST:-\$\{HOSTNAME/);
    expect(agent.environment!.KAFKA_BROKERS).toContain('${KAFKA_EXTERNAL_HOST');
    expect(compose.services.tidewatch!.environment!.TIDEWATCH_AGENT_ENABLED).toBe('false');
  });

  it('has no default ClickHouse password', () => {
    for (const name of ['clickhouse', 'tidewatch'])
      expect(compose.services[name]!.environment!.CLICKHOUSE_PASSWORD).toMatch(/^\$\{CLICKHOUSE_PASSWORD:\?/);
  });
});

describe('docker/Dockerfile', () => {
  it('builds in stages on Node 22 LTS', () => {
    expect(argDefault('NODE_IMAGE')).toMatch(/^node:22\.\d+\.\d+-/);
    expect(stages().map((s) => s.name)).toEqual(['build', 'deps', 'server', 'agent']);
    for (const s of stages()) expect(s.from).toBe('${NODE_IMAGE}');
  });

  it.each(['server', 'agent'])('the %s image runs as a non-root user', (name) => {
    const users = stages()
      .find((s) => s.name === name)!
      .body.filter((i) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies no tests into any stage, and the runtime images copy only built output and production modules', () => {
    const copies = instructions.filter((i) => i.op === 'COPY' || i.op === 'ADD');
    for (const c of copies) expect(c.args).not.toMatch(/(^|\s|\/)tests?\b|\s\.\s|^\.\s/);
    const runtime = stages().filter((s) => s.name === 'server' || s.name === 'agent');
    for (const s of runtime)
      for (const c of s.body.filter((i) => i.op === 'COPY')) expect(c.args).toMatch(/^--from=(build|deps)\b/);
  });

  it('installs production dependencies without chDB for the server, and nothing but the bundle for the agent', () => {
    const deps = stages()
      .find((s) => s.name === 'deps')!
      .body.filter((i) => i.op === 'RUN');
    expect(deps.map((r) => r.args).join(' ')).toMatch(/npm ci --omit=dev --omit=optional/);
    const agent = stages()
      .find((s) => s.name === 'agent')!
      .body.filter((i) => i.op === 'COPY');
    expect(agent.map((c) => c.args)).toEqual(['--from=build --chown=root:root /src/dist/agent ./']);
  });

  it('.dockerignore keeps tests, local data and secrets out of the build context', () => {
    const ignored = fs.readFileSync(path.join(__dirname, '..', '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['tests', 'node_modules', 'dist', '.tidewatch', '.git', '.env'])
      expect(ignored).toContain(entry);
  });
});
