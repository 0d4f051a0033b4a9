import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuditFinding,
  AuditReport,
} from '@internal/backstage-plugin-meter-siem-common';
import request from 'supertest';
import { entities } from './__testUtils__/fixtures';
import { meterSiemPlugin } from './plugin';
import { findingsCsvFilename } from './router';

const day = new Date('2026-11-28T23:30:00.000Z');

describe('findingsCsvFilename', () => {
  it('names the whole report by the day', () => {
    expect(findingsCsvFilename({}, undefined, day)).toBe(
      'meter-siem-findings-all-2026-11-28.csv',
    );
    expect(
      findingsCsvFilename({ owner: [], severity: [] }, undefined, day),
    ).toBe('meter-siem-findings-all-2026-11-28.csv');
  });

  it('names a filtered report by its filters, owners as people read them', () => {
    expect(
      findingsCsvFilename(
        {
          owner: ['group:default/security', 'user:default/jane'],
          account: ['111111111111'],
          region: ['eu-west-1'],
          rule: ['owner-tag-missing'],
          severity: ['critical', 'high'],
        },
        undefined,
        day,
      ),
    ).toBe(
      'meter-siem-findings-owner-security_user-jane-account-111111111111-region-eu-west-1-rule-owner-tag-missing-severity-critical_high-2026-11-28.csv',
    );
    expect(
      findingsCsvFilename({ owner: ['group:ops/sre'] }, undefined, day),
    ).toBe('meter-siem-findings-owner-ops-sre-2026-11-28.csv');
  });

  it("names one integration's report by its entity", () => {
    expect(
      findingsCsvFilename(
        {},
        'resource:default/hq-111111111111',
        new Date('2026-01-02T00:00:00.000Z'),
      ),
    ).toBe('meter-siem-findings-hq-111111111111-2026-01-02.csv');
  });

  it('keeps to a short, plain file name whatever the values', () => {
    const name = findingsCsvFilename(
      { region: ['x'.repeat(300)], account: ['../../etc/"passwd"; x'] },
      undefined,
      day,
    );
    expect(name).toMatch(/^meter-siem-findings-[a-z0-9._-]+-2026-11-28\.csv$/);
    expect(name.length).toBeLessThanOrEqual(160);
    expect(name).not.toContain('..');
  });
});

describe('GET /findings, paged', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        meterSiemPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    }));
  });

  const get = (query: string) =>
    request(server)
      .get(`/api/meter-siem/findings${query}`)
      .set('Authorization', mockCredentials.user.header('user:default/jane'));
  const report = async (query: string): Promise<AuditReport> => {
    const res = await get(query);
    expect(res.status).toBe(200);
    return res.body;
  };
  const ids = (findings: AuditFinding[]) => findings.map(f => f.id);

  it('answers every finding without limit, as before', async () => {
    const all = await report('');
    expect(all.findings).toHaveLength(8);
    expect(all.totalFindings).toBe(8);
    expect(all.offset).toBe(0);
    expect(all.limit).toBeUndefined();
  });

  it('pages through the findings in their order, counting them all', async () => {
    const all = await report('');
    const first = await report('?limit=3');
    expect(ids(first.findings)).toEqual(ids(all.findings.slice(0, 3)));
    expect(first).toMatchObject({ totalFindings: 8, offset: 0, limit: 3 });
    // The counts are of every finding, not of the page.
    expect(first.counts).toEqual(all.counts);
    expect(first.factsReadAt).toEqual(all.factsReadAt);

    const pages = [first];
    for (let offset = 3; offset < 8; offset += 3) {
      pages.push(await report(`?limit=3&offset=${offset}`));
    }
    expect(pages.map(p => p.findings.length)).toEqual([3, 3, 2]);
    expect(pages.flatMap(p => ids(p.findings))).toEqual(ids(all.findings));
    // From an offset to the end, and past the end.
    expect(ids((await report('?offset=6')).findings)).toEqual(
      ids(all.findings.slice(6)),
    );
    const past = await report('?limit=5&offset=100');
    expect(past.findings).toEqual([]);
    expect(past.totalFindings).toBe(8);
  });

  it('answers the counts alone with limit=0', async () => {
    const counts = await report('?limit=0&owner=ghosts');
    expect(counts.findings).toEqual([]);
    expect(counts.totalFindings).toBe(4);
    expect(counts.counts.byOwner).toEqual({ 'group:default/ghosts': 4 });
  });

  it('pages the filtered findings', async () => {
    const filtered = await report('?severity=medium,low');
    const page = await report('?severity=medium,low&limit=2&offset=2');
    expect(ids(page.findings)).toEqual(ids(filtered.findings.slice(2, 4)));
    expect(page.totalFindings).toBe(filtered.findings.length);
    expect(page.counts).toEqual(filtered.counts);
  });

  it('refuses a limit or an offset that is no whole number, naming it', async () => {
    const bad = async (query: string) => {
      const res = await get(query);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      return res.body.error.message;
    };
    expect(await bad('?limit=-1')).toBe(
      'limit must be a whole number from 0 (0 for the counts alone); got "-1"',
    );
    expect(await bad('?limit=2.5')).toMatch(/^limit must be a whole number/);
    expect(await bad('?limit=')).toMatch(/^limit must be a whole number/);
    expect(await bad('?offset=ten')).toBe(
      'offset must be a whole number from 0; got "ten"',
    );
    expect(await bad('?offset=1e3')).toMatch(/^offset must be a whole number/);
    expect(await bad('?limit=99999999999999999999')).toMatch(
      /^limit must be a whole number/,
    );
    expect(await bad('?limit=1&limit=2')).toBe('limit must be given once');
    expect(await bad('?entityRef=a&entityRef=b')).toBe(
      'entityRef must be given once',
    );
  });

  it('keeps the CSV whole: no limit or offset on it', async () => {
    for (const query of [
      '?format=csv&limit=20',
      '?format=csv&offset=20',
      '?format=csv&limit=0&offset=0',
    ]) {
      const res = await get(query);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^limit and offset page the JSON report; the CSV always holds every finding/,
      );
    }
    const csv = await get('?format=csv&severity=medium,low');
    const rows = csv.text.split('\r\n').filter(Boolean).length - 1;
    expect(rows).toBe((await report('?severity=medium,low')).totalFindings);
  });
});
