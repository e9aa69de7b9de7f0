import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { runVeil } from '../cli/veil.js';
import { describeConfig, isSecretSetting, loadConfig, SETTING_NAMES } from '../../src/runtime/config.js';
import { blobSettingsFromConfig } from '../../src/runtime/blobs.js';
import { keyProviderConfig } from '../../src/runtime/key-provider.js';
import { browserSignInFromConfig, oidcVerifierOptions } from '../../src/runtime/sign-in.js';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return `${code}: ${message}`;
  }
  assert.fail('expected the configuration to be refused');
}

test('defaults fill every setting, from one place', () => {
  const { config, sources, unknown } = loadConfig({});
  assert.equal(config.VEIL_DATA_DIR, '.veil');
  assert.equal(config.VEIL_HOST, '127.0.0.1');
  assert.equal(config.VEIL_PORT, 8080);
  assert.equal(config.VEIL_WORKERS, 1);
  assert.equal(config.VEIL_DETECTION_THREADS, undefined);
  assert.equal(config.VEIL_LOG_LEVEL, 'info');
  assert.equal(config.VEIL_KEK, 'local-file');
  assert.equal(config.VEIL_OIDC_TENANT_CLAIM, 'tenant');
  assert.equal(config.VEIL_OIDC_ROLES_CLAIM, 'roles');
  assert.equal(config.DATABASE_URL, undefined);
  assert.deepEqual(unknown, []);
  assert.ok(SETTING_NAMES.every((name) => sources[name] === 'default'));
  assert.deepEqual(keyProviderConfig(config), { driver: 'local-file', path: resolve('.veil', 'kek.key') });
  assert.equal(oidcVerifierOptions(config), undefined);
});

test('values are parsed; a flag wins over the environment; an empty variable is unset', () => {
  const { config, sources } = loadConfig({ VEIL_PORT: '9000', VEIL_WORKERS: '4', VEIL_HOST: '' }, [
    { setting: 'VEIL_PORT', flag: '--port', value: '0' },
    { setting: 'VEIL_WORKERS', flag: '--workers', value: undefined },
  ]);
  assert.equal(config.VEIL_PORT, 0);
  assert.equal(sources.VEIL_PORT, 'flag');
  assert.equal(config.VEIL_WORKERS, 4);
  assert.equal(sources.VEIL_WORKERS, 'environment');
  assert.equal(config.VEIL_HOST, '127.0.0.1');
  assert.equal(sources.VEIL_HOST, 'default');
});

test('a bad value stops with VEIL_CONFIG_INVALID naming the setting and its flag, never the value', () => {
  assert.equal(
    refusal(() => loadConfig({ VEIL_PORT: '70000' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_PORT: expected an integer from 0 to 65535',
  );
  assert.equal(
    refusal(() => loadConfig({}, [{ setting: 'VEIL_PORT', flag: '--port', value: 'eighty' }])),
    'VEIL_CONFIG_INVALID: configuration: --port (VEIL_PORT): expected an integer from 0 to 65535',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_LOG_LEVEL: 'loud' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
  );
  const secretUrl = 'mysql://admin:hunter2-secret@db/veil';
  const message = refusal(() => loadConfig({ DATABASE_URL: secretUrl }));
  assert.equal(
    message,
    'VEIL_CONFIG_INVALID: configuration: DATABASE_URL: expected an absolute postgres:// or postgresql:// URL',
  );
  assert.ok(!message.includes('hunter2'));
});

test('settings that go together are checked together', () => {
  assert.equal(
    refusal(() => loadConfig({ VEIL_TLS_CERT: '/etc/veil/cert.pem' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_TLS_KEY: must be set together with VEIL_TLS_CERT',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_OIDC_ISSUER: 'https://login.example.org/realms/veil' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_OIDC_AUDIENCE: must be set with VEIL_OIDC_ISSUER (the audience tokens are issued for)',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_JWKS_URL: 'https://login.example.org/certs' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_OIDC_ISSUER: must be set to verify tokens (the issuer their `iss` must name)',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_KEK: 'env' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_KEK_BASE64: must be set with VEIL_KEK=env (a base64 32-byte key: openssl rand -base64 32)',
  );
  assert.equal(refusal(() => loadConfig({ VEIL_KEK: 'aws-kms' })).split(': ')[2], 'VEIL_KMS_KEY_ID');
  assert.equal(
    refusal(() => loadConfig({ VEIL_KEK: 'hsm' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_KEK: expected one of local-file, env, vault-transit, aws-kms',
  );
});

test('each KEK driver gets its settings', () => {
  const vault = loadConfig({
    VEIL_KEK: 'vault-transit',
    VEIL_VAULT_ADDR: 'http://127.0.0.1:8200',
    VEIL_VAULT_TOKEN: 's.token',
    VEIL_VAULT_KEY: 'veil',
  }).config;
  assert.deepEqual(keyProviderConfig(vault), {
    driver: 'vault-transit',
    address: 'http://127.0.0.1:8200',
    token: 's.token',
    keyName: 'veil',
    mount: 'transit',
  });
  const kms = loadConfig({
    VEIL_KEK: 'aws-kms',
    VEIL_KMS_KEY_ID: 'alias/veil',
    VEIL_KMS_REGION: 'eu-west-1',
    VEIL_KMS_ENDPOINT: 'http://127.0.0.1:4566',
  }).config;
  assert.deepEqual(keyProviderConfig(kms), {
    driver: 'aws-kms',
    keyId: 'alias/veil',
    clientConfig: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' },
  });
  const key = Buffer.alloc(32, 7).toString('base64');
  const env = loadConfig({ VEIL_KEK: 'env', VEIL_KEK_BASE64: key }).config;
  assert.deepEqual(keyProviderConfig(env), {
    driver: 'environment',
    variable: 'VEIL_KEK_BASE64',
    env: { VEIL_KEK_BASE64: key },
  });
  const file = loadConfig({ VEIL_KEK_FILE: '/run/secrets/kek' }).config;
  assert.deepEqual(keyProviderConfig(file), { driver: 'local-file', path: '/run/secrets/kek' });
});

test('blob drivers: file by default, postgres, and S3 named by settings or by one s3:// URL', () => {
  assert.equal(blobSettingsFromConfig(loadConfig({}).config), 'file');
  assert.equal(blobSettingsFromConfig(loadConfig({ VEIL_BLOBS: 'postgres' }).config), 'postgres');
  assert.deepEqual(
    blobSettingsFromConfig(
      loadConfig({
        VEIL_BLOBS: 's3',
        VEIL_S3_BUCKET: 'veil-blobs',
        VEIL_S3_PREFIX: 'prod/eu',
        VEIL_S3_REGION: 'eu-west-1',
        VEIL_S3_ENDPOINT: 'http://127.0.0.1:9000',
        VEIL_S3_FORCE_PATH_STYLE: 'true',
      }).config,
    ),
    {
      driver: 's3',
      bucket: 'veil-blobs',
      prefix: 'prod/eu',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    },
  );
  assert.deepEqual(blobSettingsFromConfig(loadConfig({ VEIL_BLOBS: 's3://veil-blobs/prod/' }).config), {
    driver: 's3',
    bucket: 'veil-blobs',
    prefix: 'prod',
    forcePathStyle: false,
  });
  assert.deepEqual(blobSettingsFromConfig(loadConfig({ VEIL_BLOBS: 's3://veil-blobs' }).config), {
    driver: 's3',
    bucket: 'veil-blobs',
    forcePathStyle: false,
  });
  assert.equal(
    refusal(() => loadConfig({ VEIL_BLOBS: 's3' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_S3_BUCKET: must be set with VEIL_BLOBS=s3 (or name it: VEIL_BLOBS=s3://bucket/prefix)',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_BLOBS: 'gcs' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_BLOBS: expected file (encrypted files in the data directory), postgres (encrypted, in the database), s3 (encrypted, in VEIL_S3_BUCKET) or s3://bucket/prefix',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_BLOBS: 's3', VEIL_S3_BUCKET: 'Veil_Blobs' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_S3_BUCKET: expected an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)',
  );
  assert.match(
    refusal(() => loadConfig({ VEIL_BLOBS: 's3://Bad_Bucket/x' })),
    /^VEIL_CONFIG_INVALID: configuration: VEIL_BLOBS: expected s3:\/\/bucket\/prefix/,
  );
  assert.match(
    refusal(() => loadConfig({ VEIL_BLOBS: 's3://veil-blobs/a//b' })),
    /VEIL_BLOBS: expected s3:\/\/bucket\/prefix with a prefix/,
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_BLOBS: 's3://veil-blobs', VEIL_S3_BUCKET: 'other-bucket' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_S3_BUCKET: must not be set when VEIL_BLOBS names the bucket (s3://bucket/prefix); set one or the other',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_S3_BUCKET: 'veil-blobs' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_S3_BUCKET: is set but VEIL_BLOBS is not s3: blobs would not go to S3; set VEIL_BLOBS=s3 or unset it',
  );
  assert.equal(
    refusal(() =>
      loadConfig({ VEIL_BLOBS: 's3', VEIL_S3_BUCKET: 'veil-blobs', VEIL_S3_FORCE_PATH_STYLE: 'maybe' }),
    ),
    'VEIL_CONFIG_INVALID: configuration: VEIL_S3_FORCE_PATH_STYLE: expected true or false',
  );
});

test('OIDC settings map to the token verifier: discovery or a JWKS URL, claim paths', () => {
  const issuer = 'https://login.example.org/realms/veil';
  const discovery = oidcVerifierOptions(
    loadConfig({
      VEIL_OIDC_ISSUER: issuer,
      VEIL_OIDC_AUDIENCE: 'veil-api, veil-web',
      VEIL_OIDC_ROLES_CLAIM: 'realm_access.roles',
    }).config,
  );
  assert.deepEqual(discovery, {
    keys: { kind: 'oidc' },
    issuer,
    audience: ['veil-api', 'veil-web'],
    tenantClaim: ['tenant'],
    rolesClaim: ['realm_access', 'roles'],
    keysRefreshSeconds: 30,
    verifiedCacheSeconds: 30,
  });
  const jwks = oidcVerifierOptions(
    loadConfig({
      VEIL_OIDC_ISSUER: issuer,
      VEIL_OIDC_AUDIENCE: 'veil-api',
      VEIL_JWKS_URL: `${issuer}/certs`,
      VEIL_OIDC_TENANT_CLAIM: 'https://veil.example/tenant',
    }).config,
  );
  assert.deepEqual(jwks?.keys, { kind: 'url', url: `${issuer}/certs` });
  assert.equal(jwks?.tenantClaim, 'https://veil.example/tenant');
});

test('the console signs in through the issuer only when its client id is set; its scope must hold openid', () => {
  const issuer = 'https://login.example.org/realms/veil';
  const oidc = { VEIL_OIDC_ISSUER: issuer, VEIL_OIDC_AUDIENCE: 'veil-api' };
  assert.equal(browserSignInFromConfig(loadConfig(oidc).config), undefined);
  assert.deepEqual(
    browserSignInFromConfig(loadConfig({ ...oidc, VEIL_CONSOLE_CLIENT_ID: 'veil-console' }).config),
    { issuer, clientId: 'veil-console', scope: 'openid' },
  );
  assert.deepEqual(
    browserSignInFromConfig(
      loadConfig({ ...oidc, VEIL_CONSOLE_CLIENT_ID: 'veil-console', VEIL_CONSOLE_SCOPE: 'openid profile' })
        .config,
    )?.scope,
    'openid profile',
  );
  assert.equal(
    refusal(() => loadConfig({ VEIL_CONSOLE_CLIENT_ID: 'veil-console' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_OIDC_ISSUER: must be set with VEIL_CONSOLE_CLIENT_ID (the issuer the console signs in with)',
  );
  assert.equal(
    refusal(() => loadConfig({ ...oidc, VEIL_CONSOLE_CLIENT_ID: 'c', VEIL_CONSOLE_SCOPE: 'profile' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_CONSOLE_SCOPE: must include openid',
  );
});

test("unknown VEIL_* variables are reported with the closest setting; the tools' own and others are not", () => {
  const { unknown } = loadConfig({
    VEIL_PROT: '9000',
    VEIL_NOTHING_LIKE_IT: '1',
    VEIL_EVAL_DIR: '/data/eval',
    PATH: '/usr/bin',
    HOME: '/root',
  });
  assert.deepEqual(unknown, [
    'VEIL_NOTHING_LIKE_IT is not a Veil setting and is ignored',
    'VEIL_PROT is not a Veil setting and is ignored (did you mean VEIL_PORT?)',
  ]);
});

test('the effective configuration names each source and hides secrets', () => {
  const key = Buffer.alloc(32, 9).toString('base64');
  const loaded = loadConfig({
    VEIL_KEK: 'env',
    VEIL_KEK_BASE64: key,
    DATABASE_URL: 'postgres://veil:pa55word@db.internal:5432/veil?sslmode=require',
    VEIL_VAULT_TOKEN: 's.vault-token',
  });
  const lines = describeConfig(loaded);
  const text = lines.join('\n');
  assert.equal(lines.length, SETTING_NAMES.length);
  for (const secretValue of [key, 'pa55word', 'veil:', 's.vault-token', 'sslmode'])
    assert.ok(!text.includes(secretValue), `${secretValue} printed`);
  assert.match(text, /^DATABASE_URL +postgres:\/\/\*\*\*@db\.internal:5432\/veil {2}\(environment\)$/m);
  assert.match(text, /^VEIL_KEK_BASE64 +\(set, hidden\) {2}\(environment\)$/m);
  assert.match(text, /^VEIL_PORT +8080 {2}\(default\)$/m);
  assert.ok(isSecretSetting('VEIL_VAULT_TOKEN') && !isSecretSetting('VEIL_PORT'));
});

test(
  'veil config check prints the configuration, and fails naming a bad setting',
  { timeout: 60_000 },
  async () => {
    const run = (env: Record<string, string>) => {
      const clean = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.startsWith('VEIL_') && name !== 'DATABASE_URL'),
      );
      return runVeil(['config', 'check'], { env: { ...clean, ...env } });
    };
    const ok = await run({ VEIL_PORT: '9443', VEIL_VAULT_TOKEN: 's.never-printed' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^VEIL_PORT +9443 {2}\(environment\)$/m);
    assert.ok(!ok.stdout.includes('never-printed'));
    const bad = await run({ VEIL_WORKERS: '-1' });
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'error VEIL_CONFIG_INVALID: configuration: VEIL_WORKERS: expected an integer from 0 to 64\n',
    );
    const typo = await run({ VEIL_LOG_LEVLE: 'debug' });
    assert.equal(typo.code, 1);
    assert.equal(
      typo.stderr,
      'warning: VEIL_LOG_LEVLE is not a Veil setting and is ignored (did you mean VEIL_LOG_LEVEL?)\n',
    );
  },
);

test("VEIL_OCR_LEXICON picks PP-OCR's lexicon (malaysia by default) or none, and refuses another name", () => {
  assert.equal(loadConfig({}).config.VEIL_OCR_LEXICON, 'malaysia');
  assert.equal(loadConfig({ VEIL_OCR_LEXICON: 'none' }).config.VEIL_OCR_LEXICON, 'none');
  assert.equal(
    refusal(() => loadConfig({ VEIL_OCR_LEXICON: 'english' })),
    'VEIL_CONFIG_INVALID: configuration: VEIL_OCR_LEXICON: expected malaysia (Malaysian address and letterhead words) or none (every word as the model read it)',
  );
});
