import { type PaceSource, simulationEpoch, VirtualClock } from '../../local/virtual-clock';

describe('VirtualClock', () => {
  let clock: VirtualClock;

  beforeEach(() => {
    clock = new VirtualClock();
    clock.start();
  });

  afterEach(async () => {
    await clock.stop();
  });

  it('fires timers in time order, and timers due at the same instant in the order they were set', async () => {
    // Prepare
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b at 2 s'), 2000);
    clock.setTimeout(() => fired.push('a at 1 s'), 1000);
    clock.setTimeout(() => fired.push('c at 2 s, set later'), 2000);

    // Act
    await clock.sleep(5000);

    // Assess
    expect(fired).toEqual(['a at 1 s', 'b at 2 s', 'c at 2 s, set later']);
    expect(clock.elapsed()).toBe(5000);
  });

  it('jumps straight to the next timer: an idle hour is one step, not 3,600 ticks', async () => {
    // Prepare
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.elapsed()), 3_599_999);

    // Act
    await clock.sleep(3_600_000);

    // Assess
    expect(seen).toEqual([3_599_999]);
    expect(clock.elapsed()).toBe(3_600_000);
  });

  it('does not move while real I/O is in flight, however long it takes on the wall clock', async () => {
    // Prepare
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.elapsed()), 1);

    // Act: 50 real milliseconds of tracked work, started before the 1 ms timer could fire.
    await clock.track(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen.push(clock.elapsed());
    });
    await clock.sleep(10);

    // Assess: the work saw time 0; the timer fired only after it, at its own 1 ms.
    expect(seen).toEqual([0, 1]);
  });

  it('gives a Date whose now and no-argument constructor read simulated time, and whose other forms are plain', async () => {
    // Act
    await clock.sleep(90_000);

    // Assess
    expect(clock.Date.now()).toBe(simulationEpoch + 90_000);
    expect(new clock.Date().toISOString()).toBe('2026-11-24T10:01:30.000Z');
    expect(new clock.Date('2020-01-01T00:00:00Z').getTime()).toBe(Date.UTC(2020, 0, 1));
  });

  it('never fires a cleared timer, and every() stops when asked', async () => {
    // Prepare
    const fired: number[] = [];
    const timer = clock.setTimeout(() => fired.push(-1), 500);
    const stop = clock.every(1000, () => fired.push(clock.elapsed()));

    // Act
    clock.clearTimeout(timer);
    await clock.sleep(3500);
    stop();
    await clock.sleep(5000);

    // Assess
    expect(fired).toEqual([1000, 2000, 3000]);
  });

  it('tells idle listeners when nothing is scheduled, so a wait that can never end fails at once', async () => {
    // Prepare
    const idle = new Promise<number>((resolve) => clock.onIdle(() => resolve(clock.elapsed())));

    // Act
    await clock.sleep(250);

    // Assess
    await expect(idle).resolves.toBe(250);
  });

  it('still moves for a sleep after a timer that already fired was cleared (a timeout cleared in a finally)', async () => {
    // Prepare
    const fired = clock.setTimeout(() => undefined, 1000);
    await clock.sleep(2000);
    clock.clearTimeout(fired);
    const idle = jest.fn();
    const offIdle = clock.onIdle(idle);

    // Act
    await clock.sleep(500);
    offIdle();

    // Assess
    expect(clock.elapsed()).toBe(2500);
    expect(idle).not.toHaveBeenCalled();
  });

  it('aborts a sleep early when its signal fires', async () => {
    // Prepare
    const controller = new AbortController();
    clock.setTimeout(() => controller.abort(), 100);

    // Act
    await clock.sleep(10_000, controller.signal);

    // Assess
    expect(clock.elapsed()).toBe(100);
  });

  describe('paced from outside', () => {
    let advance: (ms: number) => void;
    let handBack: () => void;
    const sourceStopped = jest.fn();
    const byHand: PaceSource = (given) => {
      advance = given;
      return sourceStopped;
    };
    /** Lets `ms` of simulated time pass and resolves once the clock has got there. */
    const passes = (ms: number) => {
      const slept = clock.sleep(ms);
      advance(ms);
      return slept;
    };
    /** Event-loop turns, no wall clock: until the clock has caught up with what the pace allowed. */
    const reached = async (ms: number) => {
      while (clock.elapsed() < ms) await new Promise((resolve) => setImmediate(resolve));
    };

    beforeEach(() => {
      handBack = clock.pace(byHand);
    });

    it('fires a timer only once the pace has let time reach it', async () => {
      // Prepare
      const fired: number[] = [];
      clock.setTimeout(() => fired.push(clock.elapsed()), 5000);

      // Act
      advance(3000);
      await reached(3000);
      const early = { at: clock.elapsed(), fired: [...fired] };
      await passes(2000);

      // Assess
      expect(early).toEqual({ at: 3000, fired: [] });
      expect(fired).toEqual([5000]);
    });

    it('rests at the time allowed when nothing is due, so work from outside runs then', async () => {
      // Act
      advance(1500);
      await reached(1500);
      const startedAt = await new Promise<number>((resolve) => clock.setTimeout(() => resolve(clock.elapsed()), 0));

      // Assess
      expect(startedAt).toBe(1500);
    });

    it('runs a background ticker on its own, and is never idle', async () => {
      // Prepare
      const ticks: number[] = [];
      clock.every(1000, () => ticks.push(clock.elapsed()), { background: true });
      const idle = jest.fn();
      clock.onIdle(idle);

      // Act
      await passes(3500);

      // Assess
      expect(ticks).toEqual([1000, 2000, 3000]);
      expect(idle).not.toHaveBeenCalled();
    });

    it('hands time back to the scheduler: the source stops and the clock jumps again', async () => {
      // Act
      handBack();
      await clock.sleep(60_000);

      // Assess
      expect(sourceStopped).toHaveBeenCalled();
      expect(clock.elapsed()).toBe(60_000);
    });
  });
});
