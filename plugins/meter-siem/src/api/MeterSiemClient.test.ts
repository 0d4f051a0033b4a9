import { MeterSiemClient, findingsSearchParams } from './MeterSiemClient';

function client(response: Response) {
  const fetch = jest.fn(async (_url: string) => response);
  const discoveryApi = {
    getBaseUrl: jest.fn(async () => 'http://backstage/api/meter-siem'),
  };
  return {
    fetch,
    discoveryApi,
    client: new MeterSiemClient({
      discoveryApi,
      fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
    }),
  };
}

describe('MeterSiemClient', () => {
  it('asks the backend of the meter-siem plugin, with the filters', async () => {
    const body = {
      findings: [],
      counts: { bySeverity: {}, byOwner: {} },
      generatedAt: 'x',
    };
    const {
      client: c,
      fetch,
      discoveryApi,
    } = client(new Response(JSON.stringify(body), { status: 200 }));

    await expect(
      c.getFindings({
        owner: 'group:default/security',
        severity: ['critical', 'high'],
        region: '',
      }),
    ).resolves.toEqual(body);

    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('meter-siem');
    expect(fetch).toHaveBeenCalledWith(
      'http://backstage/api/meter-siem/findings?owner=group%3Adefault%2Fsecurity&severity=critical&severity=high',
    );
  });

  it('asks for all findings without filters', async () => {
    const { client: c, fetch } = client(new Response('{}', { status: 200 }));
    await c.getFindings();
    expect(fetch).toHaveBeenCalledWith(
      'http://backstage/api/meter-siem/findings',
    );
  });

  it('downloads the CSV with its file name', async () => {
    const { client: c, fetch } = client(
      new Response('id,severity\n', {
        status: 200,
        headers: {
          'content-type': 'text/csv',
          'content-disposition': 'attachment; filename=meter-siem-findings.csv',
        },
      }),
    );

    const csv = await c.getFindingsCsv({ entityRef: 'resource:default/hq' });

    expect(fetch).toHaveBeenCalledWith(
      'http://backstage/api/meter-siem/findings?entityRef=resource%3Adefault%2Fhq&format=csv',
    );
    expect(csv.filename).toBe('meter-siem-findings.csv');
    expect(await csv.blob.text()).toBe('id,severity\n');
  });

  it('never takes a path from the content disposition', async () => {
    const { client: c } = client(
      new Response('', {
        status: 200,
        headers: {
          'content-disposition': 'attachment; filename="../x/.bashrc"',
        },
      }),
    );
    expect((await c.getFindingsCsv()).filename).toBe('meter-siem-findings.csv');
  });

  it("reports the backend's error", async () => {
    const { client: c } = client(
      new Response(
        JSON.stringify({
          error: {
            name: 'AuthenticationError',
            message: 'Missing credentials',
          },
        }),
        { status: 401, statusText: 'Unauthorized' },
      ),
    );
    await expect(c.getFindings()).rejects.toThrow(
      'The Meter SIEM backend answered 401 Unauthorized: Missing credentials',
    );
  });

  it('leaves out empty filters', () => {
    expect(
      findingsSearchParams({ owner: ['', 'a'], rule: undefined }).toString(),
    ).toBe('owner=a');
  });
});
