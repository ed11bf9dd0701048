// The local cluster's certificates, made with openssl: one CA, a serving certificate for the API server
// and the kubelet, a client certificate per component (its name and group are what RBAC sees), and the
// service-account signing key. EC P-256 throughout: quick to make, and every component accepts it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Identity {
  /** File name stem under pki/. */
  name: string;
  cn: string;
  org?: string;
  /** Subject alternative names for a serving certificate ("IP:10.96.0.1", "DNS:kubernetes"). */
  sans?: string[];
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeCa(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, 'ca.crt'))) return;
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '365',
      '-subj',
      '/CN=shiftstack-local-ca',
    ],
    dir,
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key'], dir);
  openssl(['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

/** Issues `name.crt`/`name.key`, signed by the CA in `dir`: serving and client use when it has SANs. */
export function issue(dir: string, id: Identity): void {
  if (existsSync(join(dir, `${id.name}.crt`))) return;
  const subject = `/CN=${id.cn}${id.org ? `/O=${id.org}` : ''}`;
  const ext = join(dir, `${id.name}.ext`);
  writeFileSync(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${id.sans ? 'serverAuth,clientAuth' : 'clientAuth'}`,
      ...(id.sans ? [`subjectAltName=${id.sans.join(',')}`] : []),
    ].join('\n'),
  );
  openssl(
    ['req', '-new', ...EC, '-keyout', `${id.name}.key`, '-out', `${id.name}.csr`, '-subj', subject],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${id.name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-extfile',
      ext,
      '-out',
      `${id.name}.crt`,
    ],
    dir,
  );
}

/** A kubeconfig for one identity, with the certificate files referenced by path. */
export function kubeconfig(pkiDir: string, server: string, name: string): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: shiftstack-local
    cluster: { server: ${server}, certificate-authority: ${join(pkiDir, 'ca.crt')} }
users:
  - name: ${name}
    user:
      client-certificate: ${join(pkiDir, `${name}.crt`)}
      client-key: ${join(pkiDir, `${name}.key`)}
contexts:
  - name: shiftstack-local
    context: { cluster: shiftstack-local, user: ${name} }
current-context: shiftstack-local
`;
}
