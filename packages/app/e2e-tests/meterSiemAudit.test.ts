import { test, expect } from '@playwright/test';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import fs from 'node:fs/promises';
import { expectWhole } from './support';

/**
 * An integration made by hand, as people do with Meter's console guide, but
 * with the external ID condition forgotten: the audit must list it, and the
 * CSV must carry it. The test seeds the same emulator the backend reads.
 */
async function seedHandmadeIntegration(name: string) {
  if (!process.env.AWS_ENDPOINT_URL) {
    throw new Error('AWS_ENDPOINT_URL must point at the e2e moto server');
  }
  const region = 'us-east-1';
  const kinesis = new KinesisClient({
    region,
    requestHandler: new NodeHttpHandler(),
  });
  const iam = new IAMClient({ region });
  await kinesis.send(
    new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
  );
  const streamArn = `arn:aws:kinesis:${region}:123456789012:stream/${name}`;
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `${name}-write`,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
            Resource: streamArn,
          },
        ],
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: 'arn:aws:iam::458553032353:role/Meter-data-export',
            },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: name,
      PolicyArn: policy.Policy!.Arn,
    }),
  );
}

test('the audit lists a hand-made integration without external ID, and the CSV downloads', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const name = `handmade-${Date.now().toString(36)}`;
  await seedHandmadeIntegration(name);

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: /SIEM integrati/ })
    .click();
  await page.getByRole('tab', { name: 'Audit' }).click();

  // The provider's next full sync (every 10 s in the e2e config) finds it.
  const row = page
    .getByRole('row')
    .filter({ hasText: name })
    .filter({ hasText: /external ID/i });
  await expect(async () => {
    await page.reload();
    await expect(row.first()).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
  await expect(row.first()).toContainText(/critical/i);
  // The row shows its message and remedy whole, not cut to a tooltip.
  await expectWhole(row.first());

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  // Named by the filters and the date, e.g. meter-siem-findings-all-2026-11-28.csv.
  expect(download.suggestedFilename()).toMatch(
    /^meter-siem-findings-[a-z0-9._-]+-\d{4}-\d{2}-\d{2}\.csv$/,
  );
  const csv = await fs.readFile((await download.path())!, 'utf8');
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  expect(header).toContain('ruleId');
  expect(
    lines.some(
      line => line.includes(name) && line.includes('trust-without-external-id'),
    ),
  ).toBe(true);
});
