// A real OpenID Connect provider for Bulwark's single sign-on tests, built on the
// `oidc-provider` package (a certified implementation). The web tests start it with
//   node provider.mjs REDIRECT_URI POST_LOGOUT_REDIRECT_URI
// and read "listening PORT" from its first line of output. The test then says who the next
// person to sign in is with `POST /test/next-person` (a JSON object of their claims, with
// `sub`); the provider's sign-in and consent steps complete as that person without a form,
// so the test drives the whole protocol over HTTP: discovery, keys, authorisation with PKCE,
// the code exchange, signed ID tokens and RP-initiated logout.
import http from 'node:http';
import Provider from 'oidc-provider';

const [redirectUri, postLogoutUri] = process.argv.slice(2);
if (!redirectUri || !postLogoutUri) {
  console.error('usage: node provider.mjs REDIRECT_URI POST_LOGOUT_REDIRECT_URI');
  process.exit(2);
}

// The test reads the first line only and may close its end of the pipe.
process.stdout.on('error', () => {});

const people = new Map();
let next = null;

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'bulwark',
      client_secret: 'test-client-secret',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { required: () => true },
    // The claims go into the ID token itself, as Entra ID puts them.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups', 'roles'],
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (ctx, sub) => {
      const claims = people.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: () => ({ ...claims, sub }) };
    },
    cookies: { keys: ['bulwark-test-cookie-key'] },
  });
  // Plain http on 127.0.0.1 is fine for a test; production providers are https.
  provider.proxy = false;

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      if (req.method === 'POST' && req.url === '/test/next-person') {
        let body = '';
        for await (const chunk of req) body += chunk;
        next = JSON.parse(body);
        people.set(next.sub, next);
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        let result;
        if (details.prompt.name === 'login') {
          if (!next) {
            res.writeHead(400).end('no next person set');
            return;
          }
          result = { login: { accountId: next.sub } };
        } else {
          const grant = new provider.Grant({
            accountId: details.session.accountId,
            clientId: details.params.client_id,
          });
          grant.addOIDCScope(details.params.scope);
          result = { consent: { grantId: await grant.save() } };
        }
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
        return;
      }
      callback(req, res);
    } catch (e) {
      console.error(e);
      res.writeHead(500).end(String(e));
    }
  });
  console.log(`listening ${port}`);
});
