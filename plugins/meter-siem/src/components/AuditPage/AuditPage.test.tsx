import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { coreApis } from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Entity } from '@backstage/catalog-model';
import { createIntegrationRouteRef } from '../../routes';
import { Finding, MeterSiemApi, meterSiemApiRef } from '../../api';
import { finding, mockMeterSiemApi, report } from '../../testing/findings';
import { AuditPage, NO_FINDINGS, factsAgeText } from './AuditPage';

// In the backend's order: the user's own first, then by severity.
const findings: Finding[] = [
  finding({
    id: 'f1',
    ruleId: 'policy-too-broad',
    severity: 'critical',
    title: 'Policy allows more than PutRecord',
    message: 'The policy allows kinesis:*.',
    remedy: 'Allow only kinesis:PutRecord and kinesis:PutRecords.',
    resource: 'policy',
    mine: true,
  }),
  finding({
    id: 'f2',
    ruleId: 'owner-tag-missing',
    severity: 'medium',
    title: 'Owner tag missing on the role',
    resource: 'role',
    mine: true,
  }),
  finding({
    id: 'f3',
    ruleId: 'trust-without-external-id',
    severity: 'high',
    title: 'Role trusts Meter without an external ID',
    entityRef: 'resource:default/branch-222222222222',
    integration: 'branch',
    owner: 'group:default/network',
    accountId: '222222222222',
    region: 'us-east-2',
  }),
  finding({
    id: 'f4',
    ruleId: 'unmanaged',
    severity: 'low',
    title: 'Made outside Backstage',
    entityRef: 'resource:default/lab-111111111111',
    integration: 'lab',
    owner: 'group:default/network',
    region: 'us-east-2',
  }),
];

const org: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'security', namespace: 'default' },
    spec: {
      type: 'team',
      profile: { displayName: 'Security Operations' },
      children: [],
    },
  },
];

const noFilters = {
  owner: undefined,
  account: undefined,
  region: undefined,
  rule: undefined,
  severity: undefined,
};

/** The client of a backend that pages its answers, as ours does. */
function pagedApi(all: Finding[]) {
  const api = mockMeterSiemApi(all);
  const filtered = api.getFindings.getMockImplementation()!;
  api.getFindings.mockImplementation(async query => {
    const whole = await filtered(query);
    const offset = query?.offset ?? 0;
    const end = query?.limit === undefined ? undefined : offset + query.limit;
    return {
      ...whole,
      findings: whole.findings.slice(offset, end),
      totalFindings: whole.findings.length,
      offset,
      ...(query?.limit !== undefined && { limit: query.limit }),
    };
  });
  return api;
}

function render(
  options: {
    api?: Partial<MeterSiemApi>;
    route?: string;
    catalog?: boolean;
  } = {},
) {
  const api = options.api ?? pagedApi(findings);
  const result = renderInTestApp(<AuditPage />, {
    apis: [
      [meterSiemApiRef, api],
      ...(options.catalog ? [catalogApiMock({ entities: org })] : []),
    ],
    mountedRoutes: {
      '/catalog/:namespace/:kind/:name': entityRouteRef,
      '/create/templates/:namespace/:templateName': createIntegrationRouteRef,
    },
    mountPath: '/meter-siem/audit',
    initialRouteEntries: [options.route ?? '/meter-siem/audit'],
  });
  return { ...result, api };
}

/** Each row's finding: its title and rule, without the message below. */
function findingRows() {
  return screen
    .getAllByRole('row')
    .slice(1)
    .map(row =>
      [...within(row).getAllByRole('rowheader')[0].querySelectorAll('p')]
        .slice(0, 2)
        .map(p => p.textContent)
        .join(''),
    );
}

function rowOf(text: string) {
  return screen.getByText(text).closest('[role="row"]') as HTMLElement;
}

async function choose(label: string, option: string) {
  const select = screen.getByRole('button', { name: new RegExp(` ${label}$`) });
  await userEvent.click(select);
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

function severityCount(severity: string) {
  return screen.getByTestId(`severity-${severity}`).textContent;
}

function search(apis: { get: Function }) {
  return apis.get(coreApis.appHistory).getSnapshot().location.search;
}

describe('AuditPage', () => {
  it('says how old the facts of the report are', async () => {
    const readAt = new Date(Date.now() - 42 * 60_000).toISOString();
    const api = mockMeterSiemApi(findings);
    api.getFindings.mockImplementation(async () => ({
      ...report(findings),
      factsReadAt: readAt,
    }));
    render({ api });
    expect(
      await screen.findByText(
        /Facts read from AWS 42 minutes ago \(the oldest\)/,
      ),
    ).toBeInTheDocument();
  });

  it('counts the findings by severity and by owner', async () => {
    render();

    expect(
      await screen.findByText('Policy allows more than PutRecord'),
    ).toBeInTheDocument();
    expect(severityCount('critical')).toBe('Critical1findings');
    expect(severityCount('high')).toBe('High1findings');
    expect(severityCount('medium')).toBe('Medium1findings');
    expect(severityCount('low')).toBe('Low1findings');
    expect(
      screen.getByRole('button', { name: 'Critical: 1 finding' }),
    ).toBeInTheDocument();

    const owners = screen.getByText('Findings by owner').closest('article')!;
    const items = within(owners as HTMLElement)
      .getAllByRole('listitem')
      .map(item => item.textContent);
    // The user's team first.
    expect(items).toEqual(['security2Your team', 'network2']);
  });

  it("lists the findings in the backend's order, the user's team's marked", async () => {
    render();
    await screen.findByText('Policy allows more than PutRecord');

    expect(findingRows()).toEqual([
      'Policy allows more than PutRecordpolicy-too-broad',
      'Owner tag missing on the roleowner-tag-missing',
      'Role trusts Meter without an external IDtrust-without-external-id',
      'Made outside Backstageunmanaged',
    ]);
    const first = rowOf('Policy allows more than PutRecord');
    expect(within(first).getByText('Your team')).toBeInTheDocument();
    expect(within(first).getByText('Critical')).toBeInTheDocument();
    expect(
      within(first).getByText('The policy allows kinesis:*.'),
    ).toBeInTheDocument();
    expect(
      within(first).getByText(
        'Allow only kinesis:PutRecord and kinesis:PutRecords.',
      ),
    ).toBeInTheDocument();
    expect(within(first).getByText('111111111111')).toBeInTheDocument();
    expect(within(first).getByText('eu-west-1')).toBeInTheDocument();
    const other = rowOf('Role trusts Meter without an external ID');
    expect(within(other).queryByText('Your team')).not.toBeInTheDocument();
    expect(
      screen.getByText(/4 findings, 2 of your team's, shown first/),
    ).toBeInTheDocument();
  });

  it('links each finding to its integration and owner', async () => {
    render();
    await screen.findByText('Policy allows more than PutRecord');

    const row = rowOf('Role trusts Meter without an external ID');
    expect(within(row).getByRole('link', { name: 'branch' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/branch-222222222222',
    );
    expect(within(row).getByRole('link', { name: 'network' })).toHaveAttribute(
      'href',
      '/catalog/default/group/network',
    );
  });

  it('narrows the findings with the filters, kept in the address', async () => {
    const { apis } = render();
    await screen.findByText('Policy allows more than PutRecord');

    await choose('Owner', 'network');
    await waitFor(() =>
      expect(findingRows()).toEqual([
        'Role trusts Meter without an external IDtrust-without-external-id',
        'Made outside Backstageunmanaged',
      ]),
    );
    // The severity counts follow the other filters.
    expect(severityCount('critical')).toBe('Critical0findings');
    expect(severityCount('high')).toBe('High1findings');

    await choose('Region', 'us-east-2');
    await choose('Rule', 'Made outside Backstage (unmanaged)');
    await waitFor(() =>
      expect(findingRows()).toEqual(['Made outside Backstageunmanaged']),
    );
    expect(search(apis)).toBe(
      '?owner=group%3Adefault%2Fnetwork&region=us-east-2&rule=unmanaged',
    );

    await choose('Owner', 'All');
    await choose('Rule', 'All');
    await choose('Account', '111111111111');
    await waitFor(() =>
      expect(findingRows()).toEqual(['Made outside Backstageunmanaged']),
    );
  }, 30_000);

  it('filters by a severity or an owner when it is pressed', async () => {
    const { apis } = render();
    await screen.findByText('Policy allows more than PutRecord');

    await userEvent.click(
      screen.getByRole('button', { name: 'High: 1 finding' }),
    );
    await waitFor(() =>
      expect(findingRows()).toEqual([
        'Role trusts Meter without an external IDtrust-without-external-id',
      ]),
    );
    expect(search(apis)).toBe('?severity=high');
    expect(screen.getByText('Only these shown')).toBeInTheDocument();

    // Pressing it again shows every severity.
    await userEvent.click(
      screen.getByRole('button', { name: 'High: 1 finding, shown only' }),
    );
    await waitFor(() => expect(findingRows()).toHaveLength(4));

    await userEvent.click(
      screen.getByRole('button', { name: 'security: 2 findings' }),
    );
    await waitFor(() =>
      expect(findingRows()).toEqual([
        'Policy allows more than PutRecordpolicy-too-broad',
        'Owner tag missing on the roleowner-tag-missing',
      ]),
    );
    expect(search(apis)).toBe('?owner=group%3Adefault%2Fsecurity');
  }, 30_000);

  it('reads the filters from the address, so that a view can be shared', async () => {
    render({
      route: '/meter-siem/audit?severity=low&owner=group:default/network',
    });

    expect(
      await screen.findByText('Made outside Backstage'),
    ).toBeInTheDocument();
    expect(findingRows()).toEqual(['Made outside Backstageunmanaged']);
  });

  it('has the backend filter, and shows what it answers as it is', async () => {
    const api = mockMeterSiemApi(findings);
    const network = {
      owner: 'group:default/network',
      account: undefined,
      region: undefined,
      rule: undefined,
    };
    api.getFindings.mockImplementation(async query =>
      // The backend's answer stands, even one the browser would not match.
      report(query?.severity === 'low' ? [findings[0]] : findings),
    );
    render({
      api,
      route: '/meter-siem/audit?severity=low&owner=group:default/network',
    });

    await waitFor(() =>
      expect(findingRows()).toEqual([
        'Policy allows more than PutRecordpolicy-too-broad',
      ]),
    );
    // The counts of every finding (for the filters' options), the table's
    // first page, and the counts that leave out their own dimension.
    expect(api.getFindings).toHaveBeenCalledWith({ limit: 0 });
    expect(api.getFindings).toHaveBeenCalledWith({
      ...network,
      severity: 'low',
      limit: 20,
      offset: 0,
    });
    expect(api.getFindings).toHaveBeenCalledWith({
      ...network,
      severity: undefined,
      limit: 0,
    });
    expect(api.getFindings).toHaveBeenCalledWith({
      ...network,
      owner: undefined,
      severity: 'low',
      limit: 0,
    });
    expect(api.getFindings).toHaveBeenCalledTimes(4);
  });

  it('asks the backend for one page at a time, and pages through it', async () => {
    const many = Array.from({ length: 45 }, (_, i) =>
      finding({
        id: `p${i}`,
        title: `Finding ${String(i).padStart(2, '0')}`,
        severity: i < 5 ? 'high' : 'low',
        owner: i % 2 ? 'group:default/network' : 'group:default/security',
        accountId: i < 40 ? '111111111111' : '222222222222',
        mine: i % 2 === 0,
      }),
    );
    const api = pagedApi(many);
    render({ api });

    expect(await screen.findByText('Finding 00')).toBeInTheDocument();
    // The first rows at once, the others right after.
    await waitFor(() => expect(findingRows()).toHaveLength(20));
    expect(findingRows()[19]).toBe('Finding 19owner-tag-missing');
    // Counted by the server: all 45, not the 20 rows received.
    expect(
      screen.getByText(/^45 findings, 23 of your team's/),
    ).toBeInTheDocument();
    expect(screen.getByText('1 - 20 of 45')).toBeInTheDocument();
    expect(severityCount('low')).toBe('Low40findings');
    // One request on arrival: the first page, with every count.
    expect(api.getFindings.mock.calls).toEqual([
      [{ ...noFilters, limit: 20, offset: 0 }],
    ]);
    // The filters offer every value, from the counts.
    await userEvent.click(screen.getByRole('button', { name: / Account$/ }));
    expect(
      (await screen.findAllByRole('option')).map(o => o.textContent),
    ).toEqual(['All', '111111111111', '222222222222']);
    await userEvent.keyboard('{Escape}');

    await userEvent.click(
      screen.getByRole('button', { name: 'Next table page' }),
    );
    await waitFor(() =>
      expect(findingRows()[0]).toBe('Finding 20owner-tag-missing'),
    );
    expect(screen.getByText('21 - 40 of 45')).toBeInTheDocument();
    expect(api.getFindings).toHaveBeenLastCalledWith({
      ...noFilters,
      limit: 20,
      offset: 20,
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Next table page' }),
    );
    await waitFor(() => expect(findingRows()).toHaveLength(5));
    expect(
      screen.getByRole('button', { name: 'Next table page' }),
    ).toBeDisabled();

    // A filter starts again from its first page.
    await choose('Severity', 'High');
    await waitFor(() => expect(findingRows()).toHaveLength(5));
    expect(api.getFindings).toHaveBeenCalledWith({
      ...noFilters,
      severity: 'high',
      limit: 20,
      offset: 0,
    });
    // Never every finding at once.
    expect(
      api.getFindings.mock.calls.every(([query]) => query?.limit !== undefined),
    ).toBe(true);
  }, 30_000);

  it("shows the backend's counts", async () => {
    const api = mockMeterSiemApi(findings);
    api.getFindings.mockImplementation(async () => ({
      ...report(findings),
      counts: {
        bySeverity: { critical: 7, high: 5, medium: 3, low: 0 },
        byOwner: { 'group:default/network': 15 },
        mine: 6,
      },
    }));
    render({ api });
    await screen.findByText('Policy allows more than PutRecord');

    expect(severityCount('critical')).toBe('Critical7findings');
    expect(severityCount('high')).toBe('High5findings');
    expect(severityCount('medium')).toBe('Medium3findings');
    expect(severityCount('low')).toBe('Low0findings');
    const owners = screen.getByText('Findings by owner').closest('article')!;
    expect(
      within(owners as HTMLElement)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual(['network15']);
    // The team's count is the server's too, not the rows shown.
    expect(
      screen.getByText(/6 of your team's, shown first/),
    ).toBeInTheDocument();
  });

  it('downloads the CSV of the current filters', async () => {
    const createObjectURL = jest.fn(() => 'blob:http://localhost/report');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: Array<{ href: string; download: string; inDom: boolean }> =
      [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push({
          href: this.href,
          download: this.download,
          inDom: document.body.contains(this),
        });
      });
    try {
      const api = mockMeterSiemApi(findings);
      // The backend names the file after the filters and the day.
      api.getFindingsCsv.mockResolvedValue({
        blob: new Blob(['id\n'], { type: 'text/csv' }),
        filename:
          'meter-siem-findings-owner-network-severity-high-2026-11-28.csv',
      });
      render({
        api,
        route: '/meter-siem/audit?owner=group:default/network&severity=high',
      });
      await screen.findByText('Role trusts Meter without an external ID');

      await userEvent.click(
        screen.getByRole('button', { name: 'Download CSV' }),
      );

      await waitFor(() => expect(clicked).toHaveLength(1));
      expect(api.getFindingsCsv).toHaveBeenCalledWith({
        owner: 'group:default/network',
        severity: 'high',
        account: undefined,
        region: undefined,
        rule: undefined,
      });
      expect(createObjectURL).toHaveBeenCalledWith(expect.any(Blob));
      expect(clicked[0]).toEqual({
        href: 'blob:http://localhost/report',
        download:
          'meter-siem-findings-owner-network-severity-high-2026-11-28.csv',
        inDom: true,
      });
      // The temporary link is gone, and its URL released.
      expect(document.querySelector('a[download]')).toBeNull();
      await waitFor(() =>
        expect(revokeObjectURL).toHaveBeenCalledWith(
          'blob:http://localhost/report',
        ),
      );
    } finally {
      click.mockRestore();
    }
  });

  it('says when the CSV cannot be downloaded', async () => {
    const api = mockMeterSiemApi(findings);
    api.getFindingsCsv.mockRejectedValue(new Error('401 Unauthorized'));
    render({ api });
    await screen.findByText('Made outside Backstage');

    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }));

    expect(
      await screen.findByText('Could not download the CSV'),
    ).toBeInTheDocument();
    expect(screen.getByText('401 Unauthorized')).toBeInTheDocument();
  });

  it('says when no finding matches the filters', async () => {
    render({ route: '/meter-siem/audit?account=999999999999' });

    expect(
      await screen.findByText('No finding matches these filters.'),
    ).toBeInTheDocument();
  });

  it('says when every integration follows the policy, and offers the CSV all the same', async () => {
    const { api } = render({ api: mockMeterSiemApi([]) });

    expect(await screen.findByText(NO_FINDINGS)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    Object.assign(URL, {
      createObjectURL: jest.fn(() => 'blob:http://localhost/empty'),
      revokeObjectURL: jest.fn(),
    });
    try {
      const download = screen.getByRole('button', { name: 'Download CSV' });
      await waitFor(() => expect(download).toBeEnabled());
      await userEvent.click(download);
      await waitFor(() => expect(click).toHaveBeenCalled());
      expect(api.getFindingsCsv).toHaveBeenCalledWith({
        owner: undefined,
        account: undefined,
        region: undefined,
        rule: undefined,
        severity: undefined,
      });
    } finally {
      click.mockRestore();
    }
  });

  it('shows message and remedy whole, wrapping, with nothing left to a tooltip', async () => {
    const long = 'A message that goes on, '.repeat(12).trim();
    const remedy = 'A remedy that goes on too, '.repeat(12).trim();
    render({
      api: mockMeterSiemApi([
        finding({
          id: 'long',
          message: long,
          remedy,
          accountId: '123456789012',
        }),
      ]),
    });
    const row = rowOf((await screen.findByText(long)).textContent!);
    expect(within(row).getByText(long)).toBeInTheDocument();
    expect(within(row).getByText(remedy)).toBeInTheDocument();
    expect(within(row).getByText('123456789012')).toBeInTheDocument();
    // BUI's CellText cuts its text to one line, the rest in a title.
    const table = screen.getByRole('grid');
    expect(table.querySelector('.bui-TableCellContent')).toBeNull();
    expect(table.querySelector('[title]')).toBeNull();
  });

  it('links a remedy to its template, the integration filled in', async () => {
    const formData = (data: object) =>
      `?${new URLSearchParams({ formData: JSON.stringify(data) })}`;
    const hq = 'resource:default/hq-111111111111';
    render({
      api: mockMeterSiemApi([
        ...findings,
        finding({
          id: 'f5',
          ruleId: 'no-silence-alarm',
          title: 'No alarm when events stop',
        }),
        finding({
          id: 'f6',
          ruleId: 'rotation-half-done',
          title: 'External ID rotation left half-done',
        }),
        finding({
          id: 'f7',
          ruleId: 'tag-key-case',
          title: 'Tag key differs in case',
        }),
      ]),
    });
    await screen.findByText('Owner tag missing on the role');
    // The seventh row, drawn after the first ones.
    await screen.findByText('Tag key differs in case');

    const link = (title: string, name: string) =>
      within(rowOf(title)).getByRole('link', { name });
    expect(
      link('Owner tag missing on the role', 'Fix the ownership tags'),
    ).toHaveAttribute(
      'href',
      `/create/templates/default/meter-siem-fix-ownership-tags${formData({
        integration: hq,
      })}`,
    );
    expect(
      link('Tag key differs in case', 'Fix the ownership tags'),
    ).toHaveAttribute(
      'href',
      expect.stringContaining('meter-siem-fix-ownership-tags?'),
    );
    expect(
      link('No alarm when events stop', 'Add the alarm on silence'),
    ).toHaveAttribute(
      'href',
      `/create/templates/default/meter-siem-alarm${formData({
        integration: hq,
      })}`,
    );
    expect(
      link('External ID rotation left half-done', 'Finish the rotation'),
    ).toHaveAttribute(
      'href',
      `/create/templates/default/meter-siem-rotate-external-id${formData({
        integration: hq,
        step: 'finish',
      })}`,
    );
    // No template does the others: their remedy is text alone.
    expect(
      within(rowOf('Made outside Backstage')).getAllByRole('link'),
    ).toHaveLength(2);
  });

  it('names the owners by their display names', async () => {
    render({ catalog: true });
    await screen.findByText('Policy allows more than PutRecord');

    const first = rowOf('Policy allows more than PutRecord');
    expect(
      await within(first).findByRole('link', { name: 'Security Operations' }),
    ).toHaveAttribute('href', '/catalog/default/group/security');
    // network has no display name: its short ref.
    expect(
      within(rowOf('Made outside Backstage')).getByRole('link', {
        name: 'network',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Security Operations: 2 findings' }),
    ).toBeInTheDocument();
    await choose('Owner', 'Security Operations');
    await waitFor(() =>
      expect(findingRows()).toEqual([
        'Policy allows more than PutRecordpolicy-too-broad',
        'Owner tag missing on the roleowner-tag-missing',
      ]),
    );
  }, 30_000);

  it('shows an error of the backend, and tries again', async () => {
    const api = mockMeterSiemApi(findings);
    api.getFindings.mockRejectedValueOnce(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'ServiceUnavailableError', message: 'Catalog down' },
            response: { statusCode: 503 },
          }),
          {
            status: 503,
            statusText: 'Service Unavailable',
            headers: { 'content-type': 'application/json' },
          },
        ),
      ),
    );
    render({ api });

    expect(
      await screen.findByText('Could not load the audit findings'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Request failed with 503 Service Unavailable: Catalog down',
      ),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText('Policy allows more than PutRecord'),
    ).toBeInTheDocument();
  });
});

describe('factsAgeText', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();
  it.each([
    [10_000, 'less than a minute ago'],
    [60_000, '1 minute ago'],
    [119 * 60_000, '119 minutes ago'],
    [3 * 3_600_000, '3 hours ago'],
    [72 * 3_600_000, '3 days ago'],
  ])('%d ms -> %s', (ms, text) => {
    expect(factsAgeText(ago(ms), now)).toBe(text);
  });
});
