import { screen } from '@testing-library/react';
import { discoveryApiRef } from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { AcmeSignInPage } from './signInPage';
import { oidcAuthApiRef } from './oidcAuthApi';

// Signed out: the silent sign-in on load finds no session.
const oidcAuthApi = {
  getBackstageIdentity: jest.fn(async () => undefined),
  getProfile: jest.fn(async () => undefined),
  getIdToken: jest.fn(async () => ''),
  signIn: jest.fn(async () => {}),
  signOut: jest.fn(async () => {}),
  sessionState$: jest.fn(),
};

// No backend: the guest provider's silent sign-in finds nobody either.
const discoveryApi = {
  getBaseUrl: jest.fn(async () => {
    throw new Error('no backend in this test');
  }),
};

function renderPage(signIn: { guest?: boolean }) {
  return renderInTestApp(<AcmeSignInPage onSignInSuccess={jest.fn()} />, {
    config: { app: { title: 'Test', signIn } },
    apis: [
      [oidcAuthApiRef, oidcAuthApi],
      [discoveryApiRef, discoveryApi],
    ],
  });
}

describe('AcmeSignInPage', () => {
  it('offers the company sign-in only, by default', async () => {
    renderPage({});
    expect(await screen.findByText('ACME SSO')).toBeInTheDocument();
    expect(
      screen.getByText('Sign in with your company account'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Guest')).not.toBeInTheDocument();
  });

  it('offers guest too where app.signIn.guest is true', async () => {
    renderPage({ guest: true });
    expect(await screen.findByText('ACME SSO')).toBeInTheDocument();
    expect(screen.getByText('Guest')).toBeInTheDocument();
  });
});
