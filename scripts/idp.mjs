// A local OpenID Connect provider for development and tests: the same sign-in
// flow as production (authorization code + refresh token), with a plain login
// form instead of the company's IdP.
//
//   node scripts/idp.mjs            # http://localhost:7009
//   IDP_PORT=7010 node scripts/idp.mjs
//
// One client, `backstage` / `backstage-local-secret` (IDP_CLIENT_ID and
// IDP_CLIENT_SECRET to change), allowed to redirect to
// http://localhost:<any port>/api/auth/oidc/handler/frame (or 127.0.0.1), so
// backends on any port can use it. The login form (oidc-provider's development
// interactions) accepts any login and any password; the login becomes the
// account id and the email is <login>@example.com, so `jane.doe` signs in as
// the catalog user whose profile email is jane.doe@example.com. Consent is
// skipped for the client, and refresh tokens are issued.
//
// Everything is kept in memory: restarting it signs everyone out of the IdP
// (Backstage sessions then fail to refresh and ask to sign in again).
import Provider from 'oidc-provider';

const port = Number(process.env.IDP_PORT || 7009);
const issuer = `http://localhost:${port}`;
const clientId = process.env.IDP_CLIENT_ID || 'backstage';
const clientSecret = process.env.IDP_CLIENT_SECRET || 'backstage-local-secret';
const grantedScopes = 'openid profile email offline_access';

// http://localhost:<port>/api/auth/oidc/handler/frame or the 127.0.0.1 twin.
const backstageCallback =
  /^http:\/\/(localhost|127\.0\.0\.1):\d{1,5}\/api\/auth\/oidc\/handler\/frame$/;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      // Listed for the default backend; any port matches (redirectUriAllowed below).
      redirect_uris: ['http://localhost:7007/api/auth/oidc/handler/frame'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  responseTypes: ['code'],
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.com`,
          email_verified: true,
          name: id,
        };
      },
    };
  },
  features: {
    // The built-in login form (any login, any password).
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    revocation: { enabled: true },
  },
  // No consent screen for our client: a grant with every scope it may ask for
  // (oidc-provider's documented way to skip consent for first-party clients).
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId ||
      ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    if (ctx.oidc.client.clientId !== clientId) return undefined;
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(grantedScopes);
    await grant.save();
    return grant;
  },
  // Refresh tokens for our client whenever it may use the refresh_token grant,
  // even when offline_access was dropped from the request (it is dropped when a
  // `prompt` other than consent is sent).
  async issueRefreshToken(_ctx, client, code) {
    if (!client.grantTypeAllowed('refresh_token')) return false;
    return client.clientId === clientId || code.scopes.has('offline_access');
  },
  // Signed cookies; plain http on localhost is fine (no `secure` flag unless
  // the request itself is https).
  cookies: {
    keys: [process.env.IDP_COOKIE_KEY || 'local-idp-cookie-key-not-secret'],
  },
  ttl: {
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60,
    Grant: 14 * 24 * 60 * 60,
    Session: 14 * 24 * 60 * 60,
    RefreshToken: 14 * 24 * 60 * 60,
  },
});

// Backends on any local port: allow their callback, for our client only.
const redirectUriAllowed = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function allowLocalBackstage(
  uri,
) {
  if (this.clientId === clientId && backstageCallback.test(uri)) return true;
  return redirectUriAllowed.call(this, uri);
};

provider.on('server_error', (_ctx, err) => {
  console.error('server_error', err);
});

const server = provider.listen(port, () => {
  console.log(`OpenID provider listening on ${issuer}`);
});
server.on('error', err => {
  console.error(
    `OpenID provider could not listen on port ${port}: ${err.message}`,
  );
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
