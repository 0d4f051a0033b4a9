import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  BACKEND_URL,
  bearer,
  browserIdentity,
  sidebar,
  signInWithSso,
  tokenFromScript,
  tokenSubject,
  pickOwnTeam,
} from './support';

/**
 * The product's main journey in a real browser, as the people who use it:
 *
 * - Jane Doe (team security) signs in through the company sign-in page (the
 *   local OpenID provider's login form in a popup), runs the Meter SIEM
 *   template against the local AWS emulator, sees the two ARNs and never the
 *   external ID on the run page, finds the integration in the SIEM
 *   integrations page, and reveals and copies its external ID on the entity
 *   card: the value the role's trust policy requires.
 * - Sam Lee (team network-engineering), in a browser of his own, opens the
 *   same entity page and is offered no reveal; with his own token the backend
 *   refuses him the external ID and Jane's scaffolder task.
 *
 * One test with two browser contexts: Sam's part needs Jane's integration,
 * and a retry redoes both with a new name.
 */

const HEX64 = /[0-9a-f]{64}/i;

/** The sts:ExternalId the role's trust policy requires, read from IAM. */
async function externalIdInTrustPolicy(roleName: string) {
  if (!process.env.AWS_ENDPOINT_URL) {
    throw new Error('AWS_ENDPOINT_URL must point at the e2e moto server');
  }
  const iam = new IAMClient({ region: 'us-east-1' });
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const raw = Role?.AssumeRolePolicyDocument ?? '';
  const doc = JSON.parse(
    raw.trim().startsWith('{') ? raw : decodeURIComponent(raw),
  );
  const statements = [doc.Statement].flat();
  const values = statements.flatMap(s => {
    const v = s.Condition?.StringEquals?.['sts:ExternalId'];
    return v === undefined ? [] : [v].flat();
  });
  expect(values, JSON.stringify(doc)).toHaveLength(1);
  return String(values[0]);
}

/** All text of the page: rendered and hidden, as the DOM holds it. */
const pageText = (page: Page) =>
  page
    .locator('body')
    .evaluate(body => `${body.textContent}\n${body.innerText}`);

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('Jane provisions an integration and reveals its external ID; Sam, of another team, cannot', async ({
  page,
  browser,
  baseURL,
  playwright,
}) => {
  test.setTimeout(300_000);
  const name = `e2e-${Date.now().toString(36)}`;
  let sam: BrowserContext | undefined;
  // API calls with no cookies: only the token given says who calls.
  const api = await playwright.request.newContext();

  try {
    // ---------------------------------------------------------- Jane
    await signInWithSso(page, 'jane.doe');
    const jane = await browserIdentity(page.context().request);
    expect(jane.identity.userEntityRef).toBe('user:default/jane.doe');
    expect(jane.identity.ownershipEntityRefs).toContain(
      'group:default/security',
    );

    await sidebar(page)
      .getByRole('link', { name: 'Create', exact: true })
      .click();
    // The card of this template: the closest ancestor of its title that
    // holds a Choose button (the page lists the product's other templates).
    await page
      .getByRole('heading', {
        name: 'Meter SIEM integration on AWS',
        exact: true,
      })
      .locator('xpath=ancestor::*[.//button[normalize-space()="Choose"]][1]')
      .getByRole('button', { name: 'Choose' })
      .click();

    // Integration. Owner: MyGroupsPicker offers Jane's groups only; with one
    // group (security) it selects it by itself and locks the field.
    // The team first: MyGroupsPicker sets it once the catalog answers, and
    // typing meanwhile can race with it in the form's state.
    await pickOwnTeam(page, 'Security Operations');
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByRole('button', { name: 'Next' }).click();
    // AWS location: defaults (us-east-1, main account)
    await page.getByRole('button', { name: 'Next' }).click();
    // Capacity: defaults (1 provisioned shard, 24 hours, no encryption)
    await page.getByRole('button', { name: 'Next' }).click();
    // Monitoring: the alarm on silence, on by default, notifying nobody
    await expect(
      page.getByRole('checkbox', { name: 'Alarm when events stop' }),
    ).toBeChecked();
    await page.getByRole('button', { name: 'Next' }).click();
    // Tags: none
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create integration' }).click();

    await page.waitForURL(/\/create\/tasks\/[^/?#]+/);
    const taskId = decodeURIComponent(
      new URL(page.url()).pathname.match(/\/create\/tasks\/([^/?#]+)/)![1],
    );

    // Each ARN shows twice: in the copy card and in the text below it.
    const streamArnText = page
      .getByText(
        new RegExp(
          `^arn:aws:kinesis:us-east-1:\\d{12}:stream/meter-siem-${name}$`,
        ),
      )
      .first();
    const roleArnText = page
      .getByText(new RegExp(`^arn:aws:iam::\\d{12}:role/meter-siem-${name}$`))
      .first();
    await expect(streamArnText).toBeVisible({ timeout: 60_000 });
    await expect(roleArnText).toBeVisible();
    await expect(
      page.getByText(
        'Settings > Organization > Integrations > Services > SIEM',
      ),
    ).toBeVisible();
    await expect(
      page.getByRole('link', {
        name: /Open the integration in the catalog \(reveal the external ID there\)/,
      }),
    ).toBeVisible();
    const roleArn = (await roleArnText.textContent())!.trim();
    const account = roleArn.match(/^arn:aws:iam::(\d{12}):/)![1];
    const entityName = `${name}-${account}`;

    // No external ID anywhere on the run page, the step logs shown too.
    const showLogs = page.getByRole('button', { name: 'Show Logs' });
    if (await showLogs.isVisible()) {
      await showLogs.click();
      await expect(
        page.getByRole('button', { name: 'Hide Logs' }),
      ).toBeVisible();
    }
    const runPageText = await pageText(page);
    expect(runPageText).toContain(roleArn);
    expect(runPageText).not.toMatch(HEX64);

    // Registered at creation: the SIEM integrations page lists it. (By
    // address: the run page's open log panel can cover the sidebar.)
    await page.goto('/meter-siem/integrations');
    const row = page.getByRole('row').filter({ hasText: name });
    // The catalog processes the new entity within seconds of the run, and
    // the page reads the catalog when it opens (with no integration yet it
    // shows its empty state, without the search field), so look again until
    // it is there.
    await expect(async () => {
      await page.reload();
      await page
        .getByRole('searchbox', { name: 'Search' })
        .fill(name, { timeout: 3_000 });
      await expect(row).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 45_000 });
    // The owner by its display name.
    await expect(row).toContainText('Security Operations');
    await expect(row).toContainText('us-east-1');
    await row
      .getByRole('link', { name: new RegExp(name) })
      .first()
      .click();

    // The entity page: the card with the ARNs; the external ID only on
    // demand.
    await expect(page.getByText(`meter-siem-${name}`).first()).toBeVisible();
    await expect(
      page.getByText(new RegExp(`stream/meter-siem-${name}`)).first(),
    ).toBeVisible();
    await expect(
      page.getByText('Meter SIEM integration').first(),
    ).toBeVisible();
    const entityPath = new URL(page.url()).pathname;
    expect(entityPath).toContain(entityName);

    const reveal = page.getByRole('button', { name: 'Reveal external ID' });
    await expect(reveal).toBeVisible();
    expect(await pageText(page)).not.toMatch(HEX64);
    await reveal.click();
    const shown = page.getByText(/^[0-9a-f]{64}$/);
    await expect(shown).toBeVisible();
    const externalId = (await shown.textContent())!.trim();
    expect(externalId).toMatch(/^[0-9a-f]{64}$/);
    // The same look at the page's text that found no 64-hex value before
    // (and on the run page) finds it now that it is shown.
    expect(await pageText(page)).toMatch(HEX64);
    expect(await pageText(page)).toContain(externalId);
    await expect(
      page.getByRole('button', { name: 'Hide', exact: true }),
    ).toBeVisible();

    // Copy: the clipboard holds exactly the value shown.
    await page.evaluate(() => navigator.clipboard.writeText('not copied'));
    await page.getByRole('button', { name: 'Copy external ID' }).click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe(externalId);

    // The value the role's trust policy requires: in IAM itself, and what
    // the backend gives Jane.
    expect(await externalIdInTrustPolicy(`meter-siem-${name}`)).toBe(
      externalId,
    );
    const revealUrl = `${BACKEND_URL}/api/meter-siem/integrations/default/${entityName}/external-id`;
    const revealed = await api.get(revealUrl, {
      headers: bearer(jane.token),
    });
    expect(revealed.status(), await revealed.text()).toBe(200);
    expect((await revealed.json()).externalId).toBe(externalId);

    // Hide: the value is gone from the page.
    await page.getByRole('button', { name: 'Hide', exact: true }).click();
    await expect(reveal).toBeVisible();
    expect(await pageText(page)).not.toContain(externalId);

    // Jane's task (her own): readable by her, and nowhere does it hold the
    // external ID (output, events).
    const taskUrl = `${BACKEND_URL}/api/scaffolder/v2/tasks/${encodeURIComponent(
      taskId,
    )}`;
    const janeTask = await api.get(taskUrl, {
      headers: bearer(jane.token),
    });
    expect(janeTask.status(), await janeTask.text()).toBe(200);
    expect(await janeTask.text()).not.toContain(externalId);
    const janeEvents = await api.get(`${taskUrl}/events`, {
      headers: bearer(jane.token),
    });
    expect(janeEvents.status()).toBe(200);
    const eventsText = await janeEvents.text();
    expect(eventsText).toContain(`meter-siem-${name}`);
    expect(eventsText).not.toContain(externalId);
    const janeList = await api.get(`${BACKEND_URL}/api/scaffolder/v2/tasks`, {
      headers: bearer(jane.token),
    });
    expect(janeList.status()).toBe(200);
    expect(
      ((await janeList.json()).tasks as { id: string }[]).map(t => t.id),
    ).toContain(taskId);

    // ---------------------------------------------------------- Sam
    sam = await browser.newContext({ baseURL });
    const samPage = await sam.newPage();
    await signInWithSso(samPage, 'sam.lee');
    const samIdentity = await browserIdentity(sam.request);
    expect(samIdentity.identity.userEntityRef).toBe('user:default/sam.lee');

    await samPage.goto(entityPath);
    await expect(samPage.getByText(`meter-siem-${name}`).first()).toBeVisible();
    const ownerSentence = samPage
      .getByText(/Only members of the owning team,/)
      .filter({ hasText: /can reveal it\./ });
    await expect(ownerSentence).toBeVisible();
    await expect(ownerSentence).toContainText(/security/i);
    await expect(
      samPage.getByRole('button', { name: 'Reveal external ID' }),
    ).toHaveCount(0);
    const samPageText = await pageText(samPage);
    expect(samPageText).not.toMatch(HEX64);
    expect(samPageText).not.toContain(externalId);

    // Sam's own token, from the script (a sign-in of its own).
    const samToken = await tokenFromScript('sam.lee');
    expect(tokenSubject(samToken)).toBe('user:default/sam.lee');

    const samReveal = await api.get(revealUrl, { headers: bearer(samToken) });
    expect(samReveal.status()).toBe(403);
    expect(await samReveal.text()).not.toContain(externalId);
    const anonymousReveal = await api.get(revealUrl);
    expect(anonymousReveal.status()).toBe(401);
    expect(await anonymousReveal.text()).not.toContain(externalId);

    const samTask = await api.get(taskUrl, { headers: bearer(samToken) });
    expect([403, 404]).toContain(samTask.status());
    expect(await samTask.text()).not.toContain(`meter-siem-${name}`);
    const samEvents = await api.get(`${taskUrl}/events`, {
      headers: bearer(samToken),
    });
    expect([403, 404]).toContain(samEvents.status());
    const samList = await api.get(`${BACKEND_URL}/api/scaffolder/v2/tasks`, {
      headers: bearer(samToken),
    });
    expect(samList.status()).toBe(200);
    const samTasks = (await samList.json()).tasks as { id: string }[];
    expect(samTasks.map(t => t.id)).not.toContain(taskId);
  } finally {
    await sam?.close();
    await api.dispose();
  }
});
