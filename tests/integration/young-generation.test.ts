import { execFileSync } from 'node:child_process';
import path from 'node:path';

const built = path.resolve(__dirname, '../../dist/core/young-generation.js');

/**
 * In a process started with 64 MiB semi-spaces (as the processor is), two worker threads churn
 * through short-lived arrays while keeping a few MiB alive, and report the largest young
 * generation they reached: the first started by `withSemiSpace(8, …)`, the second plainly once
 * the first is online.
 */
const script = `
const { Worker } = require('node:worker_threads');
const { withSemiSpace } = require(${JSON.stringify(built)});
const churn = \`
  const v8 = require('node:v8');
  const kept = [];
  let peak = 0;
  for (let i = 0; i < 40000; i++) {
    kept[i % 64] = new Array(1000).fill(i);
    if (i % 500 === 0) {
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      peak = Math.max(peak, young.space_size);
    }
  }
  require('node:worker_threads').parentPort.postMessage(peak);
\`;
const peakOf = (w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
(async () => {
  const small = withSemiSpace(8, () => new Worker(churn, { eval: true }));
  await new Promise((r) => small.once('online', r));
  const plain = new Worker(churn, { eval: true });
  const peaks = await Promise.all([peakOf(small), peakOf(plain)]);
  console.log(JSON.stringify(peaks.map((b) => b / 1048576)));
})();
`;

describe('a worker thread with semi-spaces of its own', () => {
  it('keeps its young generation to the size asked for, and later workers get the process default again', () => {
    const out = execFileSync(process.execPath, ['--max-semi-space-size=64', '-e', script], {
      encoding: 'utf8',
    });
    const [small, plain] = JSON.parse(out.trim()) as [number, number];
    expect(small).toBeLessThanOrEqual(16);
    expect(plain).toBeGreaterThan(16);
  });
});
