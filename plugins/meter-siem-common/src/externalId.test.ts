import { EXTERNAL_ID_BYTES, generateExternalId, redact } from './externalId';
import { rules } from './validation';

describe('generateExternalId', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('gives 64 lowercase hex characters, like `openssl rand -hex 32`', () => {
    const id = generateExternalId();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(rules.externalId(id, 'externalId')).toEqual([]);
  });

  it('gives a different id on each call', () => {
    const ids = Array.from({ length: 1000 }, generateExternalId);
    expect(ids.every(id => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(1000);
  });

  it('takes 32 bytes from the Web Crypto random source', () => {
    const spy = jest.spyOn(globalThis.crypto, 'getRandomValues');
    generateExternalId();
    expect(EXTERNAL_ID_BYTES).toBe(32);
    expect(spy).toHaveBeenCalledTimes(1);
    const [array] = spy.mock.calls[0];
    expect(array).toBeInstanceOf(Uint8Array);
    expect((array as Uint8Array).length).toBe(32);
  });

  it('writes each byte as two hex digits, zero-padded', () => {
    jest
      .spyOn(globalThis.crypto, 'getRandomValues')
      .mockImplementation(array => {
        const bytes = array as Uint8Array;
        bytes.forEach((_, i) => {
          bytes[i] = i === 31 ? 0xff : i;
        });
        return array;
      });
    expect(generateExternalId()).toBe(
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1eff',
    );
  });
});

describe('redact', () => {
  const secret =
    '9167190a4095f18bb33c84d75f9596366ee0cd392332e72f130f66da38c320d3';

  it('replaces every occurrence of a secret', () => {
    expect(
      redact(`ExternalId ${secret} is wrong; expected ${secret}.${secret}`, [
        secret,
      ]),
    ).toBe('ExternalId [redacted] is wrong; expected [redacted].[redacted]');
  });

  it('replaces every secret given', () => {
    expect(redact('a=one b=two c=one', ['one', 'two'])).toBe(
      'a=[redacted] b=[redacted] c=[redacted]',
    );
  });

  it('treats secrets literally, not as patterns', () => {
    expect(redact('x a.b*c y aXbbbc', ['a.b*c'])).toBe('x [redacted] y aXbbbc');
  });

  it('leaves text without secrets alone, and ignores empty secrets', () => {
    expect(redact('nothing to hide', [secret])).toBe('nothing to hide');
    expect(redact('nothing to hide', [''])).toBe('nothing to hide');
    expect(redact('nothing to hide', [])).toBe('nothing to hide');
  });
});
