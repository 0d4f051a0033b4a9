/**
 * A pass-through HTTP proxy in front of moto that counts AWS API calls by
 * operation and by caller (the SDK user agent's custom suffix), so that a
 * benchmark measures what the product really sends without instrumenting it.
 */
import http from 'node:http';

export interface CallCounter {
  url: string;
  /** Counts by caller, then by operation (`kinesis:CreateStream`). */
  counts(): Map<string, Map<string, number>>;
  /** Time spent waiting for moto's answers, in ms, by operation. */
  upstreamMs(): Map<string, number>;
  reset(): void;
  close(): Promise<void>;
}

function operationOf(headers: http.IncomingHttpHeaders, body: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    // JSON protocols: "Kinesis_20131202.CreateStream"
    const [prefix, operation] = target.split('.');
    return `${prefix.split('_')[0].toLowerCase()}:${operation}`;
  }
  const action = new URLSearchParams(body).get('Action');
  const auth = String(headers.authorization ?? '');
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1];
  return `${service ?? 'unknown'}:${action ?? 'unknown'}`;
}

function callerOf(headers: http.IncomingHttpHeaders): string {
  const agent = `${headers['x-amz-user-agent'] ?? ''} ${
    headers['user-agent'] ?? ''
  }`;
  return /backstage-meter-siem-[a-z]+/.exec(agent)?.[0] ?? 'other';
}

export async function startCountingProxy(target: string): Promise<CallCounter> {
  const targetUrl = new URL(target);
  let counts = new Map<string, Map<string, number>>();
  let upstreamMs = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const caller = callerOf(req.headers);
      const operation = operationOf(req.headers, body.toString('utf8'));
      const byOp = counts.get(caller) ?? new Map<string, number>();
      byOp.set(operation, (byOp.get(operation) ?? 0) + 1);
      counts.set(caller, byOp);
      const upstream = http.request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        answer => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', error => {
        res.writeHead(502);
        res.end(String(error));
      });
      const sent = performance.now();
      res.on('finish', () => {
        const ms = performance.now() - sent;
        upstreamMs.set(operation, (upstreamMs.get(operation) ?? 0) + ms);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => counts,
    upstreamMs: () => upstreamMs,
    reset: () => {
      counts = new Map();
      upstreamMs = new Map();
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function printCounts(
  title: string,
  byOp: Map<string, number> | undefined,
) {
  const rows = [...(byOp ?? new Map()).entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  console.log(`\n${title}: ${total} AWS calls`);
  for (const [operation, n] of rows) {
    console.log(`  ${operation.padEnd(40)} ${String(n).padStart(5)}`);
  }
  return total;
}
