// `npm run token -- --as <email>`: signs in to the running `npm start` system's development issuer as that
// person (the authorization code flow with PKCE, as the board does) and prints an access token for curl.
import { parseArgs } from 'node:util';
import { signIn } from '@shiftstack/dev-issuer/sign-in';
import { LOCAL_ADMIN } from './local/accounts';

const { values } = parseArgs({
  options: {
    as: { type: 'string', default: LOCAL_ADMIN },
    issuer: {
      type: 'string',
      default: process.env.AUTH_ISSUER ?? `http://127.0.0.1:${process.env.PORT ?? 8080}/auth`,
    },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`usage: npm run token -- [--as <email>] [--issuer <url>]
Prints an access token for the person with this email (default ${LOCAL_ADMIN}, the first admin), from the
development issuer of a running \`npm start\`. Use it as: curl -H "Authorization: Bearer $TOKEN" ...
`);
  process.exit(0);
}
try {
  const { accessToken } = await signIn(values.issuer, values.as);
  process.stdout.write(`${accessToken}\n`);
} catch (err) {
  process.stderr.write(
    `could not get a token from ${values.issuer}: ${(err as Error).message}\nIs \`npm start\` running?\n`,
  );
  process.exit(1);
}
