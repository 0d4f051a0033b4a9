import { packJson, packList, unpackJson, unpackList } from './packed';

describe('packed', () => {
  it('gives back the value it packed, smaller', () => {
    const value = { streams: { a: { r: 1, tags: ['x', 'y'] } }, n: null };
    const packed = packJson(value);
    expect(unpackJson(packed)).toEqual(value);
    const many = Array.from({ length: 1000 }, () => value);
    expect(packJson(many).length).toBeLessThan(
      JSON.stringify(many).length / 10,
    );
  });

  it('packs a list a slice at a time and gives back every item in order', () => {
    const items = Array.from({ length: 1234 }, (_, i) => ({ name: `e-${i}` }));
    const packed = packList(items, { slice: 500 });
    expect(packed).toHaveLength(3);
    expect(unpackList(packed)).toEqual(items);
    expect(unpackList(packList([]))).toEqual([]);
  });
});
