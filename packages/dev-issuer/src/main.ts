// The development issuer as its own process, for the dev cluster (deploy/k8s/components/dev-issuer):
// listens on PORT, serves under the path of PUBLIC_URL (the Gateway's /auth), and knows the services'
// client secrets from the environment (a Secret). `npm start` runs it in-process instead.
import { startDevIssuer } from './issuer';

const env = process.env;
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
