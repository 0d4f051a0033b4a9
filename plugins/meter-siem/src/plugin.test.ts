import { meterSiemPlugin } from './plugin';

describe('meter-siem', () => {
  it('should export plugin', () => {
    expect(meterSiemPlugin).toBeDefined();
  });
});
