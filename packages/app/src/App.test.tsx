import { render, screen } from '@testing-library/react';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import App from './App';

describe('App', () => {
  it('renders the sign-in page, with the company sign-in', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    // Nobody is signed in (there is no backend): the app's own sign-in
    // page, from the signIn module, replaces the default one.
    expect(
      await screen.findByText('ACME SSO', undefined, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Sign in with your company account'),
    ).toBeInTheDocument();
  });

  // The meter-siem plugin's "Create a SIEM integration" link is bound by
  // default to `scaffolder.selectedTemplate`, with these parameters.
  it("has the scaffolder's template page that the SIEM create link targets", () => {
    expect(scaffolderPlugin.routes.selectedTemplate).toMatchObject({
      path: '/templates/:namespace/:templateName',
    });
  });
});
