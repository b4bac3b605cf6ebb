import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../errors/index.js';

/**
 * Anything that crosses Redis between the bot and its runners is signed with the shared
 * DISPATCH_SECRET (HMAC-SHA256), because whoever can write to Redis must not be able to start a
 * task or report one finished. The kind is part of what is signed, so a signed event cannot be
 * replayed as a job.
 */
export type SignedKind = 'job' | 'event' | 'command' | 'reply';

export const Signed = z.object({ body: z.string(), sig: z.string() });
export type Signed = z.infer<typeof Signed>;

/** The shortest secret accepted: shorter ones are guessable offline from one signed message. */
export const MIN_SECRET_LENGTH = 16;

export function queueSecret(env: NodeJS.ProcessEnv): string {
  const secret = env.DISPATCH_SECRET ?? '';
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`DISPATCH_SECRET must be set to the same random string (at least ${MIN_SECRET_LENGTH} characters) on the bot and every runner when DISPATCH_QUEUE=redis`, undefined);
  }
  return secret;
}

function mac(secret: string, kind: SignedKind, body: string): string {
  return createHmac('sha256', secret).update(kind).update('\n').update(body).digest('hex');
}

export function sign(secret: string, kind: SignedKind, value: unknown): Signed {
  const body = JSON.stringify(value);
  return { body, sig: mac(secret, kind, body) };
}

/** The value when the signature holds and it has the shape; otherwise why not. */
export function open<T>(secret: string, kind: SignedKind, raw: unknown, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; why: string } {
  const signed = Signed.safeParse(typeof raw === 'string' ? parseJson(raw) : raw);
  if (!signed.success) return { ok: false, why: `an unsigned ${kind}` };
  const expected = Buffer.from(mac(secret, kind, signed.data.body), 'hex');
  const given = Buffer.from(signed.data.sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: `a ${kind} with a bad signature` };
  const parsed = schema.safeParse(parseJson(signed.data.body));
  if (!parsed.success) return { ok: false, why: `a malformed ${kind}: ${parsed.error.message}` };
  return { ok: true, value: parsed.data };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
