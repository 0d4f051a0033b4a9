/** Helpers the benchmark scripts share. */

/** Runs `fn` over `items`, `size` at a time. */
export async function pool<T>(
  items: T[],
  size: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index], index);
      }
    }),
  );
}
