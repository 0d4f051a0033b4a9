/**
 * A moto server of a test's own, for what must not touch the shared one:
 * IAM authorisation (trust policies, external IDs, the assumed role's
 * permissions) is switched on for a whole server at once.
 */
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Static keys of an IAM user of the server. */
export interface MotoCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL` or a client's `endpoint`. */
  endpoint: string;
  /**
   * Makes an IAM user (in moto's default account 123456789012) with an
   * inline policy and an access key. Before {@link MotoServer.enableAuth}
   * any keys may call; after it, only keys of such users.
   */
  createUser(
    userName: string,
    statements: object[],
    credentials?: MotoCredentials,
  ): Promise<MotoCredentials & { arn: string }>;
  /**
   * Switches IAM authorisation on: from now on every request must be
   * signed by a user's keys, is allowed only by its policies, and
   * sts:AssumeRole must satisfy the role's trust policy.
   */
  enableAuth(): Promise<void>;
  stop(): Promise<void>;
}

/** The repository's moto, installed by the repository's set-up scripts. */
function motoBinary(): string {
  const start = resolvePackagePath(
    '@internal/backstage-plugin-meter-siem-node',
  );
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.tools', 'moto', 'bin', 'moto_server');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(
        `No moto server at .tools/moto/bin/moto_server above ${start}: run the repository's set-up script`,
      );
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`moto server exited with code ${child.exitCode}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`moto server did not answer within ${timeoutMs} ms`);
    }
    await new Promise(r => setTimeout(r, 100));
  }
}

/** Starts a moto server on a free port; stop it in `afterAll`. */
export async function startMotoServer(
  options: { timeoutMs?: number } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(motoBinary(), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: 'inf' },
  });
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  try {
    await waitUntilUp(endpoint, child, options.timeoutMs ?? 30_000);
  } catch (error) {
    child.kill();
    throw error;
  }

  const iam = (credentials?: MotoCredentials) =>
    new IAMClient({
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: credentials ?? {
        accessKeyId: 'test',
        secretAccessKey: 'test',
      },
    });

  return {
    endpoint,
    async createUser(userName, statements, credentials) {
      const client = iam(credentials);
      const { User } = await client.send(
        new CreateUserCommand({ UserName: userName }),
      );
      await client.send(
        new PutUserPolicyCommand({
          UserName: userName,
          PolicyName: `${userName}-policy`,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: statements,
          }),
        }),
      );
      const { AccessKey } = await client.send(
        new CreateAccessKeyCommand({ UserName: userName }),
      );
      return {
        arn: User!.Arn!,
        accessKeyId: AccessKey!.AccessKeyId!,
        secretAccessKey: AccessKey!.SecretAccessKey!,
      };
    },
    async enableAuth() {
      const res = await fetch(`${endpoint}/moto-api/reset-auth`, {
        method: 'POST',
        body: '0',
      });
      if (!res.ok) {
        throw new Error(`moto refused reset-auth: HTTP ${res.status}`);
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
