import { MeterSiemProvider } from './MeterSiemProvider';
import { mockServices } from '@backstage/backend-test-utils';

describe('MeterSiemProvider', () => {
  it('should read entities from the target', async () => {
    const logger = mockServices.logger.mock();
    const provider = new MeterSiemProvider({
      id: 'test',
      target: 'https://example.com',
      logger: mockServices.logger.mock(),
      taskRunner: { run: jest.fn() },
    });

    const entities = await provider.read({ logger });

    expect(entities).toEqual([]);
  });
})
