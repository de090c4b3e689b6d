/**
 * A port whose adapter is built on its first use rather than at init. Loading an SDK client is
 * most of a function's init (docs/BENCHMARKS.md, section 4), so a function loads at init only
 * the clients its every invocation needs, and an invocation that needs a rare one pays for it
 * when it gets there (the alarm handler, for instance, after the route is safe). A module of its
 * own, reading no setting, so wiring that needs none (the registry's events) can use it too.
 */
export function onFirstUse<Port extends object>(build: () => Port): Port {
  let port: Port | undefined;
  return new Proxy({} as Port, {
    get(_unbuilt, key) {
      port ??= build();
      const member: unknown = Reflect.get(port, key);
      return typeof member === 'function' ? member.bind(port) : member;
    },
  });
}
