import { onFirstUse } from '../../../../functions/shared/wiring/built-on-first-use';

interface Greeter {
  greet(name: string): Promise<string>;
}

class PoliteGreeter implements Greeter {
  constructor(private readonly greeting: string) {}

  async greet(name: string): Promise<string> {
    return `${this.greeting}, ${name}`;
  }
}

describe('onFirstUse', () => {
  it('builds nothing until the port is first used, then builds once', async () => {
    // Prepare
    const build = jest.fn(() => new PoliteGreeter('Hello'));
    const greeter = onFirstUse<Greeter>(build);

    // Act
    const before = build.mock.calls.length;
    const greetings = [await greeter.greet('Ada'), await greeter.greet('Grace')];

    // Assess
    expect(before).toBe(0);
    expect(build).toHaveBeenCalledTimes(1);
    expect(greetings).toEqual(['Hello, Ada', 'Hello, Grace']);
  });

  it('keeps methods bound to the built adapter when they are passed around', async () => {
    // Prepare
    const { greet } = onFirstUse<Greeter>(() => new PoliteGreeter('Hi'));

    // Act
    const greeting = await greet('Linus');

    // Assess
    expect(greeting).toBe('Hi, Linus');
  });

  it('builds again on the next use when building failed, so one failed load does not break the function for good', async () => {
    // Prepare
    const build = jest
      .fn<Greeter, []>()
      .mockImplementationOnce(() => {
        throw new Error('client failed to load');
      })
      .mockImplementation(() => new PoliteGreeter('Hey'));
    const greeter = onFirstUse<Greeter>(build);

    // Act
    const first = (async () => greeter.greet('Ken'))();
    const second = (async () => greeter.greet('Ken'))();

    // Assess
    await expect(first).rejects.toThrow('client failed to load');
    await expect(second).resolves.toBe('Hey, Ken');
  });
});
