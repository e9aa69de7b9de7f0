/**
 * A real chat-completions server on 127.0.0.1 for the AI tests: it speaks the OpenAI-compatible
 * protocol (`POST /v1/chat/completions`, JSON, no streaming), records every request it receives
 * byte for byte, and answers through a function the test gives.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a responder returns: a status and a raw body, or a chat message to wrap as a completion. */
export type Reply =
  | { readonly message: string; readonly usage?: { prompt_tokens: number; completion_tokens: number } }
  | { readonly status: number; readonly raw: string; readonly contentType?: string }
  | { readonly hang: true };

export type Responder = (request: { readonly body: unknown; readonly index: number }) => Reply;

export interface ChatServer {
  /** The base URL, up to `/v1`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  respond: Responder;
  close(): Promise<void>;
}

/** The content of the last user message of a parsed chat request body. */
export function lastUserMessage(body: unknown): string {
  const messages = (body as { messages?: { role: string; content: string }[] }).messages ?? [];
  return [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/**
 * Starts the server on a free loopback port.
 *
 * @example
 * ```ts
 * const server = await startChatServer(() => ({ message: '{"fields":{}}' }));
 * // … point a provider at server.url …
 * await server.close();
 * ```
 */
export async function startChatServer(respond: Responder): Promise<ChatServer> {
  const requests: RecordedRequest[] = [];
  const state = { respond };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
        return;
      }
      const reply = state.respond({ body: parsed, index: requests.length - 1 });
      if ('hang' in reply) return; // never answers: the client's timeout must end it
      if ('raw' in reply) {
        res
          .writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' })
          .end(reply.raw);
        return;
      }
      const model = (parsed as { model?: string }).model ?? 'unknown';
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          choices: [
            { index: 0, message: { role: 'assistant', content: reply.message }, finish_reason: 'stop' },
          ],
          usage: reply.usage ?? { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get respond() {
      return state.respond;
    },
    set respond(next: Responder) {
      state.respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The field names a chat request asks for (the `- name (type)` lines of its field list). */
export function requestedFields(body: unknown): string[] {
  const user = lastUserMessage(body);
  const list = user.slice(0, user.indexOf('Document:'));
  return [...list.matchAll(/^- ([A-Za-z0-9_.-]+) \(/gm)].map((m) => m[1]!);
}

/**
 * A model that answers from placeholders only, as a well-behaved model would: for each requested
 * field, `picks` gives an entity type (`PERSON`: the first such placeholder in the document part of
 * the prompt) or a literal value after `=` (`=9.00 MYR`); a field without a pick is null. Each
 * answer says `confidence`, or the per-field one in `confidences`.
 */
export function placeholderAnswer(
  body: unknown,
  picks: Readonly<Record<string, string>>,
  confidences: Readonly<Record<string, number>> = {},
): string {
  const user = lastUserMessage(body);
  const found = [...new Set(user.slice(user.indexOf('Document:')).match(/<[A-Z][A-Z0-9_]*_[0-9]+>/g) ?? [])];
  const fields: Record<string, { value: string | null; confidence: number }> = {};
  for (const name of requestedFields(body)) {
    const pick = picks[name];
    const value =
      pick === undefined
        ? null
        : pick.startsWith('=')
          ? pick.slice(1)
          : (found.find((p) => p.startsWith(`<${pick}_`)) ?? null);
    fields[name] = { value, confidence: confidences[name] ?? 0.9 };
  }
  return JSON.stringify({ fields });
}
