import { screen } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { integrationEntityCard } from '../../plugin';
import { integrationEntity } from '../../testing/integrationEntity';
import { readIntegration } from '../../integration';

const SECRET = 'a'.repeat(64);

describe('IntegrationCard', () => {
  it('shows the facts of the integration and how to finish in Meter', async () => {
    const entity = integrationEntity({ name: 'hq' });
    renderTestApp({
      extensions: [createTestEntityPage({ entity }), integrationEntityCard],
    });

    expect(
      await screen.findByText(
        'arn:aws:kinesis:eu-west-1:123456789012:stream/meter-siem-hq',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('arn:aws:iam::123456789012:role/meter-siem-hq'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Copy stream arn' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Copy role arn' }),
    ).toBeInTheDocument();

    expect(screen.getByText('ACTIVE')).toBeInTheDocument();
    expect(screen.getByText('PROVISIONED, 2 shards')).toBeInTheDocument();
    expect(screen.getByText('168 hours (7 days)')).toBeInTheDocument();
    expect(screen.getByText('KMS alias/aws/kinesis')).toBeInTheDocument();
    expect(
      screen.getByText('IncomingBytes, IncomingRecords'),
    ).toBeInTheDocument();
    expect(screen.getByText('123456789012')).toBeInTheDocument();
    expect(screen.getByText('eu-west-1')).toBeInTheDocument();
    expect(screen.getByText('production')).toBeInTheDocument();

    expect(screen.getByText(/Not stored in the catalog/)).toHaveTextContent(
      'trust policy of the IAM role meter-siem-hq, as the condition sts:ExternalId',
    );
    expect(
      screen.getByText(
        /Settings > Organization > Integrations > Services > SIEM/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/Send test event/)).toHaveTextContent(
      'check the external ID',
    );
  });

  it('links to the AWS console pages of the stream and the role', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: integrationEntity({ name: 'hq' }) }),
        integrationEntityCard,
      ],
    });

    expect(
      await screen.findByRole('link', {
        name: 'Kinesis stream in the AWS console',
      }),
    ).toHaveAttribute(
      'href',
      'https://eu-west-1.console.aws.amazon.com/kinesis/home?region=eu-west-1#/streams/details/meter-siem-hq/details',
    );
    expect(
      screen.getByRole('link', { name: 'IAM role in the AWS console' }),
    ).toHaveAttribute(
      'href',
      'https://console.aws.amazon.com/iam/home#/roles/details/meter-siem-hq',
    );
  });

  it('prefers the links of the entity, and renders only web addresses', async () => {
    const entity = integrationEntity({
      name: 'hq',
      links: [
        { url: 'https://example.com/stream', title: 'Stream' },
        // eslint-disable-next-line no-script-url -- the link under test
        { url: 'javascript:alert(1)', title: 'Trap' },
      ],
    });
    renderTestApp({
      extensions: [createTestEntityPage({ entity }), integrationEntityCard],
    });

    expect(await screen.findByRole('link', { name: 'Stream' })).toHaveAttribute(
      'href',
      'https://example.com/stream',
    );
    expect(screen.queryByText('Trap')).not.toBeInTheDocument();
  });

  it('never shows an external ID, even one put on the entity by hand', async () => {
    const entity = integrationEntity({
      name: 'hq',
      annotations: {
        'meter-siem.io/external-id': SECRET,
        'meter-siem.io/externalId': SECRET,
      },
    });
    renderTestApp({
      extensions: [createTestEntityPage({ entity }), integrationEntityCard],
    });

    expect(await screen.findByText('ACTIVE')).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it('reads no annotation named like an external ID', () => {
    const entity = integrationEntity({
      name: 'hq',
      annotations: { 'meter-siem.io/external-id': SECRET },
    });
    const read: string[] = [];
    entity.metadata.annotations = new Proxy(entity.metadata.annotations!, {
      get(target, key) {
        read.push(String(key));
        return Reflect.get(target, key);
      },
      ownKeys(target) {
        read.push('(all keys)');
        return Reflect.ownKeys(target);
      },
    });

    const view = readIntegration(entity);

    expect(read.length).toBeGreaterThan(0);
    expect(read).not.toContain('(all keys)');
    expect(read.filter(key => /external/i.test(key))).toEqual([]);
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('is shown only on integration entities', async () => {
    const entity = {
      ...integrationEntity({ name: 'hq' }),
      spec: { type: 'kinesis-stream', owner: 'group:default/security' },
    };
    // A card shown on every entity, so that the page is known to be rendered.
    const sentinelCard = EntityCardBlueprint.make({
      name: 'sentinel',
      params: { loader: async () => <div>sentinel card</div> },
    });
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity }),
        sentinelCard,
        integrationEntityCard,
      ],
    });

    expect(await screen.findByText('sentinel card')).toBeInTheDocument();
    expect(
      screen.queryByText('Meter SIEM integration'),
    ).not.toBeInTheDocument();
  });
});
