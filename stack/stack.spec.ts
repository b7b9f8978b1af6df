import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../core/logger';
import * as prerequisites from './prerequisites';
import { checkPrerequisites } from './prerequisites';
import { stackStatus, stackUp, type StackOptions } from './stack';

const options = (dataDir: string, kafkaPort: number): StackOptions => ({
  dataDir,
  cacheDir: path.join(dataDir, 'cache'),
  kafkaPort,
  controllerPort: 0,
  registryPort: 0,
  kafkaVersion: '4.1.1',
  registryVersion: '3.0.9',
  startTimeoutMs: 10_000,
  logger: silentLogger,
});

describe('stackUp refuses clearly before downloading anything', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-stack-spec-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('names the port that is taken and the setting that moves it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    // Java and Maven are checked on their own below; starting their JVMs here took seconds.
    const prereqs = jest.spyOn(prerequisites, 'checkPrerequisites').mockImplementation(() => undefined);
    try {
      await expect(stackUp(options(dataDir, port))).rejects.toMatchObject({
        code: 'TW_ERR_STACK_PORT_TAKEN',
        message: expect.stringMatching(
          new RegExp(`port ${port} \\(stack\\.kafkaPort, env TIDEWATCH_KAFKA_PORT\\) is already in use`),
        ),
      });
    } finally {
      prereqs.mockRestore();
      blocker.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'cache'))).toBe(false);
  });

  it('says what to install when Java is missing', () => {
    expect(() => checkPrerequisites({ PATH: '/nonexistent' })).toThrow(
      expect.objectContaining({
        code: 'TW_ERR_STACK_PREREQ',
        message: expect.stringMatching(/Install Java 17/),
      }),
    );
  });

  it('reports a data directory with no stack as stopped', () => {
    expect(stackStatus(dataDir)).toMatchObject({ kafka: false, registry: false });
  });
});
