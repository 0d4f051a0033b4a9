import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * A JSON value kept gzipped: for what the provider holds between syncs and
 * seldom reads (a tenth of its size or less, instead of the objects).
 */
export function packJson(value: unknown, level = 6): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(value)), { level });
}

/** The value `packJson` packed. */
export function unpackJson<T>(packed: Buffer): T {
  return JSON.parse(gunzipSync(packed).toString('utf8')) as T;
}

/** A list packed a slice at a time (`packList`). */
export type PackedList = readonly Buffer[];

/**
 * A long list packed in slices of `slice` items, so that packing never
 * makes one text of the whole list (20,000 entities: some 40 MB at once).
 */
export function packList(
  items: readonly unknown[],
  { slice = 500, level = 1 }: { slice?: number; level?: number } = {},
): PackedList {
  const packed: Buffer[] = [];
  for (let i = 0; i < items.length; i += slice) {
    packed.push(packJson(items.slice(i, i + slice), level));
  }
  return packed;
}

/** The list `packList` packed. */
export function unpackList<T>(packed: PackedList): T[] {
  return packed.flatMap(part => unpackJson<T[]>(part));
}
