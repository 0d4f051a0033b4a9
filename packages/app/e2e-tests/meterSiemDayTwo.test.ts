import { test, expect, type Page } from '@playwright/test';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomUUID } from 'node:crypto';
import { BACKEND_URL, bearer, signInWithSso, tokenFromScript } from './support';

/**
 * Day two in a real browser, from the integration's card: Jane (team
 * security) checks delivery (Silent), Meter's "Send test event" lands in
 * the stream, the check says Verified, the "Verify delivery" template run
 * from the card says so too; then she decommissions the integration, typing
 * its name, and it is gone from AWS and from the catalog.
 *
 * The integration is made through the scaffolder's REST API with Jane's
 * token (the browser journey of creation is the other test's).
 */

const region = 'us-east-1';

function aws() {
  if (!process.env.AWS_ENDPOINT_URL) {
    throw new Error('AWS_ENDPOINT_URL must point at the e2e moto server');
  }
  return {
    kinesis: new KinesisClient({
      region,
      requestHandler: new NodeHttpHandler(),
    }),
    iam: new IAMClient({ region }),
  };
}

/** Runs a template through the scaffolder API and waits for its end. */
async function runTemplate(
  page: Page,
  token: string,
  templateName: string,
  values: Record<string, unknown>,
) {
  const created = await page.request.post(
    `${BACKEND_URL}/api/scaffolder/v2/tasks`,
    {
      headers: bearer(token),
      data: { templateRef: `template:default/${templateName}`, values },
    },
  );
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  let task: any;
  await expect(async () => {
    const res = await page.request.get(
      `${BACKEND_URL}/api/scaffolder/v2/tasks/${id}`,
      { headers: bearer(token) },
    );
    task = await res.json();
    expect(task.status).toMatch(/completed|failed|cancelled/);
  }).toPass({ timeout: 60_000 });
  expect(task.status).toBe('completed');
  const events = await page.request.get(
    `${BACKEND_URL}/api/scaffolder/v2/tasks/${id}/events`,
    { headers: bearer(token) },
  );
  const completion = ((await events.json()) as any[]).find(
    e => e.type === 'completion',
  );
  return completion?.body?.output ?? {};
}

/** Meter's "Send test event": a CloudEvent of type TYPE_TEST. */
async function sendTestEvent(streamName: string): Promise<string> {
  const id = randomUUID();
  await aws().kinesis.send(
    new PutRecordCommand({
      StreamName: streamName,
      PartitionKey: id,
      Data: Buffer.from(
        JSON.stringify({
          specversion: '1.0',
          id,
          source: 'https://meter.com',
          type: 'TYPE_TEST',
          subject: randomUUID(),
          datacontenttype: 'application/json',
          time: new Date().toISOString(),
          data: { message: 'Test event from Meter' },
        }),
      ),
    }),
  );
  return id;
}

test('Jane verifies delivery from the card, then decommissions the integration', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const name = `d2-${Date.now().toString(36)}`;
  const streamName = `meter-siem-${name}`;
  const janeToken = await tokenFromScript('jane.doe');
  const created = await runTemplate(page, janeToken, 'meter-siem-integration', {
    name,
    owner: 'group:default/security',
    environment: 'production',
    region,
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
  });
  const entityRef: string = created.entityRef ?? '';
  expect(entityRef).toMatch(/^resource:default\//);
  const entityName = entityRef.split('/').pop()!;

  await signInWithSso(page, 'jane.doe');
  const entityPath = `/catalog/default/resource/${entityName}`;
  const check = page.getByRole('button', { name: 'Check delivery' });
  // Registered at creation: the catalog has it within seconds.
  await expect(async () => {
    await page.goto(entityPath);
    await expect(check).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });

  // Before Meter sends anything: Silent.
  await check.click();
  await expect(page.getByText('Silent: no event in the last hour')).toBeVisible(
    {
      timeout: 30_000,
    },
  );

  // Meter's test event arrives: Verified, with its id.
  const eventId = await sendTestEvent(streamName);
  await check.click();
  await expect(
    page.getByText(/^Verified: Meter's test event arrived at/),
  ).toBeVisible({ timeout: 30_000 });
  await expect(
    page.getByText(new RegExp(`test event ${eventId} of`)),
  ).toBeVisible();

  // The "Verify delivery" template from the card: the form comes filled in.
  await page.getByRole('link', { name: 'Verify delivery' }).click();
  await page.waitForURL(
    /\/create\/templates\/default\/meter-siem-verify-delivery/,
  );
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Verify delivery' }).click();
  await page.waitForURL(/\/create\/tasks\//);
  await expect(
    page.getByText(new RegExp(`Verified.*${eventId}`)).first(),
  ).toBeVisible({
    timeout: 60_000,
  });

  // Decommission from the card: the name as given at creation, typed.
  await page.goto(entityPath);
  await page.getByRole('link', { name: 'Decommission' }).click();
  await page.waitForURL(
    /\/create\/templates\/default\/meter-siem-decommission/,
  );
  await page.getByRole('textbox', { name: 'Confirm' }).fill(name);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Decommission' }).click();
  await page.waitForURL(/\/create\/tasks\//);
  await expect(page.getByText(/Deleted in AWS: /).first()).toBeVisible({
    timeout: 60_000,
  });

  // Gone from AWS: the role at once, the stream deleting or deleted.
  await expect(
    aws().iam.send(new GetRoleCommand({ RoleName: streamName })),
  ).rejects.toThrow(/not found|cannot be found|NoSuchEntity/);
  const stream = await aws()
    .kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))
    .then(r => r.StreamDescriptionSummary?.StreamStatus)
    .catch(() => 'gone');
  expect(['gone', 'DELETING']).toContain(stream);

  // Gone from the catalog at once, without waiting for a sync.
  await expect(async () => {
    const res = await page.request.get(
      `${BACKEND_URL}/api/catalog/entities/by-name/resource/default/${entityName}`,
      { headers: bearer(janeToken) },
    );
    expect(res.status()).toBe(404);
  }).toPass({ timeout: 15_000 });
});
