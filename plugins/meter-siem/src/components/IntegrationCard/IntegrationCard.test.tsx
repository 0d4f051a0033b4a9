import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  ANNOTATIONS,
  meterSiemExternalIdReadPermission,
} from '@internal/backstage-plugin-meter-siem-common';
import { MeterSiemApi, meterSiemApiRef } from '../../api';
import { integrationEntityCard } from '../../plugin';
import { integrationEntity } from '../../testing/integrationEntity';
import { mockMeterSiemApi } from '../../testing/findings';
import { readIntegration } from '../../integration';

// The permission's answer, typed without a dependency on
// @backstage/plugin-permission-common (whose AuthorizeResult it is).
type Decision = Exclude<
  NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize'],
  Function | undefined
>;
const ALLOW = 'ALLOW' as Decision;
const DENY = 'DENY' as Decision;

const SECRET = 'a'.repeat(64);
const EXTERNAL_ID = '0123456789abcdef'.repeat(4);

function renderCard(
  entity: Entity,
  options: {
    authorize?: Decision;
    api?: jest.Mocked<MeterSiemApi>;
  } = {},
) {
  const { authorize = ALLOW, api = mockMeterSiemApi([]) } = options;
  const authorizeFn = jest.fn(() => authorize);
  renderTestApp({
    extensions: [createTestEntityPage({ entity }), integrationEntityCard],
    apis: [
      mockApis.permission({ authorize: authorizeFn }),
      [meterSiemApiRef, api],
    ],
  });
  return { api, authorize: authorizeFn };
}

/** Audit facts as the catalog provider records them. */
function auditFacts(entity: Entity, hasExternalIdCondition: boolean): string {
  const annotations = entity.metadata.annotations!;
  return JSON.stringify({
    streamArn: annotations[ANNOTATIONS.streamArn],
    streamTags: {},
    roleArn: annotations[ANNOTATIONS.roleArn],
    roleTags: {},
    trust: { trustsMeter: true, hasExternalIdCondition },
  });
}

/** What `document.execCommand('copy')` would put on the clipboard. */
function spyOnClipboard(): { copied: string[]; restore: () => void } {
  const copied: string[] = [];
  const original = document.execCommand;
  document.execCommand = jest.fn((command: string) => {
    if (command === 'copy') {
      copied.push(document.getSelection()?.toString() ?? '');
    }
    return true;
  });
  return {
    copied,
    restore: () => {
      document.execCommand = original;
    },
  };
}

describe('IntegrationCard', () => {
  it('shows the facts of the integration and how to finish in Meter', async () => {
    const entity = integrationEntity({ name: 'hq' });
    renderCard(entity);

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
    expect(screen.getByText('Provisioned, 2 shards')).toBeInTheDocument();
    expect(screen.getByText('168 hours (7 days)')).toBeInTheDocument();
    expect(screen.getByText('KMS, AWS managed key')).toBeInTheDocument();
    expect(
      screen.getByText('IncomingBytes, IncomingRecords'),
    ).toBeInTheDocument();
    expect(screen.getByText('123456789012')).toBeInTheDocument();
    expect(screen.getByText('eu-west-1')).toBeInTheDocument();
    expect(screen.getByText('production')).toBeInTheDocument();

    expect(
      await screen.findByRole('button', { name: 'Reveal external ID' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/reveal the external ID above and copy it/),
    ).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(/scaffolder/i);
    expect(
      screen.getByText(
        /Settings > Organization > Integrations > Services > SIEM/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/Use Send test event/)).toHaveTextContent(
      'check the external ID',
    );
  });

  it('links to the AWS console pages of the stream and the role', async () => {
    renderCard(integrationEntity({ name: 'hq' }));

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
    renderCard(entity);

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
    const { api } = renderCard(entity);

    expect(await screen.findByText('ACTIVE')).toBeInTheDocument();
    expect(
      await screen.findByRole('button', { name: 'Reveal external ID' }),
    ).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
    expect(api.revealExternalId).not.toHaveBeenCalled();
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
      apis: [mockApis.permission()],
    });

    expect(await screen.findByText('sentinel card')).toBeInTheDocument();
    expect(
      screen.queryByText('Meter SIEM integration'),
    ).not.toBeInTheDocument();
  });

  describe('external ID', () => {
    it('reveals the external ID to those allowed, and copies exactly it', async () => {
      const entity = integrationEntity({ name: 'allowed' });
      let answer: (externalId: string) => void = () => {};
      const api = mockMeterSiemApi([]);
      api.revealExternalId.mockImplementation(
        () =>
          new Promise<string>(resolve => {
            answer = resolve;
          }),
      );
      const { authorize } = renderCard(entity, { api });
      const clipboard = spyOnClipboard();
      try {
        const reveal = await screen.findByRole('button', {
          name: 'Reveal external ID',
        });
        expect(authorize).toHaveBeenCalledWith(
          expect.objectContaining({
            permission: meterSiemExternalIdReadPermission,
            resourceRef: 'resource:default/allowed-123456789012',
          }),
        );
        expect(api.revealExternalId).not.toHaveBeenCalled();
        expect(document.body).not.toHaveTextContent(EXTERNAL_ID);

        await userEvent.click(reveal);

        expect(api.revealExternalId).toHaveBeenCalledTimes(1);
        expect(api.revealExternalId).toHaveBeenCalledWith(
          'resource:default/allowed-123456789012',
        );
        // Busy while the backend answers.
        expect(reveal).toHaveAttribute('data-pending', 'true');
        expect(within(reveal).getByRole('progressbar')).toBeInTheDocument();

        answer(EXTERNAL_ID);

        const value = await screen.findByText(EXTERNAL_ID);
        expect(value).toHaveStyle({ fontFamily: 'monospace' });
        expect(
          screen.queryByRole('button', { name: 'Reveal external ID' }),
        ).not.toBeInTheDocument();

        await userEvent.click(
          screen.getByRole('button', { name: 'Copy external ID' }),
        );
        expect(clipboard.copied).toEqual([EXTERNAL_ID]);
        expect(
          await screen.findByText('External ID copied'),
        ).toBeInTheDocument();

        await userEvent.click(screen.getByRole('button', { name: 'Hide' }));
        expect(screen.queryByText(EXTERNAL_ID)).not.toBeInTheDocument();
        expect(
          screen.getByRole('button', { name: 'Reveal external ID' }),
        ).toBeInTheDocument();
        expect(window.location.href).not.toContain(EXTERNAL_ID);
        expect(JSON.stringify({ ...window.localStorage })).not.toContain(
          EXTERNAL_ID,
        );
        expect(JSON.stringify({ ...window.sessionStorage })).not.toContain(
          EXTERNAL_ID,
        );
      } finally {
        clipboard.restore();
      }
    });

    it('offers no reveal to others, and names the owning team', async () => {
      const entity = integrationEntity({
        name: 'denied',
        owner: 'group:default/network-team',
      });
      const { api } = renderCard(entity, { authorize: DENY });

      const sentence = await screen.findByText(/Only members of the owning/);
      expect(sentence).toHaveTextContent(
        'Only members of the owning team, network-team, can reveal it.',
      );
      expect(
        within(sentence).getByRole('link', { name: /network-team/ }),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Reveal external ID' }),
      ).not.toBeInTheDocument();
      expect(api.revealExternalId).not.toHaveBeenCalled();
    });

    it("shows the backend's error", async () => {
      const entity = integrationEntity({ name: 'failing' });
      const api = mockMeterSiemApi([]);
      api.revealExternalId.mockImplementation(async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: {
                name: 'NotAllowedError',
                message:
                  'Not allowed to read the external ID: user:default/jane is not a member of group:default/security',
              },
              response: { statusCode: 403 },
            }),
            {
              status: 403,
              statusText: 'Forbidden',
              headers: { 'content-type': 'application/json' },
            },
          ),
        );
      });
      renderCard(entity, { api });

      await userEvent.click(
        await screen.findByRole('button', { name: 'Reveal external ID' }),
      );

      expect(
        await screen.findByText('Could not reveal the external ID'),
      ).toBeInTheDocument();
      expect(
        screen.getByText(/Request failed with 403 Forbidden/),
      ).toHaveTextContent(
        'Not allowed to read the external ID: user:default/jane is not a member of group:default/security',
      );
      // It can be tried again.
      expect(
        screen.getByRole('button', { name: 'Reveal external ID' }),
      ).not.toHaveAttribute('data-pending');
    });

    it('warns when the role requires no external ID, and offers no reveal', async () => {
      const entity = integrationEntity({ name: 'open' });
      entity.metadata.annotations![ANNOTATIONS.auditFacts] = auditFacts(
        entity,
        false,
      );
      const { api } = renderCard(entity);

      expect(
        await screen.findByText(
          /This role's trust policy requires no external ID: anyone who knows the role ARN can make Meter/,
        ),
      ).toHaveTextContent('trust-without-external-id');
      expect(
        screen.queryByRole('button', { name: 'Reveal external ID' }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByText(/reveal the external ID above/),
      ).not.toBeInTheDocument();
      expect(api.revealExternalId).not.toHaveBeenCalled();
    });

    it('offers the reveal when the audit facts say the trust requires an external ID', async () => {
      const entity = integrationEntity({ name: 'closed' });
      entity.metadata.annotations![ANNOTATIONS.auditFacts] = auditFacts(
        entity,
        true,
      );
      renderCard(entity);

      expect(
        await screen.findByRole('button', { name: 'Reveal external ID' }),
      ).toBeInTheDocument();
      expect(
        screen.queryByText(/requires no external ID/),
      ).not.toBeInTheDocument();
    });

    it('says nothing misleading while it checks access', async () => {
      const entity = integrationEntity({ name: 'checking' });
      renderTestApp({
        extensions: [createTestEntityPage({ entity }), integrationEntityCard],
        apis: [
          mockApis.permission.mock({
            authorize: () => new Promise(() => {}),
          }),
          [meterSiemApiRef, mockMeterSiemApi([])],
        ],
      });

      expect(await screen.findByText('Checking access…')).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Reveal external ID' }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByText(/Only members of the owning/),
      ).not.toBeInTheDocument();
    });
  });
});
