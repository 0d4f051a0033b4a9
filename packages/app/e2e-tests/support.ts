import {
  expect,
  type APIRequestContext,
  type Locator,
  type Page,
} from '@playwright/test';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** What the end-to-end tests share: signing in, tokens, the backend. */

export const ROOT = path.resolve(__dirname, '../../..');
export const BACKEND_URL = (
  process.env.BACKEND_URL ??
  process.env.PLAYWRIGHT_URL ??
  'http://localhost:7007'
).replace(/\/+$/, '');

export const sidebar = (page: Page) =>
  page.getByRole('navigation', { name: 'sidebar nav' });

/**
 * Signs in on the app's sign-in page with the company sign-in ("ACME SSO"):
 * its button opens the OpenID provider's login form in a popup, which closes
 * itself once the backend has the code.
 */
export async function signInWithSso(page: Page, login: string) {
  await page.goto('/');
  const ssoCard = page
    .getByText('ACME SSO', { exact: true })
    .locator('xpath=ancestor::*[.//button][1]');
  const popupOpened = page.waitForEvent('popup');
  await ssoCard.getByRole('button', { name: /sign in/i }).click();
  const popup = await popupOpened;
  const closed = popup.waitForEvent('close', { timeout: 30_000 });

  await popup.locator('input[name="login"]').fill(login);
  await popup.locator('input[name="password"]').fill('any password will do');
  await popup.locator('button[type="submit"]').click();
  await closed;

  await expect(
    sidebar(page).getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/**
 * The Backstage identity of the browser's session: what the app itself asks
 * for (the refresh endpoint, with the session's cookie).
 */
export async function browserIdentity(request: APIRequestContext) {
  const res = await request.get(
    `${BACKEND_URL}/api/auth/oidc/refresh?optional&env=development`,
    { headers: { 'x-requested-with': 'XMLHttpRequest' } },
  );
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  return body.backstageIdentity as {
    token: string;
    identity: { userEntityRef: string; ownershipEntityRefs: string[] };
  };
}

/** A user token from scripts/token.sh (its last line of stdout). */
export async function tokenFromScript(user: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, BACKEND_URL };
  if (process.env.IDP_URL) env.IDP_PORT = new URL(process.env.IDP_URL).port;
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'scripts/token.sh'),
    [user],
    { cwd: ROOT, env, timeout: 60_000 },
  );
  const token = stdout.trim().split('\n').pop() ?? '';
  expect(token.split('.')).toHaveLength(3);
  return token;
}

export function tokenSubject(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
    .sub;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The create form's Owner: MyGroupsPicker offers the user's groups only;
 * with one group it selects it by itself and locks the field.
 */
export async function pickOwnTeam(page: Page, team: string) {
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await expect(owner).toBeVisible();
  // While the user's groups load, the field is enabled and empty; once they
  // are in, a single group is picked and the field locked. Every action is
  // bounded, so that a click begun on the enabled field does not wait
  // forever for a field that got locked meanwhile.
  await expect(async () => {
    if (
      (await owner.isEnabled()) &&
      !(await owner.inputValue()).includes(team)
    ) {
      await owner.click({ timeout: 2_000 });
      await page.getByRole('option', { name: team }).click({ timeout: 2_000 });
    }
    await expect(owner).toHaveValue(team, { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
}

/**
 * Whether elements show all of their text: neither they nor anything inside
 * them is cut (an ellipsis, or text wider than its box).
 */
export async function expectWhole(locator: Locator) {
  const cut = await locator.evaluateAll(elements =>
    elements
      .flatMap(e => [e, ...Array.from(e.querySelectorAll('*'))])
      .filter(
        e =>
          e.scrollWidth > e.clientWidth + 1 ||
          (getComputedStyle(e).textOverflow === 'ellipsis' &&
            getComputedStyle(e).overflow !== 'visible' &&
            e.scrollWidth > e.clientWidth),
      )
      .map(e => (e.textContent ?? '').trim().slice(0, 80)),
  );
  expect(cut, 'text that is cut').toEqual([]);
}
