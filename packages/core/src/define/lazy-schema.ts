/**
 * A value (a zod schema) built on first use and stood in for until then by a proxy that forwards
 * every operation to it. Exported schemas such as `agentConfigSchema` stay the same objects to
 * their users (`parse`, `shape`, `extend`, `z.toJSONSchema`, `instanceof`), while an app that
 * builds its agent in code never pays for building them at import: zod schemas cost milliseconds
 * each to construct, and a config schema is dozens of them.
 *
 * Code that owns the schema should call the builder itself (it is memoized) and keep the proxy
 * for the public export: the proxy's forwarding costs a little on every property read.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const real = (): T => (built ??= build());
  // The proxy's own target stays an empty, extensible object: every trap answers from the built
  // value, and descriptors are reported configurable so no proxy invariant ties them to the target.
  return new Proxy({} as T, {
    get: (_target, key) => {
      const value = real();
      return Reflect.get(value, key, value);
    },
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    deleteProperty: (_target, key) => Reflect.deleteProperty(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    // Refused: a non-extensible target must list exactly the keys the proxy reports, so letting
    // Object.freeze or Object.preventExtensions through would make every later key listing throw.
    preventExtensions: () => false,
  });
}

/** A function that builds its value once, on the first call, and returns that value after. */
export function once<T>(build: () => T): () => T {
  let built: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      built = build();
      done = true;
    }
    return built as T;
  };
}
