import { ResponseError } from '@backstage/errors';
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
      counts: { bySeverity: {}, byOwner: {}, mine: 0 },
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

  it('asks for one page of the findings, or for the counts alone', async () => {
    const { client: c, fetch } = client(new Response('{}', { status: 200 }));
    await c.getFindings({ severity: 'high', limit: 20, offset: 40 });
    expect(fetch).toHaveBeenCalledWith(
      'http://backstage/api/meter-siem/findings?severity=high&limit=20&offset=40',
    );
    expect(findingsSearchParams({ limit: 0, offset: 0 }).toString()).toBe(
      'limit=0&offset=0',
    );
  });

  it('never pages the CSV: it holds every finding of the filters', async () => {
    const { client: c, fetch } = client(new Response('', { status: 200 }));
    await c.getFindingsCsv({ owner: 'network', limit: 20, offset: 40 });
    expect(fetch).toHaveBeenCalledWith(
      'http://backstage/api/meter-siem/findings?owner=network&format=csv',
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

  it("throws a ResponseError carrying the backend's error", async () => {
    const { client: c } = client(
      new Response(
        JSON.stringify({
          error: {
            name: 'AuthenticationError',
            message: 'Missing credentials',
          },
          response: { statusCode: 401 },
        }),
        {
          status: 401,
          statusText: 'Unauthorized',
          headers: { 'content-type': 'application/json' },
        },
      ),
    );

    const error = await c.getFindings().catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.message).toBe('Request failed with 401 Unauthorized');
    expect(error.statusCode).toBe(401);
    expect(error.cause.name).toBe('AuthenticationError');
    expect(error.cause.message).toBe('Missing credentials');
  });

  it('throws a ResponseError for a failed CSV download too', async () => {
    const { client: c } = client(
      new Response('upstream down', {
        status: 502,
        statusText: 'Bad Gateway',
      }),
    );

    const error = await c.getFindingsCsv().catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(502);
    expect(error.cause.message).toContain('upstream down');
  });

  describe('revealExternalId', () => {
    const EXTERNAL_ID = '0123456789abcdef'.repeat(4);

    it("asks the backend for the integration's external ID", async () => {
      const {
        client: c,
        fetch,
        discoveryApi,
      } = client(
        new Response(JSON.stringify({ externalId: EXTERNAL_ID }), {
          status: 200,
        }),
      );

      await expect(
        c.revealExternalId('resource:default/hq-123456789012'),
      ).resolves.toBe(EXTERNAL_ID);

      expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('meter-siem');
      expect(fetch).toHaveBeenCalledTimes(1);
      expect(fetch).toHaveBeenCalledWith(
        'http://backstage/api/meter-siem/integrations/default/hq-123456789012/external-id',
        { cache: 'no-store' },
      );
    });

    it('takes a compound ref and encodes its namespace and name', async () => {
      const { client: c, fetch } = client(
        new Response(JSON.stringify({ externalId: EXTERNAL_ID }), {
          status: 200,
        }),
      );

      await c.revealExternalId({
        kind: 'resource',
        namespace: 'team a/b',
        name: 'hq?x=1#y',
      });

      expect(fetch.mock.calls[0][0]).toBe(
        'http://backstage/api/meter-siem/integrations/team%20a%2Fb/hq%3Fx%3D1%23y/external-id',
      );
    });

    it('reads a ref without kind or namespace as a resource in default', async () => {
      const { client: c, fetch } = client(
        new Response(JSON.stringify({ externalId: EXTERNAL_ID }), {
          status: 200,
        }),
      );
      await c.revealExternalId('hq-123456789012');
      expect(fetch.mock.calls[0][0]).toBe(
        'http://backstage/api/meter-siem/integrations/default/hq-123456789012/external-id',
      );
    });

    it('throws a ResponseError carrying the backend error', async () => {
      const { client: c } = client(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message: 'Not allowed to read the external ID',
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

      const error = await c
        .revealExternalId('resource:default/hq-123456789012')
        .catch(e => e);

      expect(error).toBeInstanceOf(ResponseError);
      expect(error.message).toBe('Request failed with 403 Forbidden');
      expect(error.statusCode).toBe(403);
      expect(error.cause.name).toBe('NotAllowedError');
      expect(error.cause.message).toBe('Not allowed to read the external ID');
    });

    it('throws when the answer carries no external ID', async () => {
      const { client: c } = client(
        new Response(JSON.stringify({}), { status: 200 }),
      );
      await expect(
        c.revealExternalId('resource:default/hq-123456789012'),
      ).rejects.toThrow('answered without an external ID');
    });
  });

  it('leaves out empty filters', () => {
    expect(
      findingsSearchParams({ owner: ['', 'a'], rule: undefined }).toString(),
    ).toBe('owner=a');
  });
});
