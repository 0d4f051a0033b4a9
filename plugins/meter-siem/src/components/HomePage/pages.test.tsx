import { screen } from '@testing-library/react';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { meterSiemApiRef } from '../../api';
import { SUBTITLE, meterSiemPlugin } from '../../plugin';
import { mockMeterSiemApi } from '../../testing/findings';

function render(path: string) {
  return renderTestApp({
    features: [meterSiemPlugin],
    initialRouteEntries: [path],
    apis: [
      [meterSiemApiRef, mockMeterSiemApi([])],
      catalogApiMock(),
      mockApis.identity({
        userEntityRef: 'user:default/guest',
        ownershipEntityRefs: ['user:default/guest', 'group:default/guests'],
      }),
    ],
  });
}

// The plugin's pages as the app mounts them (plugin.tsx).
describe('meter-siem pages', () => {
  it('is the home page at /', async () => {
    render('/');
    expect(
      await screen.findByRole('heading', { name: 'Meter SIEM on Backstage' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No SIEM integration is owned by guests yet.'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('region', { name: 'Open findings' }),
    ).toBeInTheDocument();
  });

  it.each(['/meter-siem/integrations', '/meter-siem/audit'])(
    'heads %s with the title and a subtitle',
    async path => {
      render(path);
      expect(await screen.findByText(SUBTITLE)).toBeInTheDocument();
      expect(
        screen.getByRole('heading', { level: 2, name: 'SIEM integrations' }),
      ).toBeInTheDocument();
    },
  );
});
