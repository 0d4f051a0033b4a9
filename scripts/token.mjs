// Signs in to Backstage as USER through the OIDC sign-in (the same requests a
// browser makes) and prints the Backstage user token on stdout.
//
//   node scripts/token.mjs jane.doe
//
// BACKEND_URL (default http://localhost:7007) is the backend; AUTH_ENV (default
// development) the auth environment. The IdP is the one the backend's config
// names (locally scripts/idp.mjs; scripts/token.sh starts it). Errors: one line
// on stderr naming the step, the HTTP status and the start of the body; exit 1.

const user = process.argv[2];
if (!user) {
  console.error('usage: node scripts/token.mjs USER   (e.g. jane.doe)');
  process.exit(2);
}
const backend = (process.env.BACKEND_URL || 'http://localhost:7007').replace(
  /\/+$/,
  '',
);
const env = process.env.AUTH_ENV || 'development';
const scope = 'openid profile email offline_access';
const authBase = `${backend}/api/auth/oidc`;

class StepError extends Error {}

function fail(step, message) {
  throw new StepError(`step "${step}": ${message}`);
}

function excerpt(text) {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

// ------------------------------------------------------------ cookie jar
// Per host (host:port), with path matching; enough for the backend and the IdP.
const jar = new Map(); // host -> Map(name -> { value, path })

function storeCookies(url, res) {
  const { host, pathname } = new URL(url);
  const cookies = jar.get(host) ?? new Map();
  jar.set(host, cookies);
  for (const header of res.headers.getSetCookie()) {
    const [pair, ...attrs] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq < 1) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = pathname.replace(/\/[^/]*$/, '') || '/';
    let expired = value === '';
    for (const attr of attrs) {
      const [k, v = ''] = attr.trim().split('=');
      const key = k.toLowerCase();
      if (key === 'path' && v.startsWith('/')) path = v;
      if (key === 'max-age' && Number(v) <= 0) expired = true;
      if (key === 'expires' && Date.parse(v) < Date.now()) expired = true;
    }
    const id = `${name};${path}`;
    if (expired) cookies.delete(id);
    else cookies.set(id, { name, value, path });
  }
}

function cookieHeader(url) {
  const { host, pathname } = new URL(url);
  const matching = [...(jar.get(host)?.values() ?? [])].filter(
    c =>
      pathname === c.path ||
      pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
  );
  return matching.map(c => `${c.name}=${c.value}`).join('; ');
}

async function request(step, url, init = {}) {
  const headers = new Headers(init.headers);
  const cookie = cookieHeader(url);
  if (cookie) headers.set('cookie', cookie);
  let res;
  try {
    res = await fetch(url, {
      ...init,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(15000),
    });
  } catch (err) {
    const cause = err.cause?.code || err.cause?.message || err.message;
    fail(step, `cannot reach ${new URL(url).origin} (${cause})`);
  }
  storeCookies(url, res);
  return res;
}

function location(step, res, base) {
  const loc = res.headers.get('location');
  if (!loc) fail(step, `HTTP ${res.status} redirect without a Location header`);
  return new URL(loc, base).toString();
}

const isRedirect = res => res.status >= 300 && res.status < 400;

// ------------------------------------------------------------ the sign-in
function parseLoginForm(html, pageUrl) {
  const form = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/i)?.[0];
  if (!form || !/name="login"/.test(form)) return undefined;
  const action = form.match(/\baction="([^"]*)"/i)?.[1] ?? pageUrl;
  const fields = new URLSearchParams();
  for (const input of form.matchAll(/<input\b[^>]*>/gi)) {
    const name = input[0].match(/\bname="([^"]*)"/i)?.[1];
    const type = input[0].match(/\btype="([^"]*)"/i)?.[1]?.toLowerCase();
    const value = input[0].match(/\bvalue="([^"]*)"/i)?.[1] ?? '';
    if (name && type === 'hidden') fields.set(name, value);
  }
  fields.set('login', user);
  fields.set('password', 'x');
  return {
    action: new URL(action.replace(/&amp;/g, '&'), pageUrl).toString(),
    fields,
  };
}

/** The JSON the backend's /handler/frame page posts to the app window. */
function parseFrameResponse(html) {
  const encoded = html.match(/authResponse = decodeURIComponent\('([^']*)'\)/);
  if (!encoded) return undefined;
  try {
    return JSON.parse(decodeURIComponent(encoded[1]));
  } catch {
    return undefined;
  }
}

async function signIn() {
  // 1. The backend's start: sets its nonce (and session) cookies, sends us to the IdP.
  const startUrl = `${authBase}/start?${new URLSearchParams({ env, scope })}`;
  let res = await request('start', startUrl);
  if (!isRedirect(res)) {
    fail(
      'start',
      `GET ${startUrl} answered HTTP ${
        res.status
      } (expected a redirect to the IdP): ${excerpt(await res.text())}`,
    );
  }
  let url = location('start', res, startUrl);
  const frame = `${authBase}/handler/frame`;

  // 2. At the IdP: follow redirects, fill in the login form once, until the IdP
  //    sends us back to the backend's /handler/frame with a code.
  let loggedIn = false;
  for (let hop = 0; !url.startsWith(frame); hop++) {
    if (hop > 20) fail('idp', `too many redirects (last: ${url})`);
    res = await request('idp', url);
    if (isRedirect(res)) {
      url = location('idp', res, url);
      continue;
    }
    const body = await res.text();
    const form = res.ok && !loggedIn ? parseLoginForm(body, url) : undefined;
    if (!form) {
      fail(
        'idp',
        `GET ${url} answered HTTP ${
          res.status
        }, not a redirect or the login form: ${excerpt(body)}`,
      );
    }
    res = await request('idp login', form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.fields.toString(),
    });
    if (!isRedirect(res)) {
      fail(
        'idp login',
        `POST ${form.action} answered HTTP ${res.status}: ${excerpt(
          await res.text(),
        )}`,
      );
    }
    loggedIn = true;
    url = location('idp login', res, form.action);
  }
  const callback = new URL(url);
  if (!callback.searchParams.get('code')) {
    const error = callback.searchParams.get('error');
    const description = callback.searchParams.get('error_description');
    fail(
      'idp',
      `the IdP redirected back without a code: ${error ?? '?'}${
        description ? ` (${description})` : ''
      }`,
    );
  }

  // 3. The backend's callback: exchanges the code, signs in, sets the refresh cookie.
  res = await request('handler/frame', url);
  const html = await res.text();
  const response = parseFrameResponse(html);
  if (!res.ok || !response) {
    fail('handler/frame', `HTTP ${res.status}: ${excerpt(html)}`);
  }
  if (response.error) {
    const { name, message } = response.error;
    fail(
      'handler/frame',
      `the backend refused sign-in for "${user}": ${
        name ?? 'Error'
      }: ${message}`,
    );
  }

  // 4. Refresh, as the app does: the Backstage identity from the refresh cookie.
  const refreshUrl = `${authBase}/refresh?optional&env=${encodeURIComponent(
    env,
  )}`;
  res = await request('refresh', refreshUrl, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const text = await res.text();
  if (!res.ok) {
    fail(
      'refresh',
      `GET ${refreshUrl} answered HTTP ${res.status}: ${excerpt(text)}`,
    );
  }
  let token;
  try {
    token = JSON.parse(text).backstageIdentity?.token;
  } catch {
    // reported below
  }
  if (!token) {
    fail(
      'refresh',
      `HTTP ${res.status} without backstageIdentity.token: ${excerpt(text)}`,
    );
  }
  return token;
}

try {
  const token = await signIn();
  process.stdout.write(`${token}\n`);
} catch (err) {
  const message = err instanceof StepError ? err.message : err.stack;
  console.error(
    `token: sign-in as "${user}" via ${backend} failed at ${message}`,
  );
  process.exit(1);
}
