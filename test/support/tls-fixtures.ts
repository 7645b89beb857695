/**
 * Certificates for TLS tests, made at test time with the `openssl` CLI in a fresh temp directory: a CA, a
 * server certificate for 127.0.0.1 and localhost (subjectAltName), a client certificate signed by the CA,
 * and a self-signed "rogue" client certificate the CA never signed. EC P-256 keys keep generation fast
 * (a few tens of milliseconds in all). Nothing is fetched or read from outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A PEM key pair on disk, and its text. */
export interface PemPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TlsFixtures {
  dir: string;
  /** The CA that signed `server` and `client`. */
  ca: PemPair;
  /** CN=localhost, SAN DNS:localhost, IP:127.0.0.1, serverAuth. */
  server: PemPair;
  /** CN=tapwatch-test-client, clientAuth, signed by `ca`. */
  client: PemPair;
  /** CN=rogue-client, self-signed: a broker requiring client certificates must refuse it. */
  rogueClient: PemPair;
  /** Removes the directory. */
  remove(): void;
}

const DAYS = '2';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; code?: string; message: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'openssl not found: the TLS tests make their certificates with it (apt-get install -y openssl)',
      );
    }
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr?.toString() || e.message}`);
  }
}

function pair(dir: string, name: string): PemPair {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}-key.pem`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** A leaf certificate signed by the CA in `dir`, with the given extensions. */
function leaf(dir: string, name: string, subject: string, extensions: string): PemPair {
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(['req', ...EC_KEY, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      DAYS,
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return pair(dir, name);
}

/** Generates the CA and the certificates into a new temp directory. */
export function createTlsFixtures(): TlsFixtures {
  const dir = mkdtempSync(path.join(tmpdir(), 'tapwatch-tls-'));
  const selfSigned = (name: string, subject: string, extensions: string[]) =>
    openssl(
      [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        `${name}-key.pem`,
        '-out',
        `${name}.pem`,
        '-days',
        DAYS,
        '-subj',
        subject,
        ...extensions.flatMap((e) => ['-addext', e]),
      ],
      dir,
    );
  selfSigned('ca', '/CN=tapwatch-test-ca', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const server = leaf(
    dir,
    'server',
    '/CN=localhost',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  const client = leaf(
    dir,
    'client',
    '/CN=tapwatch-test-client',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
  );
  selfSigned('rogue', '/CN=rogue-client', ['extendedKeyUsage=clientAuth']);
  return {
    dir,
    ca: pair(dir, 'ca'),
    server,
    client,
    rogueClient: pair(dir, 'rogue'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
