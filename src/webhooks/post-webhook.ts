// One webhook POST: to the subscription's URL only, the resolved address checked against the private
// address policy at connect time, no redirect followed, and a time limit on the whole exchange.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal, type PrivateAddressPolicy } from './address-policy.js';

/** What an attempt came to, for the deliverer to judge. */
export type PostResult =
  | { readonly kind: 'answered'; readonly status: number; readonly retryAfter: string | undefined }
  /** Timed out, refused, reset, closed early: worth retrying. */
  | { readonly kind: 'failed'; readonly error: string }
  /** The address is not one we may connect to: retrying would not change that. */
  | { readonly kind: 'refused'; readonly error: string }
  /** Aborted by shutdown. */
  | { readonly kind: 'aborted' };

class AddressRefused extends Error {
  override readonly name = 'AddressRefused';
}

export interface WebhookClientSettings {
  readonly timeoutMs: number;
  readonly privateAddresses: PrivateAddressPolicy;
}

/** Only so much of an answer's body is read; the rest is the receiver's business. */
const MAX_ANSWER_BYTES = 64 * 1024;

export class WebhookClient {
  // Keep-alive: a busy receiver gets one connection per concurrent delivery, not one per event.
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  private readonly lookup: LookupFunction;

  constructor(private readonly settings: WebhookClientSettings) {
    this.lookup = guardedLookup(settings.privateAddresses);
  }

  post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<PostResult> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.resolve({ kind: 'refused', error: `"${url}" is not a URL` });
    }
    const https = target.protocol === 'https:';
    if (!https && target.protocol !== 'http:') {
      return Promise.resolve({ kind: 'refused', error: `${target.protocol} is not http or https` });
    }
    // A literal address is never looked up, so it is judged here.
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      const refusal = addressRefusal(this.settings.privateAddresses, host);
      if (refusal !== undefined) return Promise.resolve({ kind: 'refused', error: refusal });
    }
    if (signal.aborted) return Promise.resolve({ kind: 'aborted' });
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: PostResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const send = https ? httpsRequest : httpRequest;
      const request = send(target, {
        method: 'POST',
        agent: https ? this.httpsAgent : this.httpAgent,
        lookup: this.lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'casemgr-webhooks',
        },
      });
      const timer = setTimeout(() => {
        finish({ kind: 'failed', error: `no answer within ${this.settings.timeoutMs} ms` });
        request.destroy();
      }, this.settings.timeoutMs);
      const onAbort = () => {
        finish({ kind: 'aborted' });
        request.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('response', (response: IncomingMessage) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        const answered = () =>
          finish({
            kind: 'answered',
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
          });
        response.on('end', answered);
        // An answer cut short after its status line still says what the receiver decided.
        response.on('close', answered);
        response.on('error', answered);
      });
      request.on('error', (error: Error) => {
        if (error instanceof AddressRefused) finish({ kind: 'refused', error: error.message });
        else finish({ kind: 'failed', error: describe(error) });
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined ? `${code}: ${error.message}` : error.message;
}

/** dns.lookup, refusing when any address the name resolves to is refused by the policy. */
function guardedLookup(policy: PrivateAddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const entry of addresses) {
        const refusal = addressRefusal(policy, entry.address);
        if (refusal !== undefined) {
          return callback(new AddressRefused(`${hostname} resolves to ${refusal}`), '', 0);
        }
      }
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };
}
