/** Whether `promise` settles (either way) within `timeoutMs`. */
export async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = promise.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([settled, new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  })]);
  clearTimeout(timer);
  return result;
}
