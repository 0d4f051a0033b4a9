/*
 * Copyright 2023 The Backstage Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

import { defineConfig, type ReporterDescription } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

// scripts/test.sh starts the backend itself (serving the built app) and sets
// PLAYWRIGHT_URL; a bare `yarn test:e2e` starts the dev servers instead.
const externalServer = !!process.env.CI || !!process.env.PLAYWRIGHT_URL;

const reporter: ReporterDescription[] = [
  ['list'],
  ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
];
if (process.env.PLAYWRIGHT_JSON_OUTPUT_NAME) {
  reporter.push([
    'json',
    { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME },
  ]);
}

/**
 * See https://playwright.dev/docs/test-configuration.
 */
export default defineConfig({
  timeout: 60_000,

  expect: {
    timeout: 30_000,
  },

  webServer: externalServer
    ? []
    : [
        {
          command: 'yarn start app',
          url: 'http://localhost:3000',
          reuseExistingServer: true,
          timeout: 120_000,
        },
        {
          command: 'yarn start backend',
          port: 7007,
          reuseExistingServer: true,
          timeout: 60_000,
        },
      ],

  forbidOnly: !!process.env.CI,

  retries: process.env.CI ? 1 : 0,

  // One backend, one moto: tests share state, keep them in one worker.
  workers: 1,

  reporter,

  use: {
    actionTimeout: 0,
    baseURL:
      process.env.PLAYWRIGHT_URL ??
      (process.env.CI ? 'http://localhost:7007' : 'http://localhost:3000'),
    screenshot: 'only-on-failure',
    trace: 'on-first-retry',
  },

  outputDir: 'node_modules/.cache/e2e-test-results',

  // Every package with an e2e-tests folder is a project. The browser is the
  // system's Chromium (Debian package); Playwright's own downloads are not used.
  projects: (generateProjects() ?? []).map(project => ({
    ...project,
    use: {
      ...project.use,
      channel: undefined,
      headless: true,
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      },
    },
  })),
});
