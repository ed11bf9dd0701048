// The development issuer as its own process, for the dev cluster (deploy/k8s/components/dev-issuer):
// listens on PORT, serves under the path of PUBLIC_URL (the Gateway's /auth), and knows the services'
// client secrets from the environment (a Secret). `npm start` runs it in-process instead.
import { startDevIssuer } from './issuer';

const env = process.env;

/**
 * What the environment must say, in so many words, before an issuer without passwords starts: the dev
 * overlay's manifest sets it, and nothing else does (deploy/k8s/tests/policy.test.ts checks staging and
 * production carry no trace of this issuer). NODE_ENV alone is too easy to leave unset.
 */
export const DEVELOPMENT_ONLY = 'development-only-no-passwords';
if (env.SHIFTSTACK_DEV_ISSUER !== DEVELOPMENT_ONLY || env.NODE_ENV !== 'development') {
  process.stderr.write(
    `dev-issuer: refuses to start: anyone can sign in as anyone here. Only in a development environment, ` +
      `set SHIFTSTACK_DEV_ISSUER=${DEVELOPMENT_ONLY} and NODE_ENV=development.\n`,
  );
  process.exit(1);
}
const required = (name: string): string => {
  const value = env[name];
  if (!value) {
    process.stderr.write(`dev-issuer: ${name} is required\n`);
    process.exit(1);
  }
  return value;
};

try {
  const issuer = await startDevIssuer({
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '0.0.0.0',
    publicUrl: required('PUBLIC_URL'),
    boardUrls: required('BOARD_URLS').split(','),
    serviceSecrets: { shifts: required('SHIFTS_CLIENT_SECRET'), users: required('USERS_CLIENT_SECRET') },
    accounts: () =>
      env.ADMIN_EMAIL ? [{ email: env.ADMIN_EMAIL, name: 'Admin (first admin)', access: 'admin' }] : [],
  });
  process.stdout.write(`${JSON.stringify({ msg: 'dev-issuer listening', issuer: issuer.url })}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void issuer.close().then(() => process.exit(0)));
} catch (err) {
  process.stderr.write(`dev-issuer: ${(err as Error).message}\n`);
  process.exit(1);
}
