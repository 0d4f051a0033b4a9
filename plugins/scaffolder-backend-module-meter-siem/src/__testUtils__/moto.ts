import {
  IAMClient,
  paginateListPolicies,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { resolveSettings } from '@internal/backstage-plugin-meter-siem-common';
import { randomBytes } from 'node:crypto';
import { AwsClientFactory } from '@internal/backstage-plugin-meter-siem-node';
import { ActionOptions } from '../actions/options';
import { JANE, testAccess } from './org';

/**
 * The integration tests talk to moto server over HTTP through the SDK's
 * standard AWS_ENDPOINT_URL; the test command starts one. Without it the
 * tests fail rather than pass against nothing.
 */
export function requireMoto(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: run the tests with ./scripts/test.sh, which starts moto server, or start one and export AWS_ENDPOINT_URL',
    );
  }
  return endpoint;
}

/** The account moto gives the default credentials. */
export const MOTO_ACCOUNT = '123456789012';

/** A name no other test uses, so tests can share one moto server. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function actionOptions(
  settings = resolveSettings(),
  access = testAccess(),
  options: { needsAws: boolean } = { needsAws: true },
): ActionOptions {
  if (options.needsAws) requireMoto();
  return {
    clients: new AwsClientFactory(
      DefaultAwsCredentialsManager.fromConfig(new ConfigReader({})),
    ),
    settings,
    access,
  };
}

export function sdk(region: string) {
  return {
    kinesis: new KinesisClient({
      region,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    }),
    iam: new IAMClient({ region, maxAttempts: 1 }),
  };
}

/** A mock action context that records outputs and log lines. */
export function actionContext<T extends Record<string, any>>(
  input: T,
  extra: { isDryRun?: boolean; userRef?: string } = {},
) {
  const outputs: Record<string, any> = {};
  const logs: string[] = [];
  const ctx = createMockActionContext({ input }) as any;
  // createMockActionContext keeps neither an output function nor isDryRun
  // given to it, so both are set on the context it returns.
  ctx.output = (name: string, value: unknown) => {
    outputs[name] = value;
  };
  ctx.isDryRun = extra.isDryRun ?? false;
  // Jane of the security team runs the task unless a test says otherwise.
  ctx.user = { ref: extra.userRef ?? JANE };
  for (const level of ['info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(ctx.logger, level).mockImplementation((message: any) => {
      logs.push(String(message));
    });
  }
  return { ctx, outputs, logs };
}

export const baseTarget = {
  region: 'us-east-1',
  owner: 'group:default/security',
  environment: 'production',
};

/**
 * Every stream, role and local policy name in a region of the account, read
 * through all pages (moto pages like AWS once there are many).
 */
export async function allNames(region: string): Promise<string[]> {
  const { kinesis, iam } = sdk(region);
  const names: string[] = [];
  // moto pages ListStreams by ExclusiveStartStreamName only (no NextToken,
  // which the SDK's paginator follows).
  let streams;
  do {
    streams = await kinesis.send(
      new ListStreamsCommand({
        Limit: 100,
        ExclusiveStartStreamName: names[names.length - 1],
      }),
    );
    names.push(...(streams.StreamNames ?? []));
  } while (streams.HasMoreStreams);
  for await (const page of paginateListRoles({ client: iam }, {})) {
    names.push(...(page.Roles ?? []).map(r => r.RoleName!));
  }
  for await (const page of paginateListPolicies(
    { client: iam },
    { Scope: 'Local' },
  )) {
    names.push(...(page.Policies ?? []).map(p => p.PolicyName!));
  }
  return names;
}
