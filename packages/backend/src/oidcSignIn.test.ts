import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { authModuleLazyOidcProvider } from './oidcSignIn';

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Serves just the discovery document of an IdP at `issuer`. */
async function serveDiscovery(port: number, issuer: string): Promise<Server> {
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/me`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
  };
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(metadata));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('authModuleLazyOidcProvider', () => {
  let idp: Server | undefined;
  afterEach(async () => {
    await new Promise(resolve => (idp ? idp.close(resolve) : resolve(0)));
    idp = undefined;
  });

  it('starts without the IdP and signs in once the IdP answers', async () => {
    const port = await closedPort();
    const issuer = `http://127.0.0.1:${port}`;

    const { server } = await startTestBackend({
      features: [
        authPlugin,
        authModuleLazyOidcProvider,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              session: { secret: 'test-session-secret' },
              providers: {
                oidc: {
                  development: {
                    metadataUrl: `${issuer}/.well-known/openid-configuration`,
                    clientId: 'backstage',
                    clientSecret: 'secret',
                    prompt: 'auto',
                    signIn: {
                      resolvers: [
                        { resolver: 'emailMatchingUserEntityProfileEmail' },
                      ],
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    const { port: backendPort } = server.address() as AddressInfo;
    const start = `http://localhost:${backendPort}/api/auth/oidc/start?env=development`;

    // IdP down: the backend is up and the sign-in start fails with an error.
    const down = await fetch(start, { redirect: 'manual' });
    expect(down.status).toBeGreaterThanOrEqual(500);
    expect(await down.text()).toMatch(/ECONNREFUSED|connect/i);

    // IdP up: the next start discovers it and redirects to its login page.
    idp = await serveDiscovery(port, issuer);
    const up = await fetch(start, { redirect: 'manual' });
    expect(up.status).toBe(302);
    const location = up.headers.get('location') ?? '';
    expect(location.startsWith(`${issuer}/auth?`)).toBe(true);
    const params = new URL(location).searchParams;
    expect(params.get('client_id')).toBe('backstage');
    expect(params.get('redirect_uri')).toBe(
      `http://localhost:${backendPort}/api/auth/oidc/handler/frame`,
    );
    expect(params.get('prompt')).toBeNull(); // prompt: auto sends none
  });
});
