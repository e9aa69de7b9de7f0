// Loopback peers speaking the subset of HashiCorp Vault Transit and AWS KMS (JSON 1.1) that
// Veil's drivers use. They encrypt for real (AES-256-GCM under a server-side key), so a driver
// that sends the wrong context, token or blob fails here the way it would against the service.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface LoopbackServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, ct, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
}

async function listen(handler: (req: RecordedRequest, res: ServerResponse) => void): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

function reply(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(body));
}

/** The loopback Vault's key versions: rotate adds one; retiring raises `min_decryption_version`. */
export interface VaultTransitServer extends LoopbackServer {
  /** Adds a key version, which encrypts from now on (Vault's `rotate`). */
  rotateKey(): void;
  /** Refuses to decrypt ciphertexts of versions below `version` (Vault's `min_decryption_version`). */
  retireBelow(version: number): void;
}

/** Vault Transit: POST /v1/<mount>/encrypt|decrypt/<key>, token in X-Vault-Token, versioned keys. */
export async function startVaultTransit(options: {
  token: string;
  mount: string;
  keyName: string;
}): Promise<VaultTransitServer> {
  const versions = [randomBytes(32)];
  let minDecryption = 1;
  const server = await listen((req, res) => {
    if (req.headers['x-vault-token'] !== options.token)
      return reply(res, 403, { errors: ['permission denied'] });
    const aad = Buffer.from(String(req.body.associated_data ?? ''), 'base64');
    if (req.method === 'POST' && req.url === `/v1/${options.mount}/encrypt/${options.keyName}`) {
      const version = versions.length;
      const sealed = seal(versions[version - 1]!, Buffer.from(String(req.body.plaintext), 'base64'), aad);
      return reply(res, 200, {
        data: { ciphertext: `vault:v${version}:${sealed.toString('base64')}`, key_version: version },
      });
    }
    if (req.method === 'POST' && req.url === `/v1/${options.mount}/decrypt/${options.keyName}`) {
      const match = /^vault:v(\d+):(.*)$/.exec(String(req.body.ciphertext));
      const version = Number(match?.[1] ?? 0);
      if (match !== null && version >= 1 && version < minDecryption)
        return reply(res, 400, {
          errors: ['ciphertext or signature version is disallowed by policy (too old)'],
        });
      const key = versions[version - 1];
      const plaintext =
        match !== null && key !== undefined ? open(key, Buffer.from(match[2]!, 'base64'), aad) : undefined;
      if (plaintext === undefined)
        return reply(res, 400, { errors: ['cipher: message authentication failed'] });
      return reply(res, 200, { data: { plaintext: plaintext.toString('base64') } });
    }
    return reply(res, 404, { errors: [] });
  });
  return {
    ...server,
    rotateKey: () => void versions.push(randomBytes(32)),
    retireBelow: (version) => {
      minDecryption = version;
    },
  };
}

/** AWS KMS JSON 1.1: POST / with X-Amz-Target TrentService.Encrypt|Decrypt, base64 blobs. */
export function startKms(options: { keyArn: string }): Promise<LoopbackServer> {
  const key = randomBytes(32);
  const json = 'application/x-amz-json-1.1';
  const contextAad = (ctx: unknown): Buffer =>
    Buffer.from(
      JSON.stringify(
        Object.entries((ctx ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
      'utf8',
    );
  return listen((req, res) => {
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
      return reply(res, 400, { __type: 'MissingAuthenticationTokenException', message: 'unsigned' }, json);
    const target = req.headers['x-amz-target'];
    if (target === 'TrentService.Encrypt') {
      const sealed = seal(
        key,
        Buffer.from(String(req.body.Plaintext), 'base64'),
        contextAad(req.body.EncryptionContext),
      );
      return reply(
        res,
        200,
        {
          CiphertextBlob: sealed.toString('base64'),
          KeyId: options.keyArn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        },
        json,
      );
    }
    if (target === 'TrentService.Decrypt') {
      const plaintext = open(
        key,
        Buffer.from(String(req.body.CiphertextBlob), 'base64'),
        contextAad(req.body.EncryptionContext),
      );
      if (plaintext === undefined)
        return reply(res, 400, { __type: 'InvalidCiphertextException', message: 'invalid ciphertext' }, json);
      return reply(
        res,
        200,
        {
          Plaintext: plaintext.toString('base64'),
          KeyId: options.keyArn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        },
        json,
      );
    }
    return reply(res, 400, { __type: 'UnknownOperationException', message: 'unknown operation' }, json);
  });
}
