// A real OpenID provider (node-oidc-provider) for the console's sign-in tests.
//
// Environment: CONTROL_DIR (where the test writes accounts.json and mode.json), CLIENT_ID,
// CLIENT_SECRET, REDIRECT_URI. Listens on a free port of 127.0.0.1 and prints
// {"issuer": "http://127.0.0.1:<port>"} as its first line.
//
// accounts.json: {"<login>": {"preferred_username", "email", "groups": [...], "groups_in": "both" |
// "id_token" | "userinfo"}}, read at every request, so a test changes someone's groups between two
// sign-ins. mode.json: {"id_token": "<mode>"} makes the token endpoint hand out a bad ID token:
// "forged" (same kid, another key), "expired", "wrong_audience", "wrong_issuer", "wrong_nonce",
// "hs256" (signed with the client secret, the classic algorithm confusion), "unknown_kid" (a key the
// provider does not publish), "unsigned" (alg none).
// The login page is oidc-provider's development one: any login of accounts.json, any password.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const { CONTROL_DIR, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } = process.env;
const SCOPES = 'openid email profile groups';

function control(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(CONTROL_DIR, name), 'utf8'));
  } catch {
    return {};
  }
}

const KID = 'console-test-key';
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const { privateKey: forgerKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['console-test-cookie-key'] },
  pkce: { required: () => true },
  scopes: SCOPES.split(' '),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  // the scopes' claims in the ID token as well as in userinfo, as Keycloak does
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    const account = control('accounts.json')[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims(use) {
        const { groups, groups_in: where = 'both', ...profile } = account;
        const claims = { sub: id, email_verified: true, ...profile };
        if (groups !== undefined && (where === 'both' || where === use)) claims.groups = groups;
        return claims;
      },
    };
  },
  // a first-party client: consent is given, the consent page never shows
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    const existing = grantId && await ctx.oidc.provider.Grant.find(grantId);
    if (existing) return existing;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(SCOPES);
    grant.addOIDCClaims(['preferred_username', 'email', 'groups']);
    await grant.save();
    return grant;
  },
});

async function spoil(idToken, mode) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  let alg = 'RS256';
  switch (mode) {
    case 'forged': key = forgerKey; claims.groups = ['ops-admins']; break;
    case 'expired': claims.iat = now - 1200; claims.exp = now - 600; break;
    case 'wrong_audience': claims.aud = 'another-client'; break;
    case 'wrong_issuer': claims.iss = 'https://impostor.example'; break;
    case 'wrong_nonce': claims.nonce = 'not-this-sign-in'; break;
    case 'hs256': key = new TextEncoder().encode(CLIENT_SECRET); alg = 'HS256'; break;
    case 'unknown_kid':
      return new jose.SignJWT(claims).setProtectedHeader({ alg, kid: 'not-published', typ: 'JWT' }).sign(forgerKey);
    case 'unsigned':
      return `${jose.base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${jose.base64url.encode(JSON.stringify(claims))}.`;
    default: throw new Error(`unknown mode ${mode}`);
  }
  return new jose.SignJWT(claims).setProtectedHeader({ alg, kid: KID, typ: 'JWT' }).sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  const mode = control('mode.json').id_token;
  if (mode && ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await spoil(ctx.body.id_token, mode) };
  }
});

server.on('request', provider.callback());
console.log(JSON.stringify({ issuer }));
