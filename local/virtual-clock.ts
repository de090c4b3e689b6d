/** A timer the clock will fire; ordered by time, then by when it was set. */
interface Timer {
  at: number;
  sequence: number;
  callback: () => void;
  /** Cancelled, or already fired: either way clearing it again must not count it twice. */
  done: boolean;
  /** Like an unref'd Node timer: it fires only while other work is pending, never on its own. */
  background: boolean;
}

export type TimerHandle = Timer;

/**
 * What paces a clock from outside: called once with `advance`, which lets simulated time run that
 * many milliseconds further; returns what stops it. A test passes one it calls by hand.
 */
export type PaceSource = (advance: (ms: number) => void) => () => void;

/** When the local stack's simulated time starts: fixed, so every run prints the same times. */
export const simulationEpoch = Date.UTC(2026, 10, 24, 10, 0, 0);

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
}

/** A binary min-heap of timers; thousands of concurrent rollouts keep thousands of timers. */
class TimerQueue {
  private readonly heap: Timer[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index] as Timer, heap[parent] as Timer)) break;
      [heap[index], heap[parent]] = [heap[parent] as Timer, heap[index] as Timer];
      index = parent;
    }
  }

  peek(): Timer | undefined {
    return this.heap[0];
  }

  pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && earlier(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
        if (right < heap.length && earlier(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest] as Timer, heap[index] as Timer];
        index = smallest;
      }
    }
    return top;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The one clock of the local stack: a discrete-event scheduler. Simulated time moves only
 * when no work is pending: every promise chain has run and no real I/O (the registry on
 * dynalite, over loopback) is in flight. Then it jumps to the next timer and fires it alone,
 * so two runs of one scenario interleave identically on any machine under any load.
 */
export class VirtualClock {
  /** A Date whose `now` is this clock's, for code that reads time from the global Date. */
  readonly Date: DateConstructor;
  private current: number;
  private sequence = 0;
  private readonly timers = new TimerQueue();
  private foregroundTimers = 0;
  private inFlight = 0;
  private activity = 0;
  private running = false;
  private wake: (() => void) | undefined;
  private stopped: Promise<void> = Promise.resolve();
  private readonly idleListeners = new Set<() => void>();
  /** While paced: how far simulated time may run. */
  private horizon: number | undefined;

  constructor(startAt: number = simulationEpoch) {
    this.current = startAt;
    const now = () => this.now();
    this.Date = class VirtualDate extends Date {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(now());
        else super(...(args as [string]));
      }

      static override now(): number {
        return now();
      }
    } as DateConstructor;
  }

  now(): number {
    return this.current;
  }

  /** Simulated milliseconds since the epoch the clock started at. */
  elapsed(startAt: number = simulationEpoch): number {
    return this.current - startAt;
  }

  setTimeout = (callback: () => void, ms = 0): TimerHandle => this.schedule(callback, ms, false);

  clearTimeout = (handle: TimerHandle | undefined): void => {
    if (!handle || handle.done) return;
    handle.done = true;
    if (!handle.background) this.foregroundTimers -= 1;
  };

  private schedule(callback: () => void, ms: number, background: boolean): TimerHandle {
    const timer: Timer = { at: this.current + Math.max(0, ms), sequence: this.sequence++, callback, done: false, background };
    this.timers.push(timer);
    if (!background) this.foregroundTimers += 1;
    this.activity += 1;
    this.wake?.();
    return timer;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = this.setTimeout(() => {
        signal?.removeEventListener('abort', abort);
        resolve();
      }, ms);
      const abort = () => {
        this.clearTimeout(timer);
        resolve();
      };
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /**
   * Calls `callback` every `ms` simulated milliseconds until the returned function is called.
   * A `background` ticker (a schedule, traffic) runs only while something else keeps time
   * moving, so it never hides that a run is stuck, nor spins the clock when all is done.
   */
  every(ms: number, callback: () => void, options: { background?: boolean } = {}): () => void {
    let timer: TimerHandle | undefined;
    const tick = () => {
      timer = this.schedule(
        () => {
          tick();
          callback();
        },
        ms,
        options.background ?? false,
      );
    };
    tick();
    return () => this.clearTimeout(timer);
  }

  /** Real work (loopback I/O) that simulated time must wait for. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    this.activity += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      this.activity += 1;
    }
  }

  /** Called whenever the stack is idle with nothing scheduled: whatever still waits, waits forever. */
  onIdle(listener: () => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  /**
   * From now on time moves as `source` allows instead of jumping to the next timer: timers due by
   * then fire (background ones too, since time moves anyway), and with none due the clock rests at
   * the time allowed, so work that arrives from outside runs at that time. Nothing is ever idle
   * while paced: whatever waits may yet be ended by what comes from outside.
   * Returns what hands time back to the scheduler.
   */
  pace(source: PaceSource): () => void {
    this.horizon = this.current;
    const stopSource = source((ms) => {
      if (this.horizon === undefined) return;
      this.horizon += ms;
      this.wake?.();
    });
    return () => {
      stopSource();
      this.horizon = undefined;
      this.wake?.();
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.stopped;
  }

  /** Resolves once every pending promise chain and real I/O has finished. */
  async settled(): Promise<void> {
    for (;;) {
      const before = this.activity;
      await nextTurn();
      await nextTurn();
      if (this.inFlight === 0 && this.activity === before) return;
    }
  }

  private async pump(): Promise<void> {
    while (this.running) {
      await this.settled();
      if (!this.running) break;
      if (this.horizon !== undefined) {
        while (this.timers.peek()?.done) this.timers.pop();
        if ((this.timers.peek()?.at ?? Infinity) > this.horizon) {
          this.current = Math.max(this.current, this.horizon);
          await this.woken();
          continue;
        }
      } else if (this.foregroundTimers === 0) {
        for (const listener of [...this.idleListeners]) listener();
        if (this.foregroundTimers === 0 && this.running) await this.woken();
        continue;
      }
      const timer = this.timers.pop();
      if (!timer || timer.done) continue;
      timer.done = true;
      if (!timer.background) this.foregroundTimers -= 1;
      this.current = Math.max(this.current, timer.at);
      this.activity += 1;
      timer.callback();
    }
  }

  /** Set synchronously after the pump's checks, so a timer set or a pace step in between is never missed. */
  private async woken(): Promise<void> {
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
  }
}
