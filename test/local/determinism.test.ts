import { Worker } from 'node:worker_threads';
import { runScenario } from '../../local/scenarios';

/** Busy loops on every core, started and stopped by the test itself. */
async function underCpuLoad<T>(work: () => Promise<T>): Promise<T> {
  const spinners = [0, 1, 2].map(() => new Worker('for (;;) {}', { eval: true }));
  try {
    return await work();
  } finally {
    await Promise.all(spinners.map((spinner) => spinner.terminate()));
  }
}

describe('a scenario on the simulated clock', () => {
  it.each([
    ['appmesh', 'bad-canary'],
    ['appmesh', 'throttling-storm'],
    ['lattice', 'bad-canary'],
    ['lattice', 'throttling-storm'],
  ] as const)('on %s, %s gives a byte-identical report idle and under CPU load', async (provider, scenario) => {
    // Act
    const idle = JSON.stringify(await runScenario(scenario, { provider, seed: 7 }));
    const loaded = JSON.stringify(await underCpuLoad(() => runScenario(scenario, { provider, seed: 7 })));

    // Assess
    expect(loaded).toBe(idle);
  });

  it('draws other latencies and jitter from another seed, with the same outcome', async () => {
    // Act
    const first = await runScenario('throttling-storm', { seed: 1 });
    const second = await runScenario('throttling-storm', { seed: 2 });

    // Assess
    expect(second.outcome).toBe(first.outcome);
    expect(second.simulatedSeconds).not.toBe(first.simulatedSeconds);
  });
});
