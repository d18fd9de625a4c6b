/** Lets timers and I/O callbacks run between slices of synchronous work (a resolved await does not). */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
