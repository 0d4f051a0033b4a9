import { test, expect, type Page } from '@playwright/test';

/**
 * The product's main journey in a real browser: guest sign-in, the Create
 * page, the Meter SIEM template filled in and run against the local AWS
 * emulator, the three values on screen, then the new integration in the
 * SIEM integrations page and its entity card.
 */

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
}

const sidebar = (page: Page) =>
  page.getByRole('navigation', { name: 'sidebar nav' });

test('provision an integration from the template and find it in the catalog', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const name = `e2e-${Date.now().toString(36)}`;
  await signIn(page);

  await sidebar(page)
    .getByRole('link', { name: 'Create', exact: true })
    .click();
  // The card of this template: the closest ancestor of its title that holds
  // a Choose button (the page lists the product's other templates too).
  await page
    .getByRole('heading', {
      name: 'Meter SIEM integration on AWS',
      exact: true,
    })
    .locator('xpath=ancestor::*[.//button[normalize-space()="Choose"]][1]')
    .getByRole('button', { name: 'Choose' })
    .click();

  // Integration
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('textbox', { name: 'Owner' }).click();
  await page.getByRole('option', { name: /security/i }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  // AWS location: defaults (us-east-1, main account)
  await page.getByRole('button', { name: 'Next' }).click();
  // Capacity: defaults (1 provisioned shard, 24 hours, no encryption)
  await page.getByRole('button', { name: 'Next' }).click();
  // Tags: none
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  const streamArn = page.getByText(
    new RegExp(`^arn:aws:kinesis:us-east-1:\\d{12}:stream/meter-siem-${name}$`),
  );
  const roleArn = page.getByText(
    new RegExp(`^arn:aws:iam::\\d{12}:role/meter-siem-${name}$`),
  );
  const externalId = page.getByText(/^[0-9a-f]{64}$/);
  await expect(streamArn).toBeVisible({ timeout: 60_000 });
  await expect(roleArn).toBeVisible();
  await expect(externalId).toBeVisible();
  await expect(
    page.getByText('Settings > Organization > Integrations > Services > SIEM'),
  ).toBeVisible();

  // Registered at creation: the SIEM integrations page lists it.
  await sidebar(page)
    .getByRole('link', { name: /SIEM integrati/ })
    .click();
  const row = page.getByRole('row').filter({ hasText: name });
  // The catalog processes the new entity within seconds of the run, and the
  // page reads the catalog when it opens (with no integration yet it shows
  // its empty state, without the search field), so look again until it is
  // there.
  await expect(async () => {
    await page.reload();
    await page
      .getByRole('searchbox', { name: 'Search' })
      .fill(name, { timeout: 3_000 });
    await expect(row).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 45_000 });
  await expect(row).toContainText('security');
  await expect(row).toContainText('us-east-1');
  await row
    .getByRole('link', { name: new RegExp(name) })
    .first()
    .click();

  // The entity page shows the card with the ARNs, never the external ID.
  await expect(page.getByText(`meter-siem-${name}`).first()).toBeVisible();
  await expect(
    page.getByText(new RegExp(`stream/meter-siem-${name}`)).first(),
  ).toBeVisible();
  await expect(page.getByText('Meter SIEM integration').first()).toBeVisible();
  await expect(page.getByText(/^[0-9a-f]{64}$/)).toHaveCount(0);
});
