import { screen } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { meterSiemApiRef } from './api';
import { meterSiemPlugin } from './plugin';
import { finding, mockMeterSiemApi } from './testing/findings';

describe('meter-siem', () => {
  it('should export plugin', () => {
    expect(meterSiemPlugin).toBeDefined();
  });

  it('has an Audit tab beside the Integrations tab', async () => {
    renderTestApp({
      features: [meterSiemPlugin],
      initialRouteEntries: ['/meter-siem/audit'],
      apis: [
        [
          meterSiemApiRef,
          mockMeterSiemApi([finding({ id: 'f1', title: 'A seeded finding' })]),
        ],
        catalogApiMock(),
      ],
    });

    // The tab is loaded lazily.
    expect(
      await screen.findByText('A seeded finding', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Audit' })).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'Integrations' }),
    ).toBeInTheDocument();
  });
});
